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
import { runnerCommand } from "./commands/runner.ts"
import { serveCommand } from "./commands/serve.ts"
import { startCommand } from "./commands/start.ts"
import { statusCommand } from "./commands/status.ts"
import { stopCommand } from "./commands/stop.ts"
import { validateCommand } from "./commands/validate.ts"
import { ExitCode, exitCodeOf } from "./exit-codes.ts"
import { printable } from "./output.ts"
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
  diagramCommand,
  serveCommand,
  runnerCommand
])
  add(program)

const oneLine = (text: string) => text.replace(/\s*\n\s*/g, " ").trim()

// A reader that has seen enough closes the pipe (`paperfloor results x --json | head`): the rest of
// the output has nowhere to go, which is no error of the command.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code !== "EPIPE") throw error
})

const report = (error: unknown) => {
  if (error instanceof CommanderError) {
    // Commander has printed the message (or the help or version, which exit 0).
    process.exitCode = error.exitCode === 0 ? ExitCode.ok : ExitCode.usage
    return
  }
  const code = exitCodeOf(error)
  const message = error instanceof Error ? error.message : String(error)
  const verbose = program.opts().verbose === true
  process.stderr.write(`error: ${printable(oneLine(message))}${code === ExitCode.internal && !verbose ? " (unexpected: a bug; --verbose shows the stack trace)" : ""}\n`)
  if (verbose) process.stderr.write(`${printable(error instanceof Error ? (error.stack ?? message) : message)}\n`)
  process.exitCode = code
}

// Not a top-level await: when the command waits on something that can never settle (a model
// module's own top-level await), Node ends the process with nothing left to run, and this says so
// instead of Node's exit 13 and its warning about this file.
let finished = false
process.on("exit", (code) => {
  // A non-zero code here is a crash Node has already reported.
  if (finished || code !== 0) return
  process.stderr.write("error: the command stopped before it finished: something it waited for never settles (a model module's top-level await, say)\n")
  process.exitCode = ExitCode.internal
})
program
  .parseAsync(process.argv)
  .catch(report)
  .finally(() => {
    finished = true
  })
