import { execFileSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const program = fileURLToPath(new URL("./programs/engines-in-sequence.ts", import.meta.url))

/** The functions of ours whose compiled code V8 dropped because an object it held had been collected, after each simulation. */
const droppedAfterEachCollection = (): string[][] => {
  const trace = execFileSync(process.execPath, ["--expose-gc", "--trace-deopt", program], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 })
  const runs: string[][] = [[]]
  for (const line of trace.split("\n")) {
    if (line.startsWith("collected simulation")) runs.push([])
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
    // Without the shape keeper the update path (processMarketUpdate, the marks, the matching, the checks) was dropped after every collection,
    // and with it, the full check of an update with a quote (its collector of issues was a class) until it became a literal.
    const ours = runs.slice(1).map((dropped) => dropped.filter((name) => !nodeInternals.has(name)))
    expect(ours).toEqual([[], [], [], [], [], []])
  }, 120_000)
})
