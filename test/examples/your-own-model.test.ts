/**
 * examples/your-own-model.ts, the walkthrough the README's "Write your own model" follows: run
 * as a user runs it (Node on the file, in a fresh directory), it must exit 0, resume after its
 * restart exactly where it stopped, and archive the same results as a run that never stopped.
 */
import { execFile } from "node:child_process"
import { readFile } from "node:fs/promises"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { describe, expect, it } from "vitest"
import { modelKind } from "../../examples/models/trend-follower.ts"
import { barTimeline } from "../../src/data/bar-timeline.ts"
import { loadOhlcvCsv } from "../../src/data/ohlcv-csv.ts"
import { buildModel } from "../../src/deploy/model-kind.ts"
import type { PaperTradingResults } from "../../src/deploy/paper-trading-deployer.ts"
import { SimulationInstance } from "../../src/runtime/simulation-instance.ts"
import { useTempDirs } from "../deploy/helpers.ts"

const example = fileURLToPath(new URL("../../examples/your-own-model.ts", import.meta.url))
const modelModule = fileURLToPath(new URL("../../examples/models/trend-follower.ts", import.meta.url))
const readme = fileURLToPath(new URL("../../README.md", import.meta.url))
const dataFile = (name: string) => fileURLToPath(new URL(`../../examples/data/${name}`, import.meta.url))
const tempDir = useTempDirs()

/** The first match's groups of a line of the output (fails the test if there is none). */
const line = (out: string, pattern: RegExp): ReadonlyArray<string> => {
  const match = pattern.exec(out)
  expect(match, `a line matching ${pattern} in:\n${out}`).not.toBeNull()
  return match!.slice(1)
}

describe("examples/your-own-model.ts", () => {
  it("registers, deploys, runs, restarts and resumes, and archives the results of a run that never stopped", async () => {
    const cwd = await tempDir()
    const { stdout } = await promisify(execFile)(process.execPath, [example], { cwd, encoding: "utf8" })

    const [version] = line(stdout, /^registered trend-follower (v1-[0-9a-f]{12}): params \{"window":50,"weight":0.08\}$/m)
    const [id] = line(stdout, /^deployed (paper-trend-follower-1)$/m)
    const [midwayUpdates, midwayValue] = line(stdout, /^(\d+) updates in: running, portfolio value ([\d.]+), \d+ positions$/m)
    const [resumedUpdates, resumedValue] = line(stdout, new RegExp(`^restarted: ${id} is running after (\\d+) updates, portfolio value ([\\d.]+)$`, "m"))
    expect([resumedUpdates, resumedValue]).toEqual([midwayUpdates, midwayValue])
    const [archive] = line(stdout, /^results: (\.paperfloor\/artifacts\/[0-9a-f]{64})$/m)

    const results = JSON.parse(await readFile(join(cwd, archive!), "utf8")) as PaperTradingResults
    expect(results).toMatchObject({ deploymentId: id, modelId: "trend-follower", modelVersion: version, state: "stopped" })
    expect(results.model).toEqual({ kind: `trend-follower@${version}`, params: { window: 50, weight: 0.08 } })

    // The same model, config and bars in one uninterrupted run, without the runtime.
    const updates = barTimeline({ ORCL: await loadOhlcvCsv(dataFile("orcl-1995-2014.txt")), NVDA: await loadOhlcvCsv(dataFile("nvda-1999-2014.txt")) })
    const instance = SimulationInstance.create(results.config, await buildModel(modelKind, results.model.params))
    instance.apply({ type: "start" })
    for (const update of updates) expect(instance.apply({ type: "marketUpdate", update }).ok).toBe(true)
    instance.apply({ type: "stop" })
    const engine = instance.engine
    expect(results.updates).toBe(updates.length)
    expect(Number(midwayUpdates)).toBeGreaterThan(0)
    expect(Number(midwayUpdates)).toBeLessThan(updates.length)
    expect(results.fills).toBeGreaterThan(0)
    expect(results.metrics).toEqual(JSON.parse(JSON.stringify(engine.getPerformanceMetrics())))
    expect(results.trades).toEqual(JSON.parse(JSON.stringify(engine.getTrades())))
    expect(results.equityCurve).toEqual(JSON.parse(JSON.stringify(engine.getEquityCurve())))
    line(stdout, new RegExp(`^stopped after ${updates.length} updates: ${results.fills} fills, ${results.metrics.totalTrades} closed trades, final equity ${results.metrics.finalEquity.replace(".", "\\.")}$`, "m"))
  })

  it("is what the README's \"Write your own model\" shows: each code block is the example's code, importing what the package exports", async () => {
    const text = await readFile(readme, "utf8")
    const start = text.indexOf("\n## Write your own model\n")
    expect(start, "README.md has a section \"## Write your own model\"").toBeGreaterThanOrEqual(0)
    const end = text.indexOf("\n## ", start + 1)
    const section = text.slice(start, end < 0 ? undefined : end)
    const blocks = [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!)
    expect(blocks.length).toBeGreaterThan(5)

    // The package's entries as the README imports them, here in the repository.
    const entries: Record<string, Record<string, unknown>> = {
      paperfloor: await import("../../src/index.ts"),
      "paperfloor/data": await import("../../src/data/index.ts")
    }
    const sources = [await readFile(example, "utf8"), await readFile(modelModule, "utf8")]
    for (const block of blocks) {
      const code: string[] = []
      for (const l of block.split("\n")) {
        const imported = /^import (type )?\{ (.*) \} from "(.*)"$/.exec(l)
        if (imported === null) {
          code.push(l)
          continue
        }
        const [, typeOnly, names, from] = imported
        expect(from, l).toMatch(/^(paperfloor(\/data)?|zod|node:[a-z/]+|\.\/models\/trend-follower\.ts)$/)
        const entry = entries[from!]
        if (entry === undefined || typeOnly !== undefined) continue
        for (const name of names!.split(", ").filter((n) => !n.startsWith("type "))) expect(entry, `${name} from ${from}`).toHaveProperty(name)
      }
      const rest = code.join("\n").trim()
      if (rest !== "") expect(sources.some((source) => source.includes(rest)), `a README block that is not in the example:\n${rest}`).toBe(true)
    }
  })
})
