/**
 * The storage root the file faults damage: deployments fed and stopped through the deployer in two
 * sessions, with no fault. The restart between the sessions turns the first session's LevelDB log
 * into a table, so the store holds a table (`.ldb`), a log, a MANIFEST and CURRENT, besides the
 * acknowledgement ledger, the records and the artifacts. Each trial damages a copy of it.
 */
import { captureExpected, type Expected } from "./expectations.ts"
import { seededRandom } from "./seeded-random.ts"
import { openStack, type Stack } from "./stack.ts"
import { type Acknowledged, type CallFailure, deployAll, feedRounds, plansFor, stopOne } from "./workload.ts"

export interface HealthyRootOptions {
  readonly deployments: number
  /** Calls (of 1–4 updates) per deployment in each session. */
  readonly calls: number
}

/** Builds the root; one deployment is stopped in each session, the others are left running. */
export const buildHealthyRoot = async (root: string, seed: number, options: HealthyRootOptions): Promise<Expected> => {
  const random = seededRandom(seed)
  const problems: CallFailure[] = []
  const stop = async (stack: Stack, ack: Acknowledged) => {
    const failure = await stopOne(stack, ack)
    if (failure !== undefined) problems.push(failure)
  }
  const first = openStack(root)
  const acks = await deployAll(first, plansFor(options.deployments))
  problems.push(...(await feedRounds(first, acks, random, options.calls)))
  await stop(first, acks[0]!)
  await first.paper.close()
  const second = openStack(root)
  try {
    problems.push(...(await feedRounds(second, acks, random, options.calls)))
    await stop(second, acks[1]!)
    if (problems.length > 0) throw new Error(`the healthy root could not be built: ${problems.map((p) => `${p.id} ${p.call}: ${String(p.error)}`).join("; ")}`)
    return await captureExpected(second, acks)
  } finally {
    await second.paper.close()
  }
}
