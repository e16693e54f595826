/**
 * The PostgreSQL SimulationStore (issue 15) against the run's throwaway server: the store contract,
 * several stores (processes) over one database, and a supervisor that recovers exactly from it.
 */
import { assert, describe, it } from "@effect/vitest"
import { Cause, Context, Effect, Exit, Layer, Redacted, Scope } from "effect"
import { PgClient } from "@effect/sql-pg"
import { PostgresStore } from "../../../src/runtime/postgres-store.ts"
import { postgresClientLayer } from "../../../src/runtime/postgres-client.ts"
import { SimulationStore } from "../../../src/runtime/simulation-store.ts"
import type { StoreWrite } from "../../../src/runtime/simulation-store.ts"
import { StoreOpenError, StoreReadError, StoreWriteError, takenKeysOf } from "../../../src/runtime/store-errors.ts"
import { SimulationSupervisor } from "../../../src/runtime/simulation-supervisor.ts"
import type { SimulationInput } from "../../../src/runtime/simulation-input.ts"
import { catalogLayer, config, makeLogCapture, referenceRun, start, stop, submitOrder, trend, idle, update, cancelOrder } from "../fixtures.ts"
import { storeContract } from "./store-contract.ts"
import { freshTablePrefix, openStore, postgresUrl } from "./postgres-fixtures.ts"

storeContract("PostgresStore", () => PostgresStore.layer({ url: postgresUrl(), tablePrefix: freshTablePrefix() }))

const put = (key: string, value: string): StoreWrite => ({ type: "put", key, value })

