#!/usr/bin/env node
// The `paperfloor` command. Every subcommand is in ./commands; `paperfloor --help` lists them.
import { Console } from "node:console"
import { CommanderError } from "@commander-js/extra-typings"
import { compareCommand } from "./commands/compare.ts"
import { deployCommand } from "./commands/deploy.ts"
import { diagramCommand } from "./commands/diagram.ts"
import { listCommand } from "./commands/list.ts"
import { pauseCommand } from "./commands/pause.ts"
import { reportCommand } from "./commands/report.ts"
import { resultsCommand } from "./commands/results.ts"
import { resumeCommand } from "./commands/resume.ts"
import { runCommand } from "./commands/run.ts"
import { startCommand } from "./commands/start.ts"
import { statusCommand } from "./commands/status.ts"
import { stopCommand } from "./commands/stop.ts"
import { validateCommand } from "./commands/validate.ts"
import { ExitCode, exitCodeOf } from "./exit-codes.ts"
import { packageVersion } from "../report/package-version.ts"
import { rootCommand } from "./program.ts"

// stdout carries only the command's output (so --json stays parseable): whatever the libraries
// log through the console (the runtime's warnings) goes to stderr.
globalThis.console = new Console({ stdout: process.stderr, stderr: process.stderr })

const program = rootCommand(packageVersion())
for (const add of [
  runCommand,
  deployCommand,
  startCommand,
  stopCommand,
  pauseCommand,
  resumeCommand,
  statusCommand,
  listCommand,
  resultsCommand,
  reportCommand,
  compareCommand,
  validateCommand,
  diagramCommand
])
  add(program)

const oneLine = (text: string) => text.replace(/\s*\n\s*/g, " ").trim()

try {
  await program.parseAsync(process.argv)
} catch (error) {
  if (error instanceof CommanderError) {
    // Commander has printed the message (or the help or version, which exit 0).
    process.exitCode = error.exitCode === 0 ? ExitCode.ok : ExitCode.usage
  } else {
    const code = exitCodeOf(error)
    const message = error instanceof Error ? error.message : String(error)
    const verbose = program.opts().verbose === true
    process.stderr.write(`error: ${oneLine(message)}${code === ExitCode.internal && !verbose ? " (unexpected: a bug; --verbose shows the stack trace)" : ""}\n`)
    if (verbose) process.stderr.write(`${error instanceof Error ? (error.stack ?? message) : message}\n`)
    process.exitCode = code
  }
}
