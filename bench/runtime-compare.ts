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

const runIn = (tree: string, part: string): number => {
  const out = execFileSync(process.execPath, ["--expose-gc", path.join(tree, "bench/runtime-bench.ts"), part], { cwd: tree, encoding: "utf8" })
  const report = JSON.parse(out.trim().split("\n").at(-1)!) as Record<string, number>
  return report[figures[part]!.key]!
}

const earlier = treeAtCommit(commit, ["src", "machines", "bench"])
try {
  for (const part of parts) {
    const figure = figures[part]
    if (figure === undefined) throw new Error(`usage: runtime-compare.ts [commit] [runs] [${Object.keys(figures).join("|")} ...]`)
    const before: number[] = []
    const after: number[] = []
    const ratios: number[] = []
    for (let i = 0; i < runs; i++) {
      const order = i % 2 === 0 ? ([earlier, repositoryRoot] as const) : ([repositoryRoot, earlier] as const)
      const got = new Map(order.map((tree) => [tree, runIn(tree, part)] as const))
      before.push(got.get(earlier)!)
      after.push(got.get(repositoryRoot)!)
      ratios.push(figure.higherIsBetter ? after.at(-1)! / before.at(-1)! : before.at(-1)! / after.at(-1)!)
    }
    const load = os.loadavg()[0]!.toFixed(1)
    console.log(`${part} (${figure.key}): ${commit} median ${median(before).toFixed(2)} (${before.map((x) => x.toFixed(2)).join(", ")})`)
    console.log(`${part} (${figure.key}): this tree median ${median(after).toFixed(2)} (${after.map((x) => x.toFixed(2)).join(", ")})`)
    console.log(`${part}: this tree is ${median(ratios).toFixed(2)}x as fast (median of the per-pair ratios; load average ${load})`)
  }
} finally {
  rmSync(earlier, { recursive: true, force: true })
}
