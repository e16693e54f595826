/**
 * What a command prints. Results go to stdout: readable text, or with `--json` one JSON document
 * and nothing else. Progress and diagnostics go to stderr.
 */
import { isAbsolute, relative } from "node:path"

export const printJson = (value: unknown): void => {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`)
}

export const printText = (...lines: ReadonlyArray<string>): void => {
  process.stdout.write(`${lines.join("\n")}\n`)
}

/** A path as a reader wants it: relative to the working directory when it is below it. */
export const shownPath = (path: string): string => {
  const rel = relative(process.cwd(), path)
  return rel === "" ? "." : rel.startsWith("..") || isAbsolute(rel) ? path : rel
}
