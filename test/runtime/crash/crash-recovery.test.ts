// Fault 1: a simulation in a child process is SIGKILLed at random points (≥ 20 kills), resumed
// each time, and at the end matches an uninterrupted run exactly. The long version is
// `npm run soak -- --kills 1000`. Replay a kill plan with CRASH_SEED=<seed> npm test.
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { describeKills, runRounds } from "./crash-harness.ts"

const seed = Number(process.env["CRASH_SEED"] ?? 20261122)
const INPUTS = 3000
const KILLS = 25

describe("crash recovery under SIGKILL", () => {
  it(`a child killed ${KILLS} times ends with exactly the state of an uninterrupted run (seed ${seed})`, async () => {
    const base = mkdtempSync(path.join(tmpdir(), "paperfloor-crash-"))
    // One round normally; another only if the child outran a planned kill (a starved test process).
    const result = await runRounds({ base, seed, kills: KILLS, killsPerRound: KILLS, inputs: INPUTS })
    const failed = result.failed
    // On failure: the seed, the kept store and every kill point.
    const context = failed === null ? `CRASH_SEED=${seed}` : `CRASH_SEED=${seed}, store kept at ${result.failedRoot}\n${describeKills(failed.kills)}`
    expect(failed?.problems ?? [], context).toEqual([])
    expect(result.kills).toBeGreaterThanOrEqual(20)

    // Acknowledged ⇒ durable: wherever the next run resumed, it had everything acknowledged before the kill.
    const checked = result.rounds.flatMap((round) => round.kills).filter((k) => k.durableAfter !== null && k.acked > 0)
    expect(checked.length, context).toBeGreaterThanOrEqual(KILLS / 2)
    for (const k of checked) expect(k.durableAfter, context).toBeGreaterThanOrEqual(k.acked)

    for (const round of result.rounds) {
      const v = round.verification!
      expect(v.seq, context).toBe(INPUTS)
      expect(v.snapshotIdentical, context).toBe(true)
      expect({ lost: v.lostFills, duplicated: v.duplicateFills, extra: v.extraFills }, context).toEqual({ lost: 0, duplicated: 0, extra: 0 })
      expect(v.fills, context).toBe(v.expectedFills)
      // The workload trades a lot (fills every few updates), so an empty comparison cannot pass.
      expect(v.fills).toBeGreaterThan(INPUTS / 4)
    }
    rmSync(base, { recursive: true, force: true })
  }, 180_000)
})
