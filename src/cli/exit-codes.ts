/** The command's exit codes (documented in `paperfloor --help` and the README). */
export const ExitCode = {
  ok: 0,
  /** Bad input or a refused command: an invalid config, an unreadable data file, an unknown simulation, a locked store… */
  error: 1,
  /** Wrong usage: an unknown command or option, a missing argument (commander's errors). */
  usage: 2,
  /** An unexpected error: a bug. */
  internal: 3
} as const

/**
 * paperfloor's errors are tagged (`_tag`); the file system's carry a `syscall`. Both are about the
 * input or the machine, and their message says what to fix. Anything else is a bug.
 */
export const exitCodeOf = (error: unknown): number => {
  if (typeof error !== "object" || error === null) return ExitCode.internal
  return typeof (error as { _tag?: unknown })._tag === "string" || typeof (error as { syscall?: unknown }).syscall === "string"
    ? ExitCode.error
    : ExitCode.internal
}