describe("PostgresStore over one database", () => {
  it.effect("two stores over the same tables: one writes, the other reads its data and asks its marks", () =>
    Effect.gen(function*() {
      const layer = PostgresStore.layer({ url: postgresUrl(), tablePrefix: freshTablePrefix() })
      const a = yield* openStore(layer)
      const b = yield* openStore(layer)
      yield* a.store.write([put("journal:s1:1", "x"), put("meta:s1", "m")], [["s1", 3], ["s2", 1]])
      yield* a.store.write([], [["s1", 2]])

      assert.strictEqual(a.store.acknowledged.get("s1"), 3)
      // B was built before: its map is what it found then; the table is what it holds now.
      assert.strictEqual(b.store.acknowledged.get("s1"), undefined)
      assert.strictEqual(yield* b.store.acknowledgedOf("s1"), 3)
      assert.strictEqual(yield* b.store.acknowledgedOf("s2"), 1)
      assert.strictEqual(yield* b.store.get("meta:s1"), "m")

      // B writes too; A (and a store built now) see the highest mark.
      yield* b.store.write([put("journal:s1:4", "y")], [["s1", 5]])
      assert.strictEqual(yield* a.store.acknowledgedOf("s1"), 5)
      const c = yield* openStore(layer)
      assert.deepStrictEqual([...c.store.acknowledged].sort(), [["s1", 5], ["s2", 1]])
      assert.deepStrictEqual(yield* c.store.range({ gte: "journal:", lt: "journal;" }), [["journal:s1:1", "x"], ["journal:s1:4", "y"]])
    }))

  it.effect("stores with different prefixes or schemas share a database without seeing each other", () =>
    Effect.gen(function*() {
      const url = postgresUrl()
      const prefix = freshTablePrefix()
      const plain = yield* openStore(PostgresStore.layer({ url, tablePrefix: prefix }))
      const other = yield* openStore(PostgresStore.layer({ url, tablePrefix: freshTablePrefix() }))
      const schema = `s_${freshTablePrefix()}`.slice(0, -1)
      const inSchema = yield* openStore(PostgresStore.layer({ url, tablePrefix: prefix, schema }))
      yield* plain.store.write([put("k", "plain")], [["s", 1]])
      yield* inSchema.store.write([put("k", "schema")])
      assert.strictEqual(yield* other.store.get("k"), undefined)
      assert.strictEqual(yield* other.store.acknowledgedOf("s"), undefined)
      assert.strictEqual(yield* plain.store.get("k"), "plain")
      assert.strictEqual(yield* inSchema.store.get("k"), "schema")
      assert.strictEqual(yield* inSchema.store.acknowledgedOf("s"), undefined)
      assert.include(inSchema.store.location, `${schema}.${prefix}*`)
    }))

  it.effect("many stores created at once over new tables all open (the creation is serialised)", () =>
    Effect.gen(function*() {
      for (let round = 0; round < 3; round++) {
        const layer = PostgresStore.layer({ url: postgresUrl(), tablePrefix: freshTablePrefix(), schema: `c${freshTablePrefix()}`.slice(0, -1) })
        const opened = yield* Effect.all(Array.from({ length: 8 }, () => Effect.scoped(Layer.build(layer)).pipe(Effect.exit)), { concurrency: "unbounded" })
        assert.deepStrictEqual(opened.map((e) => e._tag), Array(8).fill("Success"))
      }
    }))

  it.effect("keys order by UTF-8 bytes also in a database whose own collation orders text otherwise (ICU \"en\")", () =>
    Effect.gen(function*() {
      const database = `icu${freshTablePrefix()}`.slice(0, -1)
      yield* Effect.gen(function*() {
        const sql = yield* PgClient.PgClient
        yield* sql.unsafe(`CREATE DATABASE ${database} LOCALE_PROVIDER icu ICU_LOCALE 'en' LOCALE 'C' TEMPLATE template0`)
      }).pipe(Effect.provide(postgresClientLayer(postgresUrl())))
      const url = postgresUrl().replace(/\/paperfloor$/, `/${database}`)
      const keys = ["k/b", "k/B", "k/a", "k/é", "k/\u{1F600}", "k/\uFFFD", "k/_", "k/10", "k/9"]
      const utf8 = [...keys].sort((a, b) => Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8")))
      // The database's own order is not UTF-8's: without the store's COLLATE "C" this test fails.
      const own = yield* Effect.gen(function*() {
        const sql = yield* PgClient.PgClient
        return (yield* sql.unsafe(`SELECT k FROM unnest($1::text[]) AS t(k) ORDER BY k`, [keys]).values).map(([k]) => k)
      }).pipe(Effect.provide(postgresClientLayer(url)))
      assert.notDeepEqual(own, utf8)
      yield* Effect.gen(function*() {
        const store = yield* SimulationStore
        yield* store.write(keys.map((k) => put(k, k)))
        assert.deepStrictEqual((yield* store.range({ gte: "k/", lt: "k0" })).map(([k]) => k), utf8)
        assert.deepStrictEqual((yield* store.range({ gte: "k/", lt: "k0", reverse: true })).map(([k]) => k), [...utf8].reverse())
        assert.deepStrictEqual((yield* store.range({ gte: "k/a", lt: "k/b" })).map(([k]) => k), ["k/a"])
      }).pipe(Effect.provide(PostgresStore.layer({ url, tablePrefix: freshTablePrefix() })))
    }))

  it.effect("location names host:port/database and the tables, never the password", () =>
    Effect.gen(function*() {
      const withPassword = postgresUrl().replace("paperfloor@", "paperfloor:hunter2@")
      const prefix = freshTablePrefix()
      const { store } = yield* openStore(PostgresStore.layer({ url: withPassword, tablePrefix: prefix }))
      const port = new URL(postgresUrl()).port
      assert.strictEqual(store.location, `127.0.0.1:${port}/paperfloor (tables ${prefix}*)`)
      assert.notInclude(store.location, "hunter2")
    }))

  it.effect("data survives closing the layer and opening it again; a captured store fails once its layer is closed", () =>
    Effect.gen(function*() {
      const layer = PostgresStore.layer({ url: postgresUrl(), tablePrefix: freshTablePrefix() })
      const first = yield* openStore(layer)
      yield* first.store.write([put("a", "1"), put("b", "2")], [["s", 7]])
      yield* first.close
      const writeError = yield* Effect.flip(first.store.write([put("a", "after close")]))
      assert.instanceOf(writeError, StoreWriteError)
      assert.include(writeError.message, "the store's layer was closed")
      assert.instanceOf(yield* Effect.flip(first.store.get("a")), StoreReadError)

      const again = yield* openStore(layer)
      assert.deepStrictEqual(yield* again.store.range({ gte: "", lt: "\uffff" }), [["a", "1"], ["b", "2"]])
      assert.strictEqual(again.store.acknowledged.get("s"), 7)
    }))

  it.effect("a table prefix that is not a plain identifier is refused at build, naming the field", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Effect.scoped(Layer.build(PostgresStore.layer({ url: postgresUrl(), tablePrefix: "x\"; DROP TABLE y; --" }))))
      assert.instanceOf(error, StoreOpenError)
      assert.include(error.message, "tablePrefix \"x\\\"; DROP TABLE y; --\" is not allowed")
    }))

  it.effect("layerWithClient over a client whose connections commit asynchronously refuses to open", () =>
    Effect.gen(function*() {
      const asynchronous = PgClient.layer({ url: Redacted.make(postgresUrl()), startupParameters: { synchronous_commit: "off" } })
      const error = yield* Effect.flip(Effect.scoped(Layer.build(PostgresStore.layerWithClient({ tablePrefix: freshTablePrefix() }).pipe(Layer.provide(asynchronous)))))
      assert.instanceOf(error, StoreOpenError)
      assert.include(error.message, "PostgreSQL's synchronous_commit is off")
    }))

  it.effect("layerWithClient runs over the client in context: what the store writes, that client's other SQL reads", () =>
    Effect.gen(function*() {
      const prefix = freshTablePrefix()
      yield* Effect.gen(function*() {
        const store = yield* SimulationStore
        const sql = yield* PgClient.PgClient
        yield* store.write([put("k", "v")], [["s", 4]])
        assert.deepStrictEqual(yield* sql.unsafe(`SELECT key, value FROM "${prefix}entries"`).values, [["k", "v"]])
        assert.deepStrictEqual(yield* sql.unsafe(`SELECT simulation_id, seq FROM "${prefix}marks"`).values, [["s", 4n]])
      }).pipe(Effect.provide(Layer.merge(PostgresStore.layerWithClient({ tablePrefix: prefix }), Layer.empty).pipe(Layer.provideMerge(postgresClientLayer(postgresUrl())))))
    }))
})

