/**
 * The PostgreSQL store when PostgreSQL is not there, goes away, or is handed what it cannot hold:
 * nothing is acknowledged that is not stored, and everything acknowledged is there when it is back.
 */
import { mkdtempSync, rmSync } from "node:fs"
import net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { afterAll } from "vitest"
import { Effect, Layer, Redacted } from "effect"
import { PgClient } from "@effect/sql-pg"
import { freePort, type LocalPostgres, startLocalPostgres } from "../../../scripts/local-postgres.ts"
import { PostgresStore } from "../../../src/runtime/postgres-store.ts"
import { SimulationStore } from "../../../src/runtime/simulation-store.ts"
import type { StoreWrite } from "../../../src/runtime/simulation-store.ts"
import { StoreOpenError, StoreReadError, StoreWriteError } from "../../../src/runtime/store-errors.ts"
import { SimulationSupervisor } from "../../../src/runtime/simulation-supervisor.ts"
import type { SimulationInput } from "../../../src/runtime/simulation-input.ts"
import { catalogLayer, config, makeLogCapture, referenceRun, start, trend, update } from "../fixtures.ts"
import { freshTablePrefix, openStore, postgresUrl } from "./postgres-fixtures.ts"

const put = (key: string, value: string): StoreWrite => ({ type: "put", key, value })

describe("PostgresStore: PostgreSQL out of reach at build", () => {
  it.effect("a port nothing listens on: StoreOpenError naming host:port and ECONNREFUSED", () =>
    Effect.gen(function*() {
      const port = yield* Effect.promise(freePort)
      const url = `postgres://paperfloor:secret@127.0.0.1:${port}/paperfloor`
      const error = yield* Effect.flip(Effect.scoped(Layer.build(PostgresStore.layer({ url }))))
      assert.instanceOf(error, StoreOpenError)
      assert.include(error.message, `cannot reach PostgreSQL at 127.0.0.1:${port} (ConnectionError: ECONNREFUSED`)
      assert.notInclude(error.message, "secret")
    }))

  it.effect("a role the server does not know: StoreOpenError saying why it was refused", () =>
    Effect.gen(function*() {
      const url = postgresUrl().replace("paperfloor@", "nobody@")
      const error = yield* Effect.flip(Effect.scoped(Layer.build(PostgresStore.layer({ url }))))
      assert.instanceOf(error, StoreOpenError)
      assert.include(error.message, `cannot reach PostgreSQL at 127.0.0.1:${new URL(url).port} (AuthenticationError: 28000 role "nobody" does not exist)`)
    }))
  it.live("a server that takes the connection and never answers: StoreOpenError saying it timed out, not a hang", () =>
    Effect.gen(function*() {
      const silent = net.createServer(() => {})
      yield* Effect.addFinalizer(() => Effect.sync(() => silent.close()))
      const port = yield* Effect.promise(() => new Promise<number>((resolve) => silent.listen(0, "127.0.0.1", () => resolve((silent.address() as net.AddressInfo).port))))
      const url = `postgres://paperfloor@127.0.0.1:${port}/paperfloor`
      const error = yield* Effect.flip(Effect.scoped(Layer.build(PostgresStore.layer({ url }))))
      assert.instanceOf(error, StoreOpenError)
      assert.include(error.message, `cannot reach PostgreSQL at 127.0.0.1:${port} (ConnectionError: Connection timed out)`)
    }))
})

// ---- a server of our own, stopped and started again ----------------------------------------------

// The cluster's own directory: local-postgres hands it to the `postgres` user when run as root.
const root = mkdtempSync(path.join(os.tmpdir(), "paperfloor-pg-faults-"))
let own: LocalPostgres | undefined
afterAll(() => {
  own?.stop()
  rmSync(root, { recursive: true, force: true })
})

/** The test's own server (its data kept across stops), started on first use. */
const ownServer = Effect.promise(async () => {
  own ??= await startLocalPostgres({ directory: root, port: await freePort() })
  return own
})
const stopServer = Effect.sync(() => own!.stop())
const startServer = Effect.promise(async () => {
  own = await startLocalPostgres({ directory: own!.directory, port: own!.port })
})

