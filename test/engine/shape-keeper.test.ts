import { execFileSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const program = fileURLToPath(new URL("./programs/engines-in-sequence.ts", import.meta.url))

/** The functions of ours whose compiled code V8 dropped because an object it held had been collected, after each simulation. */
const droppedAfterEachCollection = (): string[][] => {
  const trace = execFileSync(process.execPath, ["--expose-gc", "--trace-deopt", program], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 })
  const runs: string[][] = [[]]
  for (const line of trace.split("\n")) {
    // V8 writes its trace through C's buffered stdout, in blocks that may end mid-line; the program's line may follow one.
    if (line.includes("collected simulation")) runs.push([])
    const dropped = /<SharedFunctionInfo ([^>]*)>.*reason: weak objects/.exec(line)
    if (dropped !== null) runs.at(-1)!.push(dropped[1]!)
  }
  return runs
}

// Node's own functions (its module loader's) that V8 drops for its own objects.
const nodeInternals = new Set(["", "getOptions", "packageExportsResolve", "realpathSync"])

describe("simulations run one after another", () => {
  it("keep the compiled update and order paths when an earlier simulation is collected", () => {
    const runs = droppedAfterEachCollection()
    expect(runs).toHaveLength(7)
    // Without the shape keeper the update path (processMarketUpdate, the marks, the matching, the checks) was dropped after
    // every collection, 275 times in all, and with it, until its collector of issues became a literal, the full check of an
    // update with a quote (4–9 times a collection). What may remain is a small batch every third collection or so: V8 keeps
    // a class no object has for two more full collections, and an ended order's machine context, made from its last, can lose its
    // class once none is left (`step`, `send`, `#transition` recompiled once, not slowed).
    const ours = runs.slice(1).map((dropped) => dropped.filter((name) => !nodeInternals.has(name)))
    const seen = JSON.stringify(ours.map((dropped) => `${dropped.length}: ${dropped.slice(0, 6).join(" ")}`))
    expect(ours.flat().length, seen).toBeLessThanOrEqual(15)
    expect(ours.filter((dropped) => dropped.length > 0).length, seen).toBeLessThanOrEqual(2)
    expect(ours.flat(), seen).not.toContain("processMarketUpdate")
  }, 120_000)
})
