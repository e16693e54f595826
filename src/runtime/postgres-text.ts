/**
 * What a PostgreSQL store can hold exactly: keys and values are `text`, which cannot contain
 * U+0000, and strings go over the wire as UTF-8, which has no encoding for a lone UTF-16
 * surrogate. A row must also come back within one protocol message. Anything else is refused
 * before a write starts, so a batch is stored exactly or not at all.
 */
import { Data } from "effect"
import type { StoreWrite } from "./simulation-store.ts"
import type { Mark } from "./acknowledgement-ledger.ts"

/** A write the store refused before sending anything: the first key, value or mark it cannot hold. */
export class UnstorableWriteError extends Data.TaggedError("UnstorableWriteError")<{
  /** The key (or simulation id of a mark) at fault. */
  readonly key: string
  readonly field: "key" | "value" | "mark"
  readonly rule: string
}> {
  override get message(): string {
    return `the ${this.field} of ${JSON.stringify(this.key.length > 200 ? `${this.key.slice(0, 200)}…` : this.key)} cannot be stored in PostgreSQL: ${this.rule}`
  }
}

// ES2024 (Node 20+); the project's lib is ES2023. Native: ~8x faster than /\p{Cs}/u on long values.
const isWellFormed = (text: string): boolean => (text as string & { isWellFormed(): boolean }).isWellFormed()

/** Why PostgreSQL text cannot hold `text` unchanged, or undefined when it can. */
const textProblem = (text: string): string | undefined =>
  text.includes("\u0000")
    ? "it contains a NUL character (U+0000), which PostgreSQL text cannot hold"
    : isWellFormed(text)
      ? undefined
      : "it contains a lone UTF-16 surrogate, which UTF-8 cannot encode (it would come back as U+FFFD)"

/** Bytes a DataRow adds around its fields, with room to spare. */
const rowOverhead = 1024

/**
 * The first problem of a batch, or undefined. `maxRowBytes` is the client's largest readable
 * message: a longer row could be written but never read back.
 */
export const findUnstorable = (
  batch: ReadonlyArray<StoreWrite>,
  marks: ReadonlyArray<Mark>,
  maxRowBytes: number
): UnstorableWriteError | undefined => {
  for (const op of batch) {
    const keyProblem = textProblem(op.key)
    if (keyProblem !== undefined) return new UnstorableWriteError({ key: op.key, field: "key", rule: keyProblem })
    if (op.type === "del") continue
    const valueProblem = textProblem(op.value)
    if (valueProblem !== undefined) return new UnstorableWriteError({ key: op.key, field: "value", rule: valueProblem })
    // UTF-8 takes at most 3 bytes per UTF-16 unit: the exact count is only needed near the limit.
    if ((op.key.length + op.value.length) * 3 + rowOverhead > maxRowBytes) {
      const bytes = Buffer.byteLength(op.key) + Buffer.byteLength(op.value)
      if (bytes + rowOverhead > maxRowBytes)
        return new UnstorableWriteError({
          key: op.key,
          field: "value",
          rule: `key and value take ${bytes} bytes in UTF-8, more than the ${maxRowBytes - rowOverhead} a row may take to be read back (the client's maxMessageSize is ${maxRowBytes})`
        })
    }
  }
  for (const [id, seq] of marks) {
    const idProblem = textProblem(id)
    if (idProblem !== undefined) return new UnstorableWriteError({ key: id, field: "mark", rule: idProblem })
    if (!Number.isSafeInteger(seq) || seq < 0) return new UnstorableWriteError({ key: id, field: "mark", rule: `its sequence number ${seq} is not a non-negative safe integer` })
  }
  return undefined
}

/**
 * A range bound with a NUL, made NUL-free without changing which storable keys it admits: no
 * stored key holds U+0000, so for every stored key `k`, `k ≥ "x\0…"` iff `k ≥ "x\u0001"`, and
 * `k < "x\0…"` iff `k < "x\u0001"`.
 */
export const storableBound = (bound: string): string => {
  const nul = bound.indexOf("\u0000")
  return nul < 0 ? bound : `${bound.slice(0, nul)}\u0001`
}
