/**
 * The runtime's benchmarks (bench/runtime-bench.ts: durable throughput and recovery) for the tree
 * at an earlier commit against this tree, alternating fresh processes (which goes first alternates
 * too), so both see the same machine load. Prints each side's runs and median, and the median of
 * the per-pair ratios.
 *
 *   node bench/runtime-compare.ts [commit] [runs] [durable|recover ...]
 */
import { execFileSync } from "node:child_process"
import { rmSync } from "node:fs"
import os from "node:os"
import path from "node:path"
import { repositoryRoot, treeAtCommit } from "./tree-at-commit.ts"

const commit = process.argv[2] ?? "HEAD"
const runs = Number(process.argv[3] ?? 5)
const parts = process.argv.length > 4 ? process.argv.slice(4) : ["durable", "recover"]
/** The figure each part reports, and whether more is better. */
const figures: Record<string, { readonly key: string; readonly higherIsBetter: boolean }> = {
  durable: { key: "updatesPerSecond", higherIsBetter: true },
  recover: { key: "seconds", higherIsBetter: false }
}

const median = (xs: ReadonlyArray<number>): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

/** A run's figure, and its CPU seconds when that tree's benchmark reports them (trees before this field do not). */
const runIn = (tree: string, part: string): { readonly figure: number; readonly cpuSeconds: number | undefined } => {
  const out = execFileSync(process.execPath, ["--expose-gc", path.join(tree, "bench/runtime-bench.ts"), part], { cwd: tree, encoding: "utf8" })
  const report = JSON.parse(out.trim().split("\n").at(-1)!) as Record<string, number>
  return { figure: report[figures[part]!.key]!, cpuSeconds: report["cpuSeconds"] }
}

const earlier = treeAtCommit(commit, ["src", "machines", "bench"])
try {
  for (const part of parts) {
    const figure = figures[part]
    if (figure === undefined) throw new Error(`usage: runtime-compare.ts [commit] [runs] [${Object.keys(figures).join("|")} ...]`)
    const before: number[] = []
    const after: number[] = []
    const ratios: number[] = []
    const cpuRatios: number[] = []
    for (let i = 0; i < runs; i++) {
      const order = i % 2 === 0 ? ([earlier, repositoryRoot] as const) : ([repositoryRoot, earlier] as const)
      const got = new Map(order.map((tree) => [tree, runIn(tree, part)] as const))
      const [was, is] = [got.get(earlier)!, got.get(repositoryRoot)!]
      before.push(was.figure)
      after.push(is.figure)
      ratios.push(figure.higherIsBetter ? is.figure / was.figure : was.figure / is.figure)
      // The same work in less CPU: durable runs a fixed count of updates, recovery a fixed store.
      if (was.cpuSeconds !== undefined && is.cpuSeconds !== undefined) cpuRatios.push(was.cpuSeconds / is.cpuSeconds)
    }
    const load = os.loadavg()[0]!.toFixed(1)
    console.log(`${part} (${figure.key}): ${commit} median ${median(before).toFixed(2)} (${before.map((x) => x.toFixed(2)).join(", ")})`)
    console.log(`${part} (${figure.key}): this tree median ${median(after).toFixed(2)} (${after.map((x) => x.toFixed(2)).join(", ")})`)
    console.log(`${part}: this tree is ${median(ratios).toFixed(2)}x as fast (median of the per-pair ratios; load average ${load})`)
    if (cpuRatios.length > 0) console.log(`${part}: this tree takes ${(1 / median(cpuRatios)).toFixed(2)}x the CPU time (median of the per-pair ratios)`)
  }
} finally {
  rmSync(earlier, { recursive: true, force: true })
}
