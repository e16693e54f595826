import { spawn } from "node:child_process"
import type { ChildProcess } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { assert, describe, it } from "@effect/vitest"
import { afterAll } from "vitest"
import { Context, Effect, Exit, Layer, Scope } from "effect"
import { LevelDbStore } from "../../../src/runtime/leveldb-store.ts"
import { SimulationStore } from "../../../src/runtime/simulation-store.ts"
import type { StoreWrite } from "../../../src/runtime/simulation-store.ts"
import { StoreLockedError, StoreOpenError, StoreReadError, StoreWriteError } from "../../../src/runtime/store-errors.ts"
import { storeContract } from "./store-contract.ts"

const root = mkdtempSync(path.join(os.tmpdir(), "paperfloor-store-test-"))
afterAll(() => rmSync(root, { recursive: true, force: true }))

let counter = 0
/** A directory path under the test's temp root that does not exist yet. */
const freshDirectory = (): string => path.join(root, `store-${++counter}`)

const put = (key: string, value: string): StoreWrite => ({ type: "put", key, value })

storeContract("LevelDbStore", () =>
  Layer.unwrap(
    Effect.acquireRelease(
      Effect.sync(freshDirectory),
      // Registered before the store opens, so it runs after the store has closed.
      (directory) => Effect.sync(() => rmSync(directory, { recursive: true, force: true }))
    ).pipe(Effect.map((directory) => LevelDbStore.layer({ directory })))
  ))

/** A scope the test closes itself; also closed when the test ends, so a failing test leaks no handle. */
const heldScope = Effect.gen(function*() {
  const scope = yield* Scope.make()
  yield* Effect.addFinalizer(() => Scope.close(scope, Exit.void))
  return scope
})

describe("LevelDbStore lifecycle", () => {
  it.effect("creates a missing directory (with parents); location is the absolute directory", () =>
    Effect.gen(function*() {
      const directory = path.join(freshDirectory(), "nested", "deeper")
      const location = yield* SimulationStore.use((store) => Effect.succeed(store.location)).pipe(
        Effect.provide(LevelDbStore.layer({ directory }))
      )
      assert.strictEqual(location, directory)
    }))

  it.effect("data survives closing the layer's scope and reopening", () =>
    Effect.gen(function*() {
      const directory = freshDirectory()
      const layer = LevelDbStore.layer({ directory })
      yield* SimulationStore.use((store) =>
        Effect.gen(function*() {
          yield* store.write([put("journal/000001", "a"), put("journal/000002", "b")])
          yield* store.write([{ type: "del", key: "journal/000001" }, put("snapshot/000002", "{\"v\":1}")])
        })
      ).pipe(Effect.provide(layer))

      const reopened = yield* SimulationStore.use((store) =>
        Effect.all([store.range({ gte: "", lt: "\uffff" }), store.get("journal/000001")])
      ).pipe(Effect.provide(layer))
      assert.deepStrictEqual(reopened, [[["journal/000002", "b"], ["snapshot/000002", "{\"v\":1}"]], undefined])
    }))

  it.effect("the handle is closed when the scope closes: a captured service fails, a reopen succeeds", () =>
    Effect.gen(function*() {
      const directory = freshDirectory()
      const layer = LevelDbStore.layer({ directory })
      const scope = yield* heldScope
      const context = yield* Layer.buildWithScope(layer, scope)
      const store = Context.get(context, SimulationStore)
      yield* store.write([put("k", "v")])
      yield* Scope.close(scope, Exit.void)

      const writeError = yield* Effect.flip(store.write([put("k", "after close")]))
      assert.instanceOf(writeError, StoreWriteError)
      assert.strictEqual(writeError.location, directory)
      const readError = yield* Effect.flip(store.get("k"))
      assert.instanceOf(readError, StoreReadError)
      assert.strictEqual(readError.key, "k")

      // The lock went with the handle: the same process opens the directory again.
      const value = yield* SimulationStore.use((s) => s.get("k")).pipe(Effect.provide(layer))
      assert.strictEqual(value, "v")
    }))

  it.effect("a second opener in the same process fails with StoreLockedError naming the directory", () =>
    Effect.gen(function*() {
      const directory = freshDirectory()
      const layer = LevelDbStore.layer({ directory })
      const held = yield* heldScope
      yield* Layer.buildWithScope(layer, held)

      const error = yield* Effect.flip(Effect.scoped(Layer.build(layer)))
      assert.instanceOf(error, StoreLockedError)
      assert.strictEqual(error._tag, "StoreLockedError")
      assert.strictEqual(error.directory, directory)
      assert.strictEqual(
        error.message,
        `The store at ${directory} is open in another process (LevelDB lock held); only one process may own a store directory`
      )

      yield* Scope.close(held, Exit.void)
      yield* Effect.scoped(Layer.build(layer))
    }))

  it.effect("a directory path that cannot be created fails with StoreOpenError naming it", () =>
    Effect.gen(function*() {
      const file = path.join(freshDirectory() + ".file")
      writeFileSync(file, "not a directory")
      const directory = path.join(file, "store")
      const error = yield* Effect.flip(Effect.scoped(Layer.build(LevelDbStore.layer({ directory }))))
      assert.instanceOf(error, StoreOpenError)
      assert.strictEqual(error.directory, directory)
      assert.include(error.message, `Could not open the store at ${directory}`)
    }))
})

