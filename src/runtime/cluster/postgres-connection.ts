// The PostgreSQL pool a runner or a client shares between the store and the cluster's storage,
// checked before anything is built on it.
import { Context, Effect, Layer, Redacted } from "effect"
import { SqlClient } from "effect/sql"
import { describeSqlError, postgresClientLayer, PostgresUnreachableError, postgresTarget } from "../postgres-client.ts"

/**
 * The pool (`postgresClientLayer`), proved with a query first: an unreachable server, or one that
 * refuses the login, fails here naming its address, before a runner registers or takes a shard
 * and before a client sends anything.
 */
export const checkedPostgresLayer = (url: string) =>
  Layer.effectContext(
    Effect.gen(function* () {
      const context = yield* Layer.build(postgresClientLayer(url))
      const sql = Context.get(context, SqlClient.SqlClient)
      yield* sql`SELECT 1`
      return context
    }).pipe(
      Effect.catchTag("SqlError", (error) =>
        Effect.fail(new PostgresUnreachableError({ address: postgresTarget({ url: Redacted.make(url) }).address, reason: describeSqlError(error) }))
      )
    )
  )
