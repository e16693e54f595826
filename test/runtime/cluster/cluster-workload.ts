// Many simulations fed the crash workload through a SimulationSupervisor (the cluster client),
// and their final states compared with the same inputs run in one process.
import { Effect } from "effect"
import type { Fill } from "../../../src/domain/fill.ts"
import type { SimulationSupervisor } from "../../../src/runtime/simulation-supervisor.ts"
import { buildWorkload, config, deriveSeed, modelSpec, prng, uninterruptedRun, type Workload } from "../crash/crash-workload.ts"

export const idOf = (i: number) => `sim-${i}`

export const makeWorkloads = (simulations: number, inputs: number, seed: number): ReadonlyArray<Workload> =>
  Array.from({ length: simulations }, (_, i) => buildWorkload(inputs, deriveSeed(seed, i)))

/**
 * Creates every simulation, then feeds them all at once, each its inputs in order in batches of
 * 1-6 (one batch in flight per simulation: its inputs' order is its journal's). Every input is
 * one the simulation accepts: a refusal is a defect. `acknowledged` hears each batch's size once
 * it is answered.
 */
export const feed = (
  supervisor: SimulationSupervisor["Service"],
  workloads: ReadonlyArray<Workload>,
  seed: number,
  acknowledged: (inputs: number) => Effect.Effect<void> = () => Effect.void
) =>
  Effect.gen(function* () {
    yield* Effect.forEach(workloads, (_, i) => supervisor.create({ id: idOf(i), config, model: modelSpec }), { concurrency: 50, discard: true })
    yield* Effect.forEach(
      workloads,
      (workload, i) =>
        Effect.gen(function* () {
          const rng = prng(deriveSeed(seed, i, 1))
          let next = 0
          while (next < workload.inputs.length) {
            const end = Math.min(workload.inputs.length, next + rng.between(1, 6))
            const results = yield* supervisor.submit(idOf(i), workload.inputs.slice(next, end))
            const refused = results.findIndex((r) => !r.ok)
            if (refused >= 0) return yield* Effect.die(new Error(`${idOf(i)}: input ${next + refused} was refused: ${JSON.stringify(results[refused])}`))
            yield* acknowledged(end - next)
            next = end
          }
        }),
      { concurrency: "unbounded", discard: true }
    )
  })

const fillKeys = (fills: ReadonlyArray<Fill>): string[] => fills.map((f) => `${f.orderId}@${JSON.stringify(f)}`)

/** What each simulation ended as: its snapshot (JSON), its fills and where its journal ends. */
export const readFinals = (supervisor: SimulationSupervisor["Service"], workloads: ReadonlyArray<Workload>) =>
  Effect.forEach(
    workloads,
    (_, i) =>
      Effect.all({
        snapshot: supervisor.inspect(idOf(i), (instance) => JSON.stringify(instance.snapshot())),
        fills: supervisor.inspect(idOf(i), (instance) => fillKeys(instance.engine.getFills())),
        seq: Effect.map(supervisor.summary(idOf(i)), (summary) => summary.seq)
      }),
    { concurrency: 20 }
  )

/**
 * Against one process: snapshots byte-identical, fills neither lost nor doubled, and every
 * journal at the workload's length (each input accepted, so journaled once each).
 */
export const compareWithOneProcess = (
  workloads: ReadonlyArray<Workload>,
  finals: ReadonlyArray<{ readonly snapshot: string; readonly fills: ReadonlyArray<string>; readonly seq: number }>
) => {
  let identical = 0
  let lost = 0
  let duplicated = 0
  let expectedFills = 0
  const journals: string[] = []
  for (const [i, workload] of workloads.entries()) {
    const reference = uninterruptedRun(workload)
    const final = finals[i]!
    if (final.snapshot === JSON.stringify(reference.snapshot())) identical += 1
    if (final.seq !== workload.inputs.length) journals.push(`${idOf(i)}: journal at ${final.seq} for ${workload.inputs.length} inputs`)
    const expected = fillKeys(reference.engine.getFills())
    expectedFills += expected.length
    const seen = new Map<string, number>()
    for (const key of final.fills) seen.set(key, (seen.get(key) ?? 0) + 1)
    for (const key of expected) if (!seen.has(key)) lost += 1
    for (const count of seen.values()) if (count > 1) duplicated += count - 1
  }
  return { identical, lost, duplicated, expectedFills, journals }
}
