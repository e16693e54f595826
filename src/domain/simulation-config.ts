import { Result, Schema } from "effect"
import { CalendarField, type CalendarInput } from "./calendar/calendar-spec.ts"
import { type DecimalInput, toDecimalString } from "./decimal.ts"
import { ValidationError } from "./errors.ts"
import { type Instrument, type InstrumentInput, instrumentSchema, normalizeInstrument } from "./instrument.ts"
import { type TrailBy, TrailBys } from "./trailing-stop.ts"
import { decodeOrFail, Fraction, NonNegativeDecimal, PositiveDecimal } from "./validation.ts"

/** How often updates arrive; sets the periods per year of annualised statistics. */
export const UpdateFrequencies = ["1s", "1min", "5min", "15min", "30min", "1h", "1d", "1w"] as const
export type UpdateFrequency = (typeof UpdateFrequencies)[number]

// A US equity year: 252 sessions of 6.5 hours.
const SESSIONS_PER_YEAR = 252
const MINUTES_PER_SESSION = 390

export const periodsPerYear: Record<UpdateFrequency, number> = {
  "1s": SESSIONS_PER_YEAR * MINUTES_PER_SESSION * 60,
  "1min": SESSIONS_PER_YEAR * MINUTES_PER_SESSION,
  "5min": (SESSIONS_PER_YEAR * MINUTES_PER_SESSION) / 5,
  "15min": (SESSIONS_PER_YEAR * MINUTES_PER_SESSION) / 15,
  "30min": (SESSIONS_PER_YEAR * MINUTES_PER_SESSION) / 30,
  "1h": SESSIONS_PER_YEAR * 6.5,
  "1d": SESSIONS_PER_YEAR,
  "1w": 52
}

/** A simulation's configuration as a caller gives it; every field has a default. */
export interface SimulationConfigInput {
  readonly initialCapital?: DecimalInput
  readonly commissionRate?: number
  readonly minimumCommission?: DecimalInput
  readonly slippageRate?: number
  readonly maxPositionSize?: number
  readonly dailyStopLoss?: number | null
  readonly enableShorting?: boolean
  readonly symbols?: ReadonlyArray<string>
  readonly updateFrequency?: UpdateFrequency
  readonly riskFreeRate?: number
  readonly trailBy?: TrailBy
  readonly ocoOnPartialFill?: OcoOnPartialFill
  readonly intrabarPath?: IntrabarPath
  /** The most of a bar's volume one order may take per update (0 < f ≤ 1); absent: no cap. */
  readonly volumeParticipation?: number
  /** A fill whose opening part the cash cannot pay: reject the rest of the order (default), or resize the fill to what the cash pays. */
  readonly partialFillCash?: PartialFillCash
  /** Per symbol: tick size, lot size and minimum quantity. */
  readonly instruments?: Readonly<Record<string, InstrumentInput>>
  /** An exchange calendar ("XNYS", or a spec): trading days, `day`, `opg` and `cls` follow its sessions. */
  readonly calendar?: CalendarInput
}

export const PartialFillCashPolicies = ["reject", "resize"] as const
export type PartialFillCash = (typeof PartialFillCashPolicies)[number]

/** The validated configuration: plain data (decimals as strings), so it can be stored and compared. */
export interface SimulationConfig {
  readonly initialCapital: string
  readonly commissionRate: number
  readonly minimumCommission: string
  readonly slippageRate: number
  readonly maxPositionSize: number
  /** Fraction of the day's starting equity; null disables the daily stop-loss. */
  readonly dailyStopLoss: number | null
  readonly enableShorting: boolean
  readonly symbols: ReadonlyArray<string>
  readonly updateFrequency: UpdateFrequency
  /** Annual risk-free rate used by Sharpe and Sortino. */
  readonly riskFreeRate: number
  /** What a trailing stop trails: the bar's extreme in its favour (default), or its close. */
  readonly trailBy: TrailBy
  /** When an OCO member fills in part: cancel its siblings (default), or reduce them by the quantity filled. */
  readonly ocoOnPartialFill: OcoOnPartialFill
  /** Which of two OCO members that could both fill on one bar fills: the first level the bar's path touches (default), or the earlier order. */
  readonly intrabarPath: IntrabarPath
  /** Present only when configured (so configs stored before it keep their form); absent means no cap. */
  readonly volumeParticipation?: number
  /** Present only when configured; absent means "reject". */
  readonly partialFillCash?: PartialFillCash
  /** Present only when configured; a symbol without an entry trades at exact decimals, in any quantity. */
  readonly instruments?: Readonly<Record<string, Instrument>>
  /** Present only when configured; absent, a trading day is a UTC date and every update is in session. */
  readonly calendar?: CalendarInput
}

