/**
 * The PostgreSQL client every part of paperfloor that talks to PostgreSQL shares (the store and
 * Effect Cluster's SQL storage): one pool with the settings durability needs, and readable
 * descriptions of where it points and of what went wrong.
 */
import { Data, Layer, Redacted } from "effect"
import { PgClient } from "@effect/sql-pg"
import type { SqlClient, SqlError } from "effect/sql"

export interface PostgresClientOptions {
  /** Pool size; 10 by default. */
  readonly maxConnections?: number
}

/** Largest message the client reads; a row (key and value) must fit in one (the driver's default is 16 MiB). */
export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024

/**
 * A PgClient (and SqlClient) layer for `postgres://user[:password]@host:port/database`. Every
 * connection starts with `synchronous_commit = on`, whatever the server's default: a commit
 * returns once its WAL is on disk, which is what the store acknowledges. Connections open lazily
 * (a dead one is replaced on the next use), each within 5 s.
 */
export const postgresClientLayer = (url: string, options: PostgresClientOptions = {}): Layer.Layer<PgClient.PgClient | SqlClient.SqlClient, SqlError.SqlError> =>
  PgClient.layer({
    url: Redacted.make(url),
    applicationName: "paperfloor",
    connectTimeout: "5 seconds",
    startupParameters: { synchronous_commit: "on" },
    maxMessageSize: MAX_MESSAGE_BYTES,
    ...(options.maxConnections === undefined ? {} : { maxConnections: options.maxConnections })
  })

/**
 * `host:port/database` (or `socket-path/database`) a client connects to, as the driver resolves
 * it; never the user or the password.
 */
export const postgresTarget = (config: PgClient.PgClientConfig): { readonly address: string; readonly database: string } => {
  const url = config.url === undefined ? undefined : URL.parse(Redacted.value(config.url))
  if (url === null) return { address: "(a URL that does not parse)", database: "" }
  const host = config.host ?? (url === undefined || url.hostname === "" ? "localhost" : url.hostname)
  const port = config.port ?? (url === undefined || url.port === "" ? 5432 : Number(url.port))
  const user = config.username ?? (url === undefined || url.username === "" ? process.env.USER : decodeURIComponent(url.username))
  const database = config.database ?? (url === undefined || url.pathname.length <= 1 ? user : decodeURIComponent(url.pathname.slice(1)))
  return { address: config.path ?? `${host}:${port}`, database: database ?? "" }
}

/**
 * What PostgreSQL (or the way to it) said, without the driver's wrapping: the reason's kind, the
 * SQLSTATE or socket error code, and the message, e.g. `ConnectionError: ECONNREFUSED connect
 * ECONNREFUSED 127.0.0.1:5433` or `AuthenticationError: 28P01 password authentication failed`.
 */
export class PostgresError extends Data.TaggedError("PostgresError")<{
  /** The SqlError's reason: ConnectionError, AuthenticationError, UnknownError, … */
  readonly kind: string
  /** SQLSTATE (e.g. `22021`) or a socket error code (`ECONNREFUSED`), when there is one. */
  readonly errorCode?: string
  readonly detail: string
}> {
  override get message(): string {
    return `${this.kind}: ${this.errorCode === undefined ? "" : `${this.errorCode} `}${this.detail}`
  }
}

/** The server could not be reached, or would not let this client in (login, database). */
export class PostgresUnreachableError extends Data.TaggedError("PostgresUnreachableError")<{
  /** `host:port` */
  readonly address: string
  readonly reason: PostgresError
}> {
  override get message(): string {
    return `cannot reach PostgreSQL at ${this.address} (${this.reason.message})`
  }
}

export const describeSqlError = (error: SqlError.SqlError): PostgresError => {
  const reason = error.reason
  const inner = reason.cause as { readonly code?: unknown; readonly message?: unknown } | undefined
  const errorCode = typeof inner?.code === "string" ? inner.code : undefined
  const detail = typeof inner?.message === "string" && inner.message !== "" ? inner.message : reason.message ?? reason._tag
  return new PostgresError({ kind: reason._tag, detail, ...(errorCode === undefined ? {} : { errorCode }) })
}

/** A failed connection attempt (refused, timed out, login or database refused) as opposed to a failed statement. */
export const isConnectFailure = (error: SqlError.SqlError): boolean => error.reason.operation === "connect"
