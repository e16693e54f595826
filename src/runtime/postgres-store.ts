import { Data, Effect, Layer, Redacted } from "effect"
import { PgClient } from "@effect/sql-pg"
import { SqlClient, type SqlError } from "effect/sql"
import { insertsWrittenBefore, SimulationStore, effectiveLimit } from "./simulation-store.ts"
import type { RangeQuery, StoreWrite } from "./simulation-store.ts"
import type { Mark } from "./acknowledgement-ledger.ts"
import { StoreKeyTakenError, StoreOpenError, StoreReadError, StoreWriteError } from "./store-errors.ts"
import {
  describeSqlError,
  isConnectFailure,
  PostgresError,
  type PostgresClientOptions,
  postgresClientLayer,
  PostgresUnreachableError,
  postgresTarget
} from "./postgres-client.ts"
import { findUnstorable, storableBound } from "./postgres-text.ts"

/** SQLSTATE unique_violation. */
const UNIQUE_VIOLATION = "23505"

/** Where in the database a store's two tables live. */
export interface PostgresStoreTables {
  /**
   * Prefix of the tables `<prefix>entries` (keys and values) and `<prefix>marks` (acknowledged
   * sequence numbers): `paperfloor_` by default. Stores with different prefixes share a database
   * without seeing each other. Lower-case letters, digits and `_`, at most 40 characters.
   */
  readonly tablePrefix?: string
  /** The schema of the tables (created if missing); the connection's search path (`public`) by default. */
  readonly schema?: string
}

export interface PostgresStoreOptions extends PostgresStoreTables, PostgresClientOptions {
  /** `postgres://user[:password]@host:port/database` */
  readonly url: string
}

/** A configuration PostgreSQL would run, but that would break the store's promise: data acknowledged is on disk. */
export class PostgresSettingError extends Data.TaggedError("PostgresSettingError")<{
  readonly setting: string
  readonly value: string
  readonly rule: string
}> {
  override get message(): string {
    return `PostgreSQL's ${this.setting} is ${this.value}: ${this.rule}`
  }
}

/** A table prefix or schema name that is not a plain lower-case identifier. */
export class PostgresNameError extends Data.TaggedError("PostgresNameError")<{
  readonly field: "tablePrefix" | "schema"
  readonly value: string
  readonly rule: string
}> {
  override get message(): string {
    return `${this.field} ${JSON.stringify(this.value)} is not allowed: ${this.rule}`
  }
}

const checkName = (field: "tablePrefix" | "schema", value: string, max: number): PostgresNameError | undefined =>
  /^[a-z_][a-z0-9_]*$/.test(value) && value.length <= max
    ? undefined
    : new PostgresNameError({ field, value, rule: `it must be a lower-case letter or "_", then lower-case letters, digits or "_", at most ${max} characters` })

const quote = (name: string): string => `"${name}"`

/** The statements of one store, over its tables. */
const statementsFor = (schema: string | undefined, prefix: string) => {
  const table = (name: string) => (schema === undefined ? quote(prefix + name) : `${quote(schema)}.${quote(prefix + name)}`)
  const entries = table("entries")
  const marks = table("marks")
  return {
    tables: `${schema === undefined ? "" : `${schema}.`}${prefix}*`,
    /** Serialises the creation across processes: concurrent CREATE … IF NOT EXISTS can fail on PostgreSQL's catalog. */
    lock: `SELECT pg_advisory_xact_lock(hashtextextended('paperfloor store ' || $1, 0))`,
    create: [
      ...(schema === undefined ? [] : [`CREATE SCHEMA IF NOT EXISTS ${quote(schema)}`]),
      // COLLATE "C": keys compare bytewise on UTF-8, as LevelDB orders them.
      `CREATE TABLE IF NOT EXISTS ${entries} (key text COLLATE "C" PRIMARY KEY, value text NOT NULL)`,
      `CREATE TABLE IF NOT EXISTS ${marks} (simulation_id text PRIMARY KEY, seq bigint NOT NULL)`
    ],
    settings: `SELECT current_database(), current_setting('fsync'), current_setting('synchronous_commit')`,
    allMarks: `SELECT simulation_id, seq FROM ${marks}`,
    markOf: `SELECT seq FROM ${marks} WHERE simulation_id = $1`,
    /**
     * One statement, so one transaction and one round trip: the batch's last operation per key
     * (deletes and puts on different keys by then) and its marks, never lowering a mark.
     */
    write: `WITH deleted AS (DELETE FROM ${entries} WHERE key = ANY($1::text[])), ` +
      `written AS (INSERT INTO ${entries} (key, value) SELECT * FROM unnest($2::text[], $3::text[]) ` +
      `ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value), ` +
      // No ON CONFLICT: a key another process wrote first fails the statement, so nothing of the batch is written.
      `inserted AS (INSERT INTO ${entries} (key, value) SELECT * FROM unnest($6::text[], $7::text[])), ` +
      `marked AS (INSERT INTO ${marks} AS m (simulation_id, seq) SELECT * FROM unnest($4::text[], $5::text[]::bigint[]) ` +
      `ON CONFLICT (simulation_id) DO UPDATE SET seq = GREATEST(m.seq, EXCLUDED.seq)) ` +
      `SELECT 1`,
    get: `SELECT value FROM ${entries} WHERE key = $1`,
    existing: `SELECT key FROM ${entries} WHERE key = ANY($1::text[]) ORDER BY key`,
    // LIMIT NULL is no limit.
    range: `SELECT key, value FROM ${entries} WHERE key >= $1 AND key < $2 ORDER BY key LIMIT $3::bigint`,
    rangeReverse: `SELECT key, value FROM ${entries} WHERE key >= $1 AND key < $2 ORDER BY key DESC LIMIT $3::bigint`
  }
}