export const OcoOnPartialFills = ["cancel", "reduce"] as const
export type OcoOnPartialFill = (typeof OcoOnPartialFills)[number]

/**
 * A bar's path through its prices, for levels touched inside one bar: `adaptive` goes open, the
 * extreme nearer the open (the high on a tie), the other extreme, close; `queue` gives the bar to
 * the earlier order (backtrader).
 */
export const IntrabarPaths = ["adaptive", "queue"] as const
export type IntrabarPath = (typeof IntrabarPaths)[number]

export const defaultSimulationConfig: SimulationConfig = {
  initialCapital: "100000",
  commissionRate: 0.001,
  minimumCommission: "0",
  slippageRate: 0.0005,
  maxPositionSize: 0.1,
  dailyStopLoss: 0.02,
  enableShorting: false,
  symbols: ["AAPL", "GOOGL", "MSFT"],
  updateFrequency: "1min",
  riskFreeRate: 0,
  trailBy: "extremes",
  ocoOnPartialFill: "cancel",
  intrabarPath: "adaptive"
}

/** A symbol: 1–32 letters, digits or `. _ : / -` (`ORCL`, `BRK.B`, `0700.HK`, `BTC/USD`). */
export const SYMBOL = /^[A-Za-z0-9._:/-]{1,32}$/

// Taken when this module loads: what later code adds to Object.prototype does not change the rule.
const reservedNames: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype))

/**
 * The names every JavaScript object has (`constructor`, `toString`, `hasOwnProperty`,
 * `__proto__`, … all of Object.prototype's): as symbols they would be keys that a plain object
 * answers for itself, so a model keeping per-symbol state in one would read Object's machinery.
 */
const isReservedName = (name: string): boolean => reservedNames.has(name)

/** Why a string is not a symbol, or undefined when it is one. */
export const symbolRuleBroken = (s: string): string | undefined =>
  !SYMBOL.test(s)
    ? "must be 1–32 letters, digits or . _ : / -"
    : isReservedName(s)
      ? "must not be a name every JavaScript object has (constructor, toString, __proto__ and the rest of Object.prototype)"
      : undefined

const SymbolName = Schema.String.check(Schema.makeFilter(symbolRuleBroken))

const configSchema = Schema.Struct({
  initialCapital: Schema.optional(PositiveDecimal),
  commissionRate: Schema.optional(Fraction),
  minimumCommission: Schema.optional(NonNegativeDecimal),
  slippageRate: Schema.optional(Fraction),
  maxPositionSize: Schema.optional(
    Schema.Number.check(
      Schema.makeFilter((n) => (Number.isFinite(n) && n > 0 && n <= 1 ? undefined : "must be a number above 0 and at most 1"))
    )
  ),
  dailyStopLoss: Schema.optional(
    Schema.NullOr(
      Schema.Number.check(
        Schema.makeFilter((n) => (Number.isFinite(n) && n > 0 && n < 1 ? undefined : "must be a number above 0 and below 1, or null"))
      )
    )
  ),
  enableShorting: Schema.optional(Schema.Boolean),
  symbols: Schema.optional(
    Schema.Array(SymbolName).check(
      Schema.makeFilter((a) =>
        a.length === 0 ? "must name at least one symbol" : new Set(a).size !== a.length ? "must not repeat a symbol" : undefined
      )
    )
  ),
  updateFrequency: Schema.optional(Schema.Literals(UpdateFrequencies)),
  riskFreeRate: Schema.optional(
    Schema.Number.check(Schema.makeFilter((n) => (Number.isFinite(n) && n > -1 && n < 1 ? undefined : "must be a finite number between -1 and 1")))
  ),
  trailBy: Schema.optional(Schema.Literals(TrailBys)),
  ocoOnPartialFill: Schema.optional(Schema.Literals(OcoOnPartialFills)),
  intrabarPath: Schema.optional(Schema.Literals(IntrabarPaths)),
  volumeParticipation: Schema.optional(
    Schema.Number.check(Schema.makeFilter((n) => (Number.isFinite(n) && n > 0 && n <= 1 ? undefined : "must be a number above 0 and at most 1")))
  ),
  partialFillCash: Schema.optional(Schema.Literals(PartialFillCashPolicies)),
  instruments: Schema.optional(Schema.Record(Schema.String, instrumentSchema)),
  calendar: Schema.optional(CalendarField)
})

const decodeConfig = decodeOrFail(configSchema, "config")

// JSON writes -0 as 0, so a config holding -0 would change across a snapshot: a fill's commission
// "-0" live, "0" after a restore. Zero is stored one way.
const unsigned = (n: number): number => (n === 0 ? 0 : n)

