/**
 * The storage fault campaign (scripts/fault-campaign.ts) runs end to end with a tiny budget, and
 * its judge is not blind: a deployment that comes back with less than was acknowledged, or with a
 * different record, is a silent rollback; a store that refuses to open is a typed error.
 */
import { execFile } from "node:child_process"
import { cpSync, mkdtempSync, rmSync, unlinkSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { Expected } from "../../scripts/faults/expectations.ts"
import { buildHealthyRoot } from "../../scripts/faults/healthy-root.ts"
import { referenceRuns } from "../../scripts/faults/reference.ts"
import { judgeRoot } from "../../scripts/faults/verdict.ts"

const node = fileURLToPath(new URL("../../node_modules/.bin/node", import.meta.url))
const script = fileURLToPath(new URL("../../scripts/fault-campaign.ts", import.meta.url))

const runCampaign = (args: ReadonlyArray<string>) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(node, [script, ...args], { encoding: "utf8", maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout, stderr })
    )
  })

describe("scripts/fault-campaign.ts", () => {
  it("runs every fault once, prints the table and exits 0 when nothing was lost or rolled back silently", async () => {
    const { code, stdout, stderr } = await runCampaign(["--trials", "1", "--calls", "3", "--refusals", "4", "--seed", "1"])
    for (const column of ["fault", "trials", "acknowledged", "updates lost", "typed", "silent", "rollbacks", "whole"]) expect(stdout).toContain(column)
    for (const fault of ["disk full (6 MiB tmpfs)", "LevelDB .log cut short", "missing CURRENT", "missing .ldb table", "flip: results content", "flip: ACKNOWLEDGED (ledger)"])
      expect(stdout).toMatch(new RegExp(`│ ${fault.replace(/[().]/g, "\\$&")}\\s+│ (1|skipped: cannot mount)`))
    expect(stdout).toMatch(/│ total\s+│ \d+/)
    expect(code, `${stdout}\n${stderr}`).toBe(0)
    expect(stdout).toMatch(/PASS: 0 acknowledged updates lost, 0 silent rollbacks/)
  }, 120_000)
})

describe("the campaign's judge", () => {
  const base = mkdtempSync(path.join(tmpdir(), "paperfloor-fault-judge-"))
  const references = referenceRuns(base)
  let healthy: string
  let expected: Expected
  let copies = 0
  /** A copy of the healthy root (judging stops its running deployments). */
  const copy = () => {
    const root = path.join(base, `copy-${++copies}`)
    cpSync(healthy, root, { recursive: true })
    return root
  }

  beforeAll(async () => {
    healthy = path.join(base, "healthy")
    expected = await buildHealthyRoot(healthy, 5, { deployments: 3, calls: 3 })
  }, 60_000)
  afterAll(() => rmSync(base, { recursive: true, force: true }))

  it("finds an untouched root whole", async () => {
    const verdicts = await judgeRoot(copy(), expected, references)
    expect(verdicts.map((v) => [v.outcome, v.findings])).toEqual(expected.deployments.map(() => ["whole", []]))
  })

  it("judges a deployment holding fewer updates than were acknowledged a silent rollback, and counts the loss", async () => {
    const [first, ...rest] = expected.deployments
    // One more update acknowledged than the store was given: as if the store had lost it.
    const overstated = { ...first!, updates: [...first!.updates, { time: Date.UTC(2030, 0, 1), prices: { AAPL: 1, MSFT: 1 } }] }
    const verdicts = await judgeRoot(copy(), { ...expected, deployments: [overstated, ...rest] }, references)
    expect(verdicts[0]!.outcome).toBe("silent")
    expect(verdicts[0]!.lost).toBe(1)
    expect(verdicts.slice(1).map((v) => v.outcome)).toEqual(rest.map(() => "whole"))
  })

  it("judges a record that differs from the acknowledged one a silent rollback", async () => {
    const [first, ...rest] = expected.deployments
    const other = { ...first!, record: JSON.stringify({ ...JSON.parse(first!.record), modelVersion: "v0" }) }
    const [verdict] = await judgeRoot(copy(), { ...expected, deployments: [other, ...rest] }, references)
    expect(verdict!.outcome).toBe("silent")
    expect(verdict!.findings.join()).toMatch(/getDeployment accepted a different value \(fields: modelVersion\)/)
  })

  it("judges a store that refuses to open (its ledger deleted) a typed error naming the store, for every deployment", async () => {
    const root = copy()
    unlinkSync(path.join(root, "simulations", "ACKNOWLEDGED"))
    const verdicts = await judgeRoot(root, expected, references)
    expect(verdicts.map((v) => v.outcome)).toEqual(expected.deployments.map(() => "typed"))
    expect(verdicts[0]!.findings.join()).toMatch(/StoreDamagedError: .*simulations.*ACKNOWLEDGED/)
  })
})
