// INTERIM, until branch pg-store lands (src/runtime/postgres-store.ts): the smallest SimulationStore
// on PostgreSQL the cluster can run on, with the names that branch exports. Deleted at that merge.
import { Effect, Layer, Redacted } from "effect"
import { PgClient } from "@effect/sql-pg"
import { SqlClient } from "effect/sql"
import type { Mark } from "../acknowledgement-ledger.ts"
import { effectiveLimit, SimulationStore, type StoreWrite } from "../simulation-store.ts"
import { StoreReadError, StoreWriteError } from "../store-errors.ts"

export const postgresClientLayer = (url: string) => PgClient.layer({ url: Redacted.make(url), connectTimeout: "5 seconds" })

// Runners starting together on a fresh database: CREATE TABLE IF NOT EXISTS races itself, so one at a time.
const setUp = (sql: SqlClient.SqlClient) =>
  sql.withTransaction(Effect.gen(function* () {
    yield* sql`SELECT pg_advisory_xact_lock(7015)`
    yield* sql`CREATE TABLE IF NOT EXISTS paperfloor_kv (key text COLLATE "C" PRIMARY KEY, value text NOT NULL)`
    yield* sql`CREATE TABLE IF NOT EXISTS paperfloor_ack (simulation text PRIMARY KEY, seq bigint NOT NULL)`
  }))

const make = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const location = "postgres"
  yield* setUp(sql).pipe(Effect.mapError((cause) => new StoreWriteError({ location, cause })))
  const acknowledged = new Map<string, number>()
  const rows = yield* sql<{ simulation: string; seq: string }>`SELECT simulation, seq FROM paperfloor_ack`.pipe(
    Effect.mapError((cause) => new StoreReadError({ location, cause }))
  )
  for (const row of rows) acknowledged.set(row.simulation, Number(row.seq))
  const write = (batch: ReadonlyArray<StoreWrite>, marks: ReadonlyArray<Mark> = []) =>
    sql
      .withTransaction(
        Effect.gen(function* () {
          for (const w of batch)
            if (w.type === "put") yield* sql`INSERT INTO paperfloor_kv (key, value) VALUES (${w.key}, ${w.value}) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`
            else yield* sql`DELETE FROM paperfloor_kv WHERE key = ${w.key}`
          for (const [id, seq] of marks)
            yield* sql`INSERT INTO paperfloor_ack (simulation, seq) VALUES (${id}, ${seq}) ON CONFLICT (simulation) DO UPDATE SET seq = EXCLUDED.seq`
        })
      )
      .pipe(
        Effect.mapError((cause) => new StoreWriteError({ location, cause })),
        Effect.tap(() => Effect.sync(() => marks.forEach(([id, seq]) => acknowledged.set(id, seq))))
      )
  return SimulationStore.of({
    write,
    acknowledged,
    acknowledgedOf: (id) =>
      sql<{ seq: string }>`SELECT seq FROM paperfloor_ack WHERE simulation = ${id}`.pipe(
        Effect.map((r) => (r[0] === undefined ? undefined : Number(r[0].seq))),
        Effect.mapError((cause) => new StoreReadError({ location, cause }))
      ),
    get: (key) =>
      sql<{ value: string }>`SELECT value FROM paperfloor_kv WHERE key = ${key}`.pipe(
        Effect.map((r) => r[0]?.value),
        Effect.mapError((cause) => new StoreReadError({ location, key, cause }))
      ),
    range: (q) => {
      const limit = effectiveLimit(q.limit)
      const order = q.reverse === true ? sql`DESC` : sql`ASC`
      const cap = limit === Infinity ? sql`` : sql`LIMIT ${limit}`
      return sql<{ key: string; value: string }>`SELECT key, value FROM paperfloor_kv WHERE key >= ${q.gte} AND key < ${q.lt} ORDER BY key ${order} ${cap}`.pipe(
        Effect.map((rows) => rows.map((r) => [r.key, r.value] as const)),
        Effect.mapError((cause) => new StoreReadError({ location, cause }))
      )
    },
    location
  })
})

export const PostgresStore = {
  layerWithClient: (): Layer.Layer<SimulationStore, StoreReadError | StoreWriteError, SqlClient.SqlClient> => Layer.effect(SimulationStore, make)
}