/** Instruments may only name the simulation's symbols: one for another symbol would be silently unused. */
const checkInstrumentSymbols = (config: SimulationConfig): Result.Result<SimulationConfig, ValidationError> => {
  const unknown = Object.keys(config.instruments ?? {}).filter((s) => !config.symbols.includes(s))
  if (unknown.length === 0) return Result.succeed(config)
  return Result.fail(
    new ValidationError({
      subject: "config",
      issues: unknown.map((s) => ({ field: `instruments.${s}`, rule: `must be one of the configured symbols (${config.symbols.join(", ")})`, value: s }))
    })
  )
}

/** Validates a configuration and fills in the defaults. */
export const makeSimulationConfig = (input: unknown = {}): Result.Result<SimulationConfig, ValidationError> =>
  typeof input === "object" && input !== null && settled.has(input) ? Result.succeed(input as SimulationConfig) : validateConfig(input)

const validateConfig = (input: unknown): Result.Result<SimulationConfig, ValidationError> =>
  Result.flatMap(decodeConfig(input), (c) => checkInstrumentSymbols({
    initialCapital: c.initialCapital === undefined ? defaultSimulationConfig.initialCapital : toDecimalString(c.initialCapital),
    commissionRate: unsigned(c.commissionRate ?? defaultSimulationConfig.commissionRate),
    minimumCommission:
      c.minimumCommission === undefined ? defaultSimulationConfig.minimumCommission : toDecimalString(c.minimumCommission),
    slippageRate: unsigned(c.slippageRate ?? defaultSimulationConfig.slippageRate),
    maxPositionSize: c.maxPositionSize ?? defaultSimulationConfig.maxPositionSize,
    dailyStopLoss: c.dailyStopLoss === undefined ? defaultSimulationConfig.dailyStopLoss : c.dailyStopLoss,
    enableShorting: c.enableShorting ?? defaultSimulationConfig.enableShorting,
    symbols: c.symbols ?? defaultSimulationConfig.symbols,
    updateFrequency: c.updateFrequency ?? defaultSimulationConfig.updateFrequency,
    riskFreeRate: unsigned(c.riskFreeRate ?? defaultSimulationConfig.riskFreeRate),
    trailBy: c.trailBy ?? defaultSimulationConfig.trailBy,
    ocoOnPartialFill: c.ocoOnPartialFill ?? defaultSimulationConfig.ocoOnPartialFill,
    intrabarPath: c.intrabarPath ?? defaultSimulationConfig.intrabarPath,
    ...(c.volumeParticipation !== undefined ? { volumeParticipation: c.volumeParticipation } : {}),
    ...(c.partialFillCash !== undefined ? { partialFillCash: c.partialFillCash } : {}),
    ...(c.instruments !== undefined
      ? { instruments: Object.fromEntries(Object.entries(c.instruments).map(([symbol, i]) => [symbol, normalizeInstrument(i)])) }
      : {}),
    ...(c.calendar !== undefined ? { calendar: c.calendar } : {})
  }))

/** Configs that validation gave, frozen: validating one again gives it back as it is. */
const settled = new WeakSet<object>()

/** Stored configs by their JSON text, each as validation gave it; bounded, as a process may restore many configs. */
const storedConfigs = new Map<string, SimulationConfig>()
const STORED_CONFIGS = 256

const freeze = (value: unknown): void => {
  if (value === null || typeof value !== "object" || Object.isFrozen(value)) return
  Object.freeze(value)
  for (const v of Object.values(value)) freeze(v)
}

/**
 * The validated config a stored one (parsed JSON, from a record whose checksum held) stands for,
 * when its text is exactly what validation writes for it: then `makeSimulationConfig` gives it
 * back without validating again, and recovering many simulations of one config validates it once.
 * Each text is validated the first time it is met, so a hand-edited config that no longer
 * validates, or that validation would write differently, is never taken: `undefined`, and the
 * restore validates it and refuses it as it always did.
 */
export const storedSimulationConfig = (stored: unknown): SimulationConfig | undefined => {
  if (stored === null || typeof stored !== "object" || Object.getPrototypeOf(stored) !== Object.prototype) return undefined
  const text = JSON.stringify(stored)
  const known = storedConfigs.get(text)
  if (known !== undefined) return known
  const valid = makeSimulationConfig(stored)
  if (Result.isFailure(valid) || JSON.stringify(valid.success) !== text) return undefined
  freeze(valid.success)
  settled.add(valid.success)
  if (storedConfigs.size >= STORED_CONFIGS) storedConfigs.clear()
  storedConfigs.set(text, valid.success)
  return valid.success
}