const quiet = makeLogCapture().layer

describe("PostgresStore: PostgreSQL stopped mid-run", () => {
  it.effect("writes fail and acknowledge nothing while it is down; once back, they work and everything acknowledged is there", () =>
    Effect.gen(function*() {
      const server = yield* ownServer
      const { store } = yield* openStore(PostgresStore.layer({ url: server.url, tablePrefix: freshTablePrefix() }))
      yield* store.write([put("journal:s:1", "a")], [["s", 1]])

      yield* stopServer
      const error = yield* Effect.flip(store.write([put("journal:s:2", "b")], [["s", 2]]))
      assert.instanceOf(error, StoreWriteError)
      assert.include(error.message, "nothing of the batch was written")
      assert.include(error.message, `127.0.0.1:${server.port}`)
      assert.strictEqual(store.acknowledged.get("s"), 1)
      assert.instanceOf(yield* Effect.flip(store.get("journal:s:1")), StoreReadError)
      assert.instanceOf(yield* Effect.flip(store.acknowledgedOf("s")), StoreReadError)

      yield* startServer
      assert.deepStrictEqual(yield* store.range({ gte: "", lt: "\uffff" }), [["journal:s:1", "a"]])
      assert.strictEqual(yield* store.acknowledgedOf("s"), 1)
      yield* store.write([put("journal:s:2", "c")], [["s", 2]])
      assert.strictEqual(store.acknowledged.get("s"), 2)
      assert.deepStrictEqual(yield* store.range({ gte: "", lt: "\uffff" }), [["journal:s:1", "a"], ["journal:s:2", "c"]])
    }))

  it.live("a supervisor whose store goes away acknowledges nothing, and resumes exactly once it is back", () =>
    Effect.gen(function*() {
      const server = yield* ownServer
      const prefix = freshTablePrefix()
      const supervisorLayer = SimulationSupervisor.layer({ snapshotEvery: 5 }).pipe(
        Layer.provide(Layer.merge(PostgresStore.layer({ url: server.url, tablePrefix: prefix }), catalogLayer)),
        Layer.provide(quiet)
      )
      const acknowledged: SimulationInput[] = [start]
      yield* Effect.gen(function*() {
        const supervisor = yield* SimulationSupervisor
        yield* supervisor.create({ id: "sim", config, model: { kind: "trend" } })
        yield* supervisor.send("sim", start)
        for (let i = 0; i < 12; i++) {
          yield* supervisor.submit("sim", [update(i, 100 + (i % 5))])
          acknowledged.push(update(i, 100 + (i % 5)))
        }

        yield* stopServer
        for (let i = 12; i < 15; i++) {
          const refused = yield* Effect.flip(supervisor.submit("sim", [update(i, 90)]))
          assert.strictEqual(refused._tag, "StoreWriteError")
        }

        yield* startServer
        for (let i = 15; i < 25; i++) {
          yield* supervisor.submit("sim", [update(i, 100 + (i % 7))])
          acknowledged.push(update(i, 100 + (i % 7)))
        }
        // The refused inputs left no trace: the live simulation is the run of the acknowledged ones.
        const live = yield* supervisor.inspect("sim", (instance) => JSON.stringify(instance.snapshot()))
        assert.strictEqual(live, JSON.stringify(referenceRun(trend(undefined), acknowledged).instance.snapshot()))
      }).pipe(Effect.scoped, Effect.provide(supervisorLayer))

      // And so is the simulation recovered from the store.
      const recovered = yield* SimulationSupervisor.use((supervisor) => supervisor.inspect("sim", (instance) => JSON.stringify(instance.snapshot()))).pipe(
        Effect.provide(supervisorLayer)
      )
      assert.strictEqual(recovered, JSON.stringify(referenceRun(trend(undefined), acknowledged).instance.snapshot()))
    }))
})