// ---- across processes -------------------------------------------------------------------------

const childScript = fileURLToPath(new URL("./open-store-child.ts", import.meta.url))
const node = fileURLToPath(new URL("../../../node_modules/.bin/node", import.meta.url))

interface ChildReport {
  readonly opened?: boolean
  readonly ready?: boolean
  readonly _tag?: string
  readonly message?: string
  readonly directory?: string
}

/** Starts the child script; `firstLine` resolves with its first JSON line on stdout. */
const startChild = (mode: "try" | "hold", directory: string) => {
  const child = spawn(node, [childScript, mode, directory], { stdio: ["ignore", "pipe", "pipe"] })
  let stdout = ""
  let stderr = ""
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)))
  const firstLine = new Promise<ChildReport>((resolve, reject) => {
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk
      const newline = stdout.indexOf("\n")
      if (newline >= 0) resolve(JSON.parse(stdout.slice(0, newline)) as ChildReport)
    })
    child.on("error", reject)
    void exited.then((code) => reject(new Error(`child exited (${code}) before reporting; stderr:\n${stderr}`)))
  })
  return { child, firstLine, exited }
}

const killChild = (child: ChildProcess, exited: Promise<unknown>) =>
  Effect.promise(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
    return exited
  })

describe("LevelDbStore lock across processes", () => {
  it.effect("a child process cannot open a directory this process holds; it can once released", () =>
    Effect.gen(function*() {
      const directory = freshDirectory()
      const layer = LevelDbStore.layer({ directory })
      const held = yield* heldScope
      yield* Layer.buildWithScope(layer, held)

      const refused = startChild("try", directory)
      const report = yield* Effect.promise(() => refused.firstLine)
      assert.strictEqual(yield* Effect.promise(() => refused.exited), 0)
      assert.deepStrictEqual(report, {
        _tag: "StoreLockedError",
        message:
          `The store at ${directory} is open in another process (LevelDB lock held); only one process may own a store directory`,
        directory
      })

      yield* Scope.close(held, Exit.void)
      const allowed = startChild("try", directory)
      assert.deepStrictEqual(yield* Effect.promise(() => allowed.firstLine), { opened: true })
      assert.strictEqual(yield* Effect.promise(() => allowed.exited), 0)
    }))

  it.effect("this process cannot open a directory a child holds; after the child is killed it can, with its synced write", () =>
    Effect.gen(function*() {
      const directory = freshDirectory()
      const holder = startChild("hold", directory)
      yield* Effect.addFinalizer(() => killChild(holder.child, holder.exited))
      assert.deepStrictEqual(yield* Effect.promise(() => holder.firstLine), { ready: true })

      const layer = LevelDbStore.layer({ directory })
      const error = yield* Effect.flip(Effect.scoped(Layer.build(layer)))
      assert.instanceOf(error, StoreLockedError)
      assert.strictEqual(error.directory, directory)
      assert.include(error.message, `The store at ${directory} is open in another process`)

      // A crashed owner releases the lock; what it wrote with sync is there.
      yield* killChild(holder.child, holder.exited)
      const pid = yield* SimulationStore.use((store) => store.get("child/pid")).pipe(Effect.provide(layer))
      assert.strictEqual(pid, String(holder.child.pid))
    }))
})
