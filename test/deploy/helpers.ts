import { mkdtemp, readdir, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect } from "effect"
import { afterEach } from "vitest"
import type { TradingModel } from "../../src/engine/trading-model.ts"
import { decodeModelParams, type ModelKind, type ParamsSchema } from "../../src/deploy/model-kind.ts"
import { SimulationInstance } from "../../src/runtime/simulation-instance.ts"
import { Decimal } from "../../src/domain/decimal.ts"
import type { SimulationConfigInput } from "../../src/domain/simulation-config.ts"

/** A fresh directory under the OS temp dir, removed after the test. */
export const useTempDirs = () => {
  const dirs: string[] = []
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })))
  })
  return async (): Promise<string> => {
    const dir = await mkdtemp(join(tmpdir(), "paperfloor-deploy-"))
    dirs.push(dir)
    return dir
  }
}

/** Every file and directory under a directory, sorted (none if it does not exist). */
export const filesUnder = async (dir: string): Promise<ReadonlyArray<string>> => {
  try {
    return (await readdir(dir, { recursive: true })).sort()
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return []
    throw e
  }
}

/** The error a Promise rejects with (fails the test if it resolves). */
export const rejection = async (promise: Promise<unknown>): Promise<any> => {
  try {
    await promise
  } catch (e) {
    return e
  }
  throw new Error("expected a rejection")
}

/** A kind's params decoded (an Effect Schema kind decodes synchronously); throws the ValidationError of bad ones. */
export const decodeParamsNow = <S extends ParamsSchema>(kind: ModelKind<S>, input: unknown) => Effect.runSync(decodeModelParams(kind, input))

/** The issues of decoding a kind's params; none when they are valid. */
export const paramIssues = <S extends ParamsSchema>(kind: ModelKind<S>, input: unknown) =>
  Effect.runSync(Effect.match(decodeModelParams(kind, input), { onFailure: (e) => e.issues, onSuccess: () => [] }))

/** The error an Effect fails with. */
export const failure = <E>(effect: Effect.Effect<unknown, E>): Promise<E> => Effect.runPromise(Effect.flip(effect))

const DAY = 86_400_000
const START = Date.UTC(2024, 0, 1)

export interface SyntheticBar {
  readonly time: number
  readonly open: number
  readonly high: number
  readonly low: number
  readonly close: number
}

/** Daily bars whose open is the previous close (the first opens at its close). */
export const barsFromCloses = (closes: ReadonlyArray<number>): ReadonlyArray<SyntheticBar> =>
  closes.map((close, i) => {
    const open = i === 0 ? close : closes[i - 1]!
    return { time: START + i * DAY, open, high: Math.max(open, close), low: Math.min(open, close), close }
  })

export const syntheticConfig = (symbols: ReadonlyArray<string>): SimulationConfigInput => ({
  symbols,
  updateFrequency: "1d",
  maxPositionSize: 1,
  dailyStopLoss: null,
  commissionRate: 0,
  slippageRate: 0
})

/** Runs a model over bars (several symbols per update allowed) in a SimulationInstance. */
export const runInstance = (
  model: TradingModel,
  updates: ReadonlyArray<{ readonly time: number; readonly bars: Readonly<Record<string, Omit<SyntheticBar, "time">>> }>,
  config: SimulationConfigInput,
  options: { readonly roundTripAt?: number } = {}
): SimulationInstance => {
  let instance = SimulationInstance.create(config, model)
  instance.apply({ type: "start" })
  updates.forEach((update, i) => {
    if (i === options.roundTripAt) {
      // The whole simulation, the model's state included, through JSON and back: a restart.
      instance = SimulationInstance.fromSnapshot(JSON.parse(JSON.stringify(instance.snapshot())), model)
    }
    const result = instance.apply({ type: "marketUpdate", update })
    if (!result.ok) throw result.error
  })
  return instance
}

/** Single-symbol updates from bars. */
export const updatesOf = (symbol: string, bars: ReadonlyArray<SyntheticBar>) =>
  bars.map(({ time, ...bar }) => ({ time, bars: { [symbol]: bar } }))

/** Feeds quotes straight to a model's reducer with a stub view; returns every output. */
export const stepModel = <S>(
  model: TradingModel<S>,
  closes: ReadonlyArray<number>,
  symbol = "AAA",
  positionOf: (i: number) => number = () => 0
) => {
  let state = model.initialState
  const outputs = []
  for (let i = 0; i < closes.length; i++) {
    const close = closes[i]!
    const output = model.onUpdate(state, {
      time: START + i * DAY,
      quotes: [{ symbol, open: close, high: close, low: close, close, source: { open: close, high: close, low: close, close } }],
      view: {
        positionOf: () => new Decimal(positionOf(i)),
        portfolio: () => {
          throw new Error("not in this stub")
        },
        openOrders: () => []
      }
    })
    outputs.push(output)
    state = output.state
  }
  return { state, outputs }
}

/**
 * Runs a model over closes in one go and again with its state sent through JSON after `at`
 * closes: the state must be plain JSON, and the resumed run must continue identically.
 */
export const resumeThroughJson = <S>(model: TradingModel<S>, closes: ReadonlyArray<number>, at: number, positionOf?: (i: number) => number) => {
  const whole = stepModel(model, closes, "AAA", positionOf)
  const first = stepModel(model, closes.slice(0, at), "AAA", positionOf)
  const json = JSON.stringify(first.state)
  const revived = JSON.parse(json) as S
  const rest = stepModel({ ...model, initialState: revived }, closes.slice(at), "AAA", positionOf && ((i) => positionOf(i + at)))
  return { whole, first, revived, rest }
}
