/**
 * What a command prints. Results go to stdout: readable text, or with `--json` one JSON document
 * and nothing else. Progress and diagnostics go to stderr.
 */
import { isAbsolute, relative } from "node:path"

export const printJson = (value: unknown): void => {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`)
}

// C0 controls but tab and newline, DEL, and C1 controls: what a terminal acts on instead of showing.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g

/**
 * Text as a terminal should show it: a control character becomes a visible escape (`\u001b`). A
 * model's message, its params or a file's contents can hold any; printed as they are, they could
 * retitle the terminal, clear it, or overwrite what was printed (`\r`).
 */
export const printable = (text: string): string => text.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)

export const printText = (...lines: ReadonlyArray<string>): void => {
  process.stdout.write(`${printable(lines.join("\n"))}\n`)
}

/** A path as a reader wants it: relative to the working directory when it is below it. */
export const shownPath = (path: string): string => {
  const rel = relative(process.cwd(), path)
  return rel === "" ? "." : rel.startsWith("..") || isAbsolute(rel) ? path : rel
}
