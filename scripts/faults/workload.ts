/**
 * What the campaign deploys and feeds, and its account of what the deployer acknowledged: per
 * deployment, the updates of every call that resolved and the results of a stop that resolved.
 * That account, not the store, is what a reopened deployer is held to.
 */
import type { MarketUpdateInput, RegisterModelRequest, SimulationConfigInput } from "../../src/index.ts"
import type { SeededRandom } from "./seeded-random.ts"
import type { Stack } from "./stack.ts"

/** One deployment's model version and config. Each has a model id of its own, so its deployment id is `paper-<modelId>-1` in any root. */
export interface Plan {
  readonly modelId: string
  readonly model: RegisterModelRequest
  readonly config: SimulationConfigInput
}

export const MODEL_VERSION = "v1"
const symbols = ["AAPL", "MSFT"] as const
const config: SimulationConfigInput = { symbols: [...symbols], updateFrequency: "1d", initialCapital: 100_000, commissionRate: 0.001, slippageRate: 0.0005, maxPositionSize: 0.5 }

const kinds: ReadonlyArray<Omit<RegisterModelRequest, "modelId" | "version">> = [
  { kind: "moving-average-crossover", params: { fast: 3, slow: 8, quantity: 20 } },
  { kind: "momentum", params: { lookback: 5, threshold: 0, weight: 0.2 } },
  { kind: "mean-reversion", params: { window: 6, entryZ: 1, exitZ: 0, quantity: 20 } },
  // An artifact, so that the model's own files are among what can be damaged.
  { kind: "buy-and-hold", params: { quantity: 10 }, artifacts: [{ name: "notes.txt", content: "bought once and held\n", contentType: "text/plain" }] }
]

/** `count` deployments' plans, cycling through the built-in kinds. */
export const plansFor = (count: number): ReadonlyArray<Plan> =>
  Array.from({ length: count }, (_, i) => {
    const kind = kinds[i % kinds.length]!
    const modelId = `m${i}-${kind.kind}`
    return { modelId, model: { ...kind, modelId, version: MODEL_VERSION }, config }
  })

/** What the deployer acknowledged for one deployment. */
export interface Acknowledged {
  readonly plan: Plan
  readonly id: string
  /** Updates of resolved calls, in order: what the simulation must hold. */
  readonly updates: MarketUpdateInput[]
  /** The simulation was found to hold more than `updates` (a refused call that reached the store): the uninterrupted reference does not apply. */
  uncertain: boolean
  /** The results (JSON) of a stop that resolved. */
  stopped: string | undefined
  /** Next update's day and last prices of the deployment's random walk. */
  day: number
  readonly prices: Record<string, number>
}

const DAY = 86_400_000
const FIRST_DAY = Date.UTC(2024, 0, 1)

/** Registers each plan's model version and deploys and starts it. */
export const deployAll = async (stack: Stack, plans: ReadonlyArray<Plan>): Promise<Acknowledged[]> => {
  const out: Acknowledged[] = []
  for (const plan of plans) {
    await stack.registry.registerModel(plan.model)
    const id = await stack.paper.deployToPaperTrading({ modelId: plan.modelId, modelVersion: MODEL_VERSION, simulationConfig: plan.config })
    await stack.paper.startSimulation(id)
    out.push({ plan, id, updates: [], uncertain: false, stopped: undefined, day: 0, prices: { AAPL: 150, MSFT: 300 } })
  }
  return out
}

const nextUpdate = (ack: Acknowledged, random: SeededRandom): MarketUpdateInput => {
  for (const s of symbols) ack.prices[s] = Math.max(1, Math.round(ack.prices[s]! * (1 + (random.next() - 0.5) * 0.06) * 100) / 100)
  return { time: FIRST_DAY + ack.day++ * DAY, prices: { ...ack.prices } }
}

/** A call's failure, as the campaign reports it. */
export interface CallFailure {
  readonly id: string
  readonly call: string
  readonly error: unknown
  /** Updates the simulation held before the call, and those its status showed right after the failure. */
  readonly before: number
  readonly shownAfter: number | undefined
}

/**
 * One call for a deployment: 1–4 updates (one goes through processMarketUpdate, more through
 * processMarketUpdates). Resolved, its updates are acknowledged, and the receipt's count says
 * whether an earlier refused call reached the store anyway (then the reference no longer applies).
 */
export const feedOnce = async (stack: Stack, ack: Acknowledged, random: SeededRandom): Promise<CallFailure | undefined> => {
  const batch = Array.from({ length: random.int(1, 4) }, () => nextUpdate(ack, random))
  const before = ack.updates.length
  try {
    const receipt = batch.length === 1 ? await stack.paper.processMarketUpdate(ack.id, batch[0]!) : await stack.paper.processMarketUpdates(ack.id, batch)
    if (receipt.applied !== batch.length) throw new Error(`applied ${receipt.applied} of ${batch.length} updates`)
    ack.updates.push(...batch)
    if (receipt.updates !== ack.updates.length) ack.uncertain = true
    return undefined
  } catch (error) {
    const shownAfter = await stack.paper.getSimulationStatus(ack.id).then((s) => s.updates, () => undefined)
    return { id: ack.id, call: `${batch.length === 1 ? "processMarketUpdate" : "processMarketUpdates"} (${batch.length})`, error, before, shownAfter }
  }
}

/**
 * Feeds `calls` calls to each deployment still running, round by round. In order by default; with
 * `concurrent`, each round's calls are in flight together (so the store commits several
 * deployments' batches at once), and their interleaving is up to the scheduler, not the seed.
 */
export const feedRounds = async (stack: Stack, acks: ReadonlyArray<Acknowledged>, random: SeededRandom, calls: number, concurrent = false): Promise<CallFailure[]> => {
  const failures: CallFailure[] = []
  for (let i = 0; i < calls; i++) {
    const running = acks.filter((ack) => ack.stopped === undefined)
    const outcomes: Array<CallFailure | undefined> = []
    if (concurrent) outcomes.push(...(await Promise.all(running.map((ack) => feedOnce(stack, ack, random)))))
    else for (const ack of running) outcomes.push(await feedOnce(stack, ack, random))
    for (const failure of outcomes) if (failure !== undefined) failures.push(failure)
  }
  return failures
}

/** Stops a deployment; resolved, its results are the acknowledged ones. */
export const stopOne = async (stack: Stack, ack: Acknowledged): Promise<CallFailure | undefined> => {
  try {
    const results = await stack.paper.stopSimulation(ack.id)
    if (results.updates !== ack.updates.length) ack.uncertain = true
    ack.stopped = JSON.stringify(results)
    return undefined
  } catch (error) {
    return { id: ack.id, call: "stopSimulation", error, before: ack.updates.length, shownAfter: undefined }
  }
}
