/**
 * What the runtime's durability costs (issue 9):
 * - the acknowledgement ledger: a LevelDB synced batch alone against the same batch plus the
 *   ledger's synced append, interleaved in one process, median per commit;
 * - creating deployments concurrently: 1,000 and 10,000, time per deployment (it should not grow).
 * Prints its own lines; `npm run bench` runs it.
 */
import { mkdtempSync, rmSync } from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Level } from "level"
import { createLedger } from "../src/runtime/acknowledgement-ledger.ts"
import { LocalArtifactStore } from "../src/deploy/artifact-store.ts"
import { DeploymentManager } from "../src/deploy/deployment-manager.ts"
import { ModelRegistry } from "../src/deploy/model-registry.ts"

const median = (xs: ReadonlyArray<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

const ledgerCost = async (root: string) => {
  const directory = path.join(root, "store")
  const db = new Level<string, string>(directory)
  await db.open()
  const ledger = await createLedger(directory)
  const value = "x".repeat(200)
  let seq = 0
  const commit = async (withLedger: boolean) => {
    seq++
    await db.batch([{ type: "put", key: `journal:sim:${String(seq).padStart(12, "0")}`, value }], { sync: true })
    if (withLedger) await ledger.append([["sim", seq]])
  }
  const round = async (withLedger: boolean, n: number) => {
    const start = performance.now()
    for (let i = 0; i < n; i++) await commit(withLedger)
    return ((performance.now() - start) * 1000) / n
  }
  await round(true, 100)
  await round(false, 100)
  const alone: number[] = []
  const both: number[] = []
  for (let r = 0; r < 7; r++) {
    alone.push(await round(false, 200))
    both.push(await round(true, 200))
  }
  await ledger.close()
  await db.close()
  return { alone: median(alone), both: median(both) }
}

const creation = async (root: string, count: number) => {
  const storageRoot = path.join(root, `deployments-${count}`)
  const store = new LocalArtifactStore({ storageRoot })
  const registry = new ModelRegistry({ artifactStore: store })
  await registry.registerModel({ modelId: "bench", version: "v1", kind: "buy-and-hold", params: {} })
  const manager = new DeploymentManager({ modelRegistry: registry, artifactStore: store })
  const start = performance.now()
  await Promise.all(Array.from({ length: count }, () => manager.createDeployment({ modelId: "bench", modelVersion: "v1" })))
  return (performance.now() - start) / 1000
}

const root = mkdtempSync(path.join(os.tmpdir(), "paperfloor-durability-bench-"))
try {
  const { alone, both } = await ledgerCost(root)
  const small = await creation(root, 1_000)
  const large = await creation(root, 10_000)
  console.log(`durability (files in ${os.tmpdir()}):`)
  console.log(
    `  acknowledgement ledger: a synced LevelDB commit ${alone.toFixed(0)} µs alone, ${both.toFixed(0)} µs with the ledger's synced append ` +
      `(${(both / alone).toFixed(2)}×; medians of 7 interleaved rounds of 200 commits; a group commit pays it once for all its simulations)`
  )
  console.log(
    `  creating deployments concurrently: 1,000 in ${small.toFixed(1)} s (${((small * 1000) / 1_000).toFixed(2)} ms each), ` +
      `10,000 in ${large.toFixed(1)} s (${((large * 1000) / 10_000).toFixed(2)} ms each)`
  )
} finally {
  rmSync(root, { recursive: true, force: true })
}