// ---- a supervisor over PostgreSQL ---------------------------------------------------------------

const quiet = makeLogCapture().layer

const supervisorOver = (tablePrefix: string) =>
  SimulationSupervisor.layer({ snapshotEvery: 9, keepSnapshots: 2 }).pipe(
    Layer.provide(Layer.merge(PostgresStore.layer({ url: postgresUrl(), tablePrefix }), catalogLayer)),
    Layer.provide(quiet)
  )

const withSupervisor = <A, E>(tablePrefix: string, body: (s: SimulationSupervisor["Service"]) => Effect.Effect<A, E>) =>
  Effect.scoped(Effect.gen(function*() {
    return yield* body(yield* SimulationSupervisor)
  })).pipe(Effect.provide(supervisorOver(tablePrefix)))

const snapshots = (supervisor: SimulationSupervisor["Service"], ids: ReadonlyArray<string>) =>
  Effect.forEach(ids, (id) => supervisor.inspect(id, (instance) => JSON.stringify(instance.snapshot())))

describe("SimulationSupervisor over PostgresStore", () => {
  it.live("every simulation recovers exactly after the layer is closed and built again", () =>
    Effect.gen(function*() {
      const prefix = freshTablePrefix()
      const prices = (offset: number) => Array.from({ length: 40 }, (_, i) => 100 + ((i * 7 + offset) % 13) - 6)
      const trendIds = ["trend-1", "trend-2", "trend-3"]
      const manual: SimulationInput[] = [
        start,
        update(0, 50),
        submitOrder({ symbol: "AAA", side: "buy", type: "limit", quantity: 5, limitPrice: 40, timeInForce: "gtc" }),
        update(1, 50),
        cancelOrder("O-000001"),
        submitOrder({ symbol: "AAA", side: "buy", type: "market", quantity: 2 }),
        update(2, 51),
        update(3, 49)
      ]
      const ids = [...trendIds, "manual", "stopped"]
      const before = yield* withSupervisor(prefix, (supervisor) =>
        Effect.gen(function*() {
          for (const [n, id] of trendIds.entries()) {
            yield* supervisor.create({ id, config, model: { kind: "trend", params: { every: 2, quantity: n + 1 } } })
            yield* supervisor.send(id, start)
          }
          yield* supervisor.create({ id: "manual", config, model: { kind: "idle" } })
          yield* supervisor.create({ id: "stopped", config, model: { kind: "trend" } })
          // Updates to all of them at once, so that group commit puts several into one write.
          yield* Effect.forEach(trendIds, (id, n) =>
            Effect.forEach(prices(n), (p, i) => supervisor.submit(id, [update(i, p)]), { discard: true }), { concurrency: "unbounded", discard: true })
          yield* supervisor.submit("manual", manual)
          yield* supervisor.submit("stopped", [start, update(0, 10), update(1, 12), update(2, 11), stop])
          return yield* snapshots(supervisor, ids)
        }))

      // The same inputs without a store give the same simulations.
      assert.strictEqual(before[0], JSON.stringify(referenceRun(trend({ every: 2, quantity: 1 }), [start, ...prices(0).map((p, i) => update(i, p))]).instance.snapshot()))
      assert.strictEqual(before[3], JSON.stringify(referenceRun(idle, manual).instance.snapshot()))

      const after = yield* withSupervisor(prefix, (supervisor) =>
        Effect.gen(function*() {
          assert.deepStrictEqual(supervisor.unrecoverable, [])
          assert.deepStrictEqual([...(yield* supervisor.list)].sort(), [...ids].sort())
          return yield* snapshots(supervisor, ids)
        }))
      assert.deepStrictEqual(after, before)
    }))
})