describe("PostgresStore: values PostgreSQL text cannot hold", () => {
  const storeLayer = () => PostgresStore.layer({ url: postgresUrl(), tablePrefix: freshTablePrefix() })

  it.effect("a NUL in a value or a key, or a lone surrogate, is refused with the key named; nothing of the batch is written", () =>
    Effect.gen(function*() {
      const store = yield* SimulationStore
      yield* store.write([put("kept", "1")], [["s", 1]])
      const cases: ReadonlyArray<readonly [StoreWrite, string]> = [
        [put("bad-value", "a\u0000b"), `the value of "bad-value" cannot be stored in PostgreSQL: it contains a NUL character (U+0000)`],
        [put("bad\u0000key", "v"), `the key of "bad\\u0000key" cannot be stored in PostgreSQL: it contains a NUL character (U+0000)`],
        [{ type: "del", key: "x\u0000" }, `the key of "x\\u0000" cannot be stored in PostgreSQL: it contains a NUL character`],
        [put("surrogate", "\uD800 alone"), `the value of "surrogate" cannot be stored in PostgreSQL: it contains a lone UTF-16 surrogate`]
      ]
      for (const [op, message] of cases) {
        const error = yield* Effect.flip(store.write([put("first", "f"), { type: "del", key: "kept" }, op], [["s", 9]]))
        assert.instanceOf(error, StoreWriteError)
        assert.include(error.message, message)
      }
      const badMark = yield* Effect.flip(store.write([put("first", "f")], [["s", 1.5]]))
      assert.include(badMark.message, `the mark of "s" cannot be stored in PostgreSQL: its sequence number 1.5 is not a non-negative safe integer`)
      assert.deepStrictEqual(yield* store.range({ gte: "", lt: "\uffff" }), [["kept", "1"]])
      assert.strictEqual(yield* store.acknowledgedOf("s"), 1)
      assert.strictEqual(store.acknowledged.get("s"), 1)
    }).pipe(Effect.provide(storeLayer())))

  it.effect("keys with a NUL are never found, and range bounds with one select the same stored keys", () =>
    Effect.gen(function*() {
      const store = yield* SimulationStore
      yield* store.write(["x", "x\u0001", "xa", "y"].map((k) => put(k, k)))
      assert.strictEqual(yield* store.get("x\u0000"), undefined)
      assert.deepStrictEqual((yield* store.range({ gte: "x\u0000tail", lt: "y" })).map(([k]) => k), ["x\u0001", "xa"])
      assert.deepStrictEqual((yield* store.range({ gte: "", lt: "x\u0000" })).map(([k]) => k), ["x"])
    }).pipe(Effect.provide(storeLayer())))

  it.effect("a 10 MB value (multi-byte characters included) is stored and read back exactly", () =>
    Effect.gen(function*() {
      const store = yield* SimulationStore
      const huge = "é😀✓".repeat(1_000_000) + "x".repeat(2_000_000)
      yield* store.write([put("huge", huge), put("small", "s")], [["s", 1]])
      assert.isTrue((yield* store.get("huge")) === huge)
      const [[key, value]] = (yield* store.range({ gte: "huge", lt: "hugf" })) as ReadonlyArray<readonly [string, string]> as [[string, string]]
      assert.strictEqual(key, "huge")
      assert.isTrue(value === huge)
    }).pipe(Effect.provide(storeLayer())))

  it.effect("a row larger than the client can read back is refused before anything is written", () =>
    Effect.gen(function*() {
      const small = PgClient.layer({ url: Redacted.make(postgresUrl()), maxMessageSize: 1024 * 1024 })
      yield* Effect.gen(function*() {
        const store = yield* SimulationStore
        yield* store.write([put("fits", "y".repeat(500_000))])
        const error = yield* Effect.flip(store.write([put("other", "o"), put("too-big", "é".repeat(600_000))]))
        assert.include(error.message, `the value of "too-big" cannot be stored in PostgreSQL: key and value take 1200007 bytes in UTF-8, more than the 1047552 a row may take`)
        assert.deepStrictEqual((yield* store.range({ gte: "", lt: "\uffff" })).map(([k, v]) => [k, v.length]), [["fits", 500_000]])
      }).pipe(Effect.provide(PostgresStore.layerWithClient({ tablePrefix: freshTablePrefix() }).pipe(Layer.provide(small))))
    }))
})