/** The batch as PostgreSQL applies it: the last operation per key, and the highest mark per simulation. */
const collapse = (batch: ReadonlyArray<StoreWrite>, marks: ReadonlyArray<Mark>) => {
  const last = new Map<string, StoreWrite>()
  for (const op of batch) last.set(op.key, op)
  const deleted: string[] = []
  const putKeys: string[] = []
  const putValues: string[] = []
  const insertKeys: string[] = []
  const insertValues: string[] = []
  for (const op of last.values()) {
    if (op.type === "del") deleted.push(op.key)
    else if (op.type === "insert") {
      insertKeys.push(op.key)
      insertValues.push(op.value)
    } else {
      putKeys.push(op.key)
      putValues.push(op.value)
    }
  }
  const highest = new Map<string, number>()
  for (const [id, seq] of marks) highest.set(id, Math.max(seq, highest.get(id) ?? -1))
  return { deleted, putKeys, putValues, insertKeys, insertValues, highest }
}

/**
 * Builds the SimulationStore over the PgClient in context. Each write is one statement (so one
 * transaction), committed with synchronous_commit on: acknowledged means in PostgreSQL's WAL on
 * disk. Several processes may share one store (cluster runners): `acknowledgedOf` reads the
 * marks table, while `acknowledged` is what was there at build plus this process's writes.
 *
 * A connection lost while a COMMIT is under way leaves its outcome unknown to the client: the
 * write fails (nothing is acknowledged), and the batch may still be there, as after a crash
 * between a write and its acknowledgement.
 */
