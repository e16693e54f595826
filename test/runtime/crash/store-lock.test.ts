// Fault 3 at the runtime level: while one process runs a supervisor on a store directory, a
// second process building the same runtime on it gets StoreLockedError naming the directory, and
// the owner's simulation is untouched. (The raw store's lock is tested in test/runtime/store.)
import { spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { Context, Effect, Exit, Layer, Scope } from "effect"
import { describe, expect, it } from "vitest"
import { LevelDbStore } from "../../../src/runtime/leveldb-store.ts"
import { ModelCatalog } from "../../../src/runtime/model-catalog.ts"
import { SimulationSupervisor } from "../../../src/runtime/simulation-supervisor.ts"
import { buildWorkload, config, modelFactories, modelSpec, SIMULATION_ID } from "./crash-workload.ts"

const childScript = fileURLToPath(new URL("./open-supervisor-child.ts", import.meta.url))
const node = fileURLToPath(new URL("../../../node_modules/.bin/node", import.meta.url))

const runtimeLayer = (directory: string) =>
  SimulationSupervisor.layer().pipe(Layer.provide(Layer.merge(LevelDbStore.layer({ directory }), ModelCatalog.layer(modelFactories))))

/** Runs the child to its end; its report is the JSON line it prints (the runtime may log other lines). */
const openInChild = (directory: string) =>
  new Promise<Record<string, unknown>>((resolve, reject) => {
    const child = spawn(node, [childScript, directory], { stdio: ["ignore", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
    child.on("error", reject)
    child.on("close", (code) => {
      const line = stdout.split("\n").findLast((l) => l.startsWith("{"))
      if (code !== 0 || line === undefined) reject(new Error(`child exited ${code}; stdout:\n${stdout}\nstderr:\n${stderr}`))
      else resolve(JSON.parse(line) as Record<string, unknown>)
    })
  })

describe("one process per store directory (supervisor level)", () => {
  it("a second process building the runtime on an owned directory gets StoreLockedError naming it; the owner is unaffected", async () => {
    const root = mkdtempSync(path.join(tmpdir(), "paperfloor-lock-"))
    const directory = path.join(root, "store")
    const inputs = buildWorkload(40, 3).inputs
    const scope = await Effect.runPromise(Scope.make())
    try {
      const context = await Effect.runPromise(Layer.buildWithScope(runtimeLayer(directory), scope))
      const supervisor = Context.get(context, SimulationSupervisor)
      const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromise(effect)
      await run(supervisor.create({ id: SIMULATION_ID, config, model: modelSpec }))
      await run(supervisor.submit(SIMULATION_ID, inputs.slice(0, 20)))

      expect(await openInChild(directory)).toEqual({
        _tag: "StoreLockedError",
        message: `The store at ${directory} is open in another process (LevelDB lock held); only one process may own a store directory`,
        directory
      })

      // The refused opener changed nothing: the owner goes on, and its journal continues where it was.
      const results = await run(supervisor.submit(SIMULATION_ID, inputs.slice(20)))
      expect(results.every((r) => r.ok)).toBe(true)
    } finally {
      await Effect.runPromise(Scope.close(scope, Exit.void))
    }

    // Released: now the second process opens it and recovers every input.
    expect(await openInChild(directory)).toEqual({ opened: true, recovered: [{ id: SIMULATION_ID, seq: inputs.length }] })
    rmSync(root, { recursive: true, force: true })
  }, 60_000)
})
