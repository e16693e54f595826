// The PostgreSQL pool a runner or a client shares between the store and the cluster's storage.
import { Context, Data, Duration, Effect, Layer } from "effect"
import { SqlClient } from "effect/sql"
import { postgresClientLayer } from "./interim-postgres-store.ts"

/** PostgreSQL could not be reached (or refused us) when the process started: it serves nothing. */
export class PostgresUnreachableError extends Data.TaggedError("PostgresUnreachableError")<{
  readonly address: string
  readonly cause: string
}> {
  override get message(): string {
    return `Cannot reach PostgreSQL at ${this.address}: ${this.cause}`
  }
}

/** An error and the causes under it, as one line ("Failed to connect: connect ECONNREFUSED 127.0.0.1:1"). */
const describe = (error: unknown): string => {
  const parts: string[] = []
  for (let e: unknown = error; e !== undefined && parts.length < 4; e = (e as { cause?: unknown }).cause)
    parts.push(e instanceof Error ? e.message : String(e))
  return [...new Set(parts)].join(": ")
}

/** `host:port` of a postgres:// URL, for messages (never its password). */
export const postgresAddress = (url: string): string => {
  try {
    const parsed = new URL(url)
    return `${parsed.hostname}:${parsed.port === "" ? "5432" : parsed.port}`
  } catch {
    return "(an unreadable URL)"
  }
}

/**
 * The PostgreSQL pool, checked with a query before anything else is built: an unreachable server
 * fails here with its address, before the runner registers or takes a shard.
 */
export const checkedPostgresLayer = (url: string, connectTimeout: Duration.Input = "5 seconds") =>
  Layer.effectContext(
    Effect.gen(function* () {
      const context = yield* Layer.build(postgresClientLayer(url))
      const sql = Context.get(context, SqlClient.SqlClient)
      yield* sql`SELECT 1`
      return context
    }).pipe(
      Effect.timeoutOrElse({ duration: connectTimeout, orElse: () => Effect.fail(`no answer within ${Duration.format(Duration.fromInputUnsafe(connectTimeout))}`) }),
      Effect.mapError((cause) => new PostgresUnreachableError({ address: postgresAddress(url), cause: typeof cause === "string" ? cause : describe(cause) }))
    )
  )