describe("two runners over one PostgresStore (recovery onDemand)", () => {
  /** A runner: a supervisor over its own pool to the shared tables, kept open while the other works. */
  const openRunner = (tablePrefix: string) =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      yield* Effect.addFinalizer(() => Scope.close(scope, Exit.void))
      const layer = SimulationSupervisor.layer({ snapshotEvery: 4, recovery: "onDemand" }).pipe(
        Layer.provide(Layer.merge(PostgresStore.layer({ url: postgresUrl(), tablePrefix }), catalogLayer)),
        Layer.provide(quiet)
      )
      return Context.get(yield* Layer.buildWithScope(layer, scope), SimulationSupervisor)
    })

  it.live("a simulation handed from one runner to the other and back resumes exactly; an operation sent again is answered, not applied again", () =>
    Effect.gen(function*() {
      const prefix = freshTablePrefix()
      // Both are up before anything is written: neither's `acknowledged` knows what the other writes.
      const a = yield* openRunner(prefix)
      const b = yield* openRunner(prefix)
      const inputs = [start, ...Array.from({ length: 18 }, (_, i) => update(i, 100 + ((i * 5) % 7)))]

      yield* a.create({ id: "sim", config, model: { kind: "trend" } })
      yield* a.submit("sim", inputs.slice(0, 7))
      const once = yield* a.submitOnce("sim", "op-1", [inputs[7]!])
      yield* a.release("sim")

      const again = yield* b.submitOnce("sim", "op-1", [inputs[7]!])
      assert.deepStrictEqual(again.seq, once.seq)
      yield* b.submit("sim", inputs.slice(8, 13))
      yield* b.release("sim")

      yield* a.submit("sim", inputs.slice(13))
      const reference = JSON.stringify(referenceRun(trend(undefined), inputs).instance.snapshot())
      assert.strictEqual(yield* a.inspect("sim", (instance) => JSON.stringify(instance.snapshot())), reference)
    }))

  it.live("both runners hold a simulation at once: the late one's record is taken and it reloads, and sent again it answers; another simulation in its group commit is written", () =>
    Effect.gen(function*() {
      const prefix = freshTablePrefix()
      const late = yield* openRunner(prefix)
      const moved = yield* openRunner(prefix)
      const inputs = [start, ...Array.from({ length: 6 }, (_, i) => update(i, 100 + ((i * 5) % 7)))]
      yield* late.create({ id: "sim", config, model: { kind: "trend" } })
      yield* late.create({ id: "other", config, model: { kind: "trend" } })
      yield* late.submit("sim", inputs.slice(0, 3))
      yield* late.submit("other", inputs.slice(0, 3))
      // Both recovered "sim" at the same point; "moved" writes its next record first.
      yield* moved.hold("sim")
      const first = yield* moved.submitOnce("sim", "op-1", [inputs[3]!])
      // In one group commit of the late runner: "sim"'s record (taken) and "other"'s.
      const [taken, other] = yield* Effect.all([Effect.exit(late.submitOnce("sim", "op-1", [inputs[3]!])), late.submit("other", [inputs[3]!])], { concurrency: "unbounded" })
      assert.deepStrictEqual(Exit.isFailure(taken) ? takenKeysOf(Cause.squash(taken.cause)) : [], ["journal:sim:000000000004"])
      // Sent again, answered from the store: its results and place, without events (they went out with the first answer).
      const again = yield* late.submitOnce("sim", "op-1", [inputs[3]!])
      assert.deepStrictEqual([again.results, again.seq, again.events], [first.results, first.seq, []])
      assert.isTrue(other[0]!.ok)
      // The late runner goes on after what the other wrote.
      yield* late.submit("sim", inputs.slice(4))
      const reference = JSON.stringify(referenceRun(trend(undefined), inputs).instance.snapshot())
      assert.strictEqual(yield* late.inspect("sim", (instance) => JSON.stringify(instance.snapshot())), reference)
      assert.strictEqual(
        yield* late.inspect("other", (instance) => JSON.stringify(instance.snapshot())),
        JSON.stringify(referenceRun(trend(undefined), inputs.slice(0, 4)).instance.snapshot())
      )
    }))
})
