import { Data } from "effect"
import { formatValue } from "../domain/format-value.ts"

/** A property as it reads, or undefined when reading it throws (a hostile getter). */
const readSafely = (holder: object, key: string): unknown => {
  try {
    return (holder as Record<string, unknown>)[key]
  } catch {
    return undefined
  }
}

/**
 * A cause as text, never a throw: an Error as its code and message, then what caused it (each
 * error once: a chain may loop); anything else as a bounded value.
 */
export const describeCause = (cause: unknown, seen: Set<unknown> = new Set()): string => {
  if (typeof cause === "string") return cause
  if (!(cause instanceof Error)) return formatValue(cause)
  seen.add(cause)
  const code = readSafely(cause, "code")
  const message = readSafely(cause, "message")
  const text = typeof message === "string" ? message : formatValue(message)
  const own = typeof code === "string" ? `${code}: ${text}` : text
  const inner = readSafely(cause, "cause")
  if (inner === undefined || seen.has(inner)) return own
  // Our errors say their cause in their message already.
  const innerText = describeCause(inner, seen)
  return own.includes(innerText) ? own : `${own} (${innerText})`
}

/**
 * Keys a write meant to insert were written first by another process sharing the store: a
 * simulation that moved to another runner while this one still held it. The write applied nothing.
 */
export class StoreKeyTakenError extends Data.TaggedError("StoreKeyTakenError")<{
  readonly keys: ReadonlyArray<string>
}> {
  override get message(): string {
    return `${this.keys.map((k) => JSON.stringify(k)).join(", ")} ${this.keys.length === 1 ? "exists" : "exist"} already: another process wrote ${this.keys.length === 1 ? "it" : "them"} first`
  }
}

/** The keys another process took first, when that is why a write failed. */
export const takenKeysOf = (error: unknown): ReadonlyArray<string> =>
  error instanceof StoreWriteError && error.cause instanceof StoreKeyTakenError ? error.cause.keys : []

/** A batch could not be written; nothing of it is visible (the store's batches are atomic). */
export class StoreWriteError extends Data.TaggedError("StoreWriteError")<{
  readonly location: string
  readonly cause: unknown
}> {
  override get message(): string {
    return `Write to the store at ${this.location} failed; nothing of the batch was written: ${describeCause(this.cause)}`
  }
}

/** A `get` (with its `key`) or a `range` scan (no key) failed. */
export class StoreReadError extends Data.TaggedError("StoreReadError")<{
  readonly location: string
  readonly key?: string
  readonly cause: unknown
}> {
  override get message(): string {
    const what = this.key === undefined ? "A range read" : `Reading key ${JSON.stringify(this.key)}`
    return `${what} from the store at ${this.location} failed: ${describeCause(this.cause)}`
  }
}

/** Another process (or another open handle in this one) owns the store directory. */
export class StoreLockedError extends Data.TaggedError("StoreLockedError")<{
  readonly directory: string
}> {
  override get message(): string {
    return `The store at ${this.directory} is open in another process (LevelDB lock held); only one process may own a store directory`
  }
}

/** The store directory could not be created or opened for a reason other than the lock. */
export class StoreOpenError extends Data.TaggedError("StoreOpenError")<{
  readonly directory: string
  readonly cause: unknown
}> {
  override get message(): string {
    return `Could not open the store at ${this.directory}: ${describeCause(this.cause)}`
  }
}

/**
 * The store directory cannot prove it holds what it acknowledged (its CURRENT file or its
 * acknowledgement ledger is missing or damaged, or it is not a store at all). Nothing was opened
 * or changed.
 */
export class StoreDamagedError extends Data.TaggedError("StoreDamagedError")<{
  readonly directory: string
  readonly reason: string
}> {
  override get message(): string {
    return `The store at ${this.directory} was not opened, and nothing in it was changed: ${this.reason}`
  }
}