const make = (tables: PostgresStoreTables) =>
  Effect.gen(function*() {
    const client = yield* PgClient.PgClient
    const sql = (yield* SqlClient.SqlClient).withoutTransforms()
    const target = postgresTarget(client.config)
    const prefix = tables.tablePrefix ?? "paperfloor_"
    const statements = statementsFor(tables.schema, prefix)
    let location = `${target.address}/${target.database} (tables ${statements.tables})`
    const explain = (error: SqlError.SqlError) =>
      isConnectFailure(error) ? new PostgresUnreachableError({ address: target.address, reason: describeSqlError(error) }) : describeSqlError(error)
    const openFailed = (cause: unknown) => new StoreOpenError({ directory: location, cause })

    const badName = checkName("tablePrefix", prefix, 40) ?? (tables.schema === undefined ? undefined : checkName("schema", tables.schema, 63))
    if (badName !== undefined) return yield* Effect.fail(openFailed(badName))

    const [settings] = yield* sql.unsafe(statements.settings).values.pipe(Effect.mapError((e) => openFailed(explain(e))))
    const [database, fsync, synchronousCommit] = settings as [string, string, string]
    location = `${target.address}/${database} (tables ${statements.tables})`
    if (fsync !== "on")
      return yield* Effect.fail(openFailed(new PostgresSettingError({ setting: "fsync", value: fsync, rule: "without it a commit may be lost in a crash; the store acknowledges only what is on disk" })))
    if (synchronousCommit === "off")
      return yield* Effect.fail(openFailed(new PostgresSettingError({
        setting: "synchronous_commit",
        value: synchronousCommit,
        rule: "a commit then returns before it is on disk; the store acknowledges only what is (postgresClientLayer sets it on)"
      })))

    yield* sql.withTransaction(Effect.gen(function*() {
      yield* sql.unsafe(statements.lock, [statements.tables])
      for (const statement of statements.create) yield* sql.unsafe(statement)
    })).pipe(Effect.mapError((e) => openFailed(explain(e))))

    const rows = yield* sql.unsafe(statements.allMarks).values.pipe(Effect.mapError((e) => openFailed(explain(e))))
    const acknowledged = new Map<string, number>(rows.map(([id, seq]) => [id as string, Number(seq as bigint)]))

    /** Set when the layer's scope closes: the client may live on (shared), the store does not. */
    let closed = false
    yield* Effect.addFinalizer(() => Effect.sync(() => {
      closed = true
    }))
    const whenOpen = <A>(run: Effect.Effect<A, SqlError.SqlError>) =>
      Effect.suspend(() => (closed ? Effect.fail(new Error("the store's layer was closed")) : Effect.mapError(run, explain)))
    const maxRowBytes = client.config.maxMessageSize ?? 16 * 1024 * 1024

    const write = (batch: ReadonlyArray<StoreWrite>, marks: ReadonlyArray<Mark> = []): Effect.Effect<void, StoreWriteError> =>
      batch.length === 0 && marks.length === 0
        ? Effect.void
        : Effect.suspend(() => {
          const unstorable = findUnstorable(batch, marks, maxRowBytes)
          if (unstorable !== undefined) return Effect.fail(unstorable)
          // One statement keeps only the last write of a key: an insert the batch itself wrote before would pass.
          const takenHere = insertsWrittenBefore(batch)
          if (takenHere.length > 0) return Effect.fail(new StoreKeyTakenError({ keys: takenHere }))
          const { deleted, putKeys, putValues, insertKeys, insertValues, highest } = collapse(batch, marks)
          const params = [deleted, putKeys, putValues, [...highest.keys()], [...highest.values()].map(String), insertKeys, insertValues]
          return whenOpen(sql.unsafe(statements.write, params).raw).pipe(
            Effect.andThen(Effect.sync(() => {
              for (const [id, seq] of highest) acknowledged.set(id, Math.max(seq, acknowledged.get(id) ?? -1))
            })),
            // A unique violation can only be an insert's key (the rest upsert): say which, so that only their writers fail.
            Effect.catchIf(
              (e): e is PostgresError => e instanceof PostgresError && e.errorCode === UNIQUE_VIOLATION,
              (e) =>
                whenOpen(sql.unsafe(statements.existing, [insertKeys]).values).pipe(
                  Effect.flatMap((rows) => Effect.fail(rows.length === 0 ? e : new StoreKeyTakenError({ keys: rows.map(([key]) => key as string) })))
                )
            )
          )
        }).pipe(Effect.mapError((cause) => new StoreWriteError({ location, cause })))

    const get = (key: string): Effect.Effect<string | undefined, StoreReadError> =>
      // No stored key holds a NUL (writes refuse it), and PostgreSQL would refuse the parameter.
      key.includes("\u0000")
        ? Effect.succeed(undefined)
        : whenOpen(sql.unsafe(statements.get, [key]).values).pipe(
          Effect.map((found) => found[0]?.[0] as string | undefined),
          Effect.mapError((cause) => new StoreReadError({ location, key, cause }))
        )

    const range = (query: RangeQuery): Effect.Effect<ReadonlyArray<readonly [string, string]>, StoreReadError> => {
      const limit = effectiveLimit(query.limit)
      const statement = query.reverse === true ? statements.rangeReverse : statements.range
      // Strings bind untyped (PostgreSQL takes the column's type); a number would bind as int4 or int8 by size.
      const params = [storableBound(query.gte), storableBound(query.lt), limit === Infinity ? null : String(limit)]
      return whenOpen(sql.unsafe(statement, params).values).pipe(
        Effect.map((found) => found as ReadonlyArray<readonly [string, string]>),
        Effect.mapError((cause) => new StoreReadError({ location, cause }))
      )
    }

    const acknowledgedOf = (simulationId: string): Effect.Effect<number | undefined, StoreReadError> =>
      whenOpen(sql.unsafe(statements.markOf, [simulationId]).values).pipe(
        Effect.map((found) => (found[0] === undefined ? undefined : Number(found[0][0] as bigint))),
        Effect.mapError((cause) => new StoreReadError({ location, key: simulationId, cause }))
      )

    return SimulationStore.of({ write, get, range, acknowledged, acknowledgedOf, location })
  })

/** The SimulationStore on PostgreSQL: shared by every process that points at the same tables. */
export const PostgresStore = {
  /** Over its own pool (`postgresClientLayer(options.url)`), closed with the layer's scope. */
  layer: (options: PostgresStoreOptions): Layer.Layer<SimulationStore, StoreOpenError> => {
    const { address, database } = postgresTarget({ url: Redacted.make(options.url) })
    return PostgresStore.layerWithClient(options).pipe(
      Layer.provide(postgresClientLayer(options.url, options)),
      Layer.catchTag("SqlError", (e) =>
        Layer.effect(SimulationStore, Effect.fail(new StoreOpenError({ directory: `${address}/${database}`, cause: describeSqlError(e) }))))
    )
  },
  /**
   * Over the PgClient in context, e.g. the one Effect Cluster's SQL storage uses in a runner (one
   * pool for both); make it with `postgresClientLayer` so its connections commit synchronously.
   * A write made inside a transaction of that client (a handler run `WithTransaction`) joins it:
   * it is durable when that transaction commits, though `acknowledged` counts its marks at once
   * (`acknowledgedOf` reads what was committed).
   */
  layerWithClient: (tables: PostgresStoreTables = {}): Layer.Layer<SimulationStore, StoreOpenError, SqlClient.SqlClient | PgClient.PgClient> =>
    Layer.effect(SimulationStore, make(tables))
} as const
