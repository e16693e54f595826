import { crc32 } from "node:zlib"
import { Data } from "effect"

/** A stored record that is not what was written: truncated, torn or tampered with. */
export class CorruptRecordError extends Data.TaggedError("CorruptRecordError")<{
  readonly key: string
  readonly reason: string
}> {
  override get message(): string {
    return `Stored record ${this.key} is corrupt: ${this.reason}`
  }
}

const hex = (text: string): string => crc32(text).toString(16).padStart(8, "0")

/** `crc32:json`: the checksum covers the JSON text exactly, so any change to it is detected. */
export const encodeRecord = (body: unknown): string => encodeJson(JSON.stringify(body))

/** The same, for JSON text already made. */
export const encodeJson = (json: string): string => `${hex(json)}:${json}`

/** The record's body, checked and given to `parse` (JSON.parse, or a reader that leaves parts as text). */
export const decodeRecord = (key: string, value: string, parse: (json: string) => unknown = JSON.parse): unknown => {
  if (value.charCodeAt(8) !== 58 /* ":" */) throw new CorruptRecordError({ key, reason: "no checksum" })
  const json = value.slice(9)
  // Compared as numbers: recovery checks every journal entry, and formatting each sum costs.
  const expected = Number.parseInt(value.slice(0, 8), 16)
  if (crc32(json) !== expected) throw new CorruptRecordError({ key, reason: `checksum ${hex(json)} does not match ${value.slice(0, 8)}` })
  return parse(json)
}

/** Decodes a record, or says why it cannot be read. */
export const readRecord = (key: string, value: string, parse?: (json: string) => unknown): { readonly body: unknown } | { readonly problem: string } => {
  try {
    return { body: decodeRecord(key, value, parse) }
  } catch (e) {
    if (e instanceof CorruptRecordError || e instanceof SyntaxError) return { problem: e.message }
    throw e
  }
}
