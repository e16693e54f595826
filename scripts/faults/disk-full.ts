/**
 * A full disk while feeding (issue 9, item 1), on a real filesystem: a 6 MiB tmpfs mounted for the
 * trial (as root; a machine that cannot mount one skips the fault and says so). Deployments are
 * fed while a file fills the disk to a random 8–256 KiB short of full; feeding goes on through the
 * refusals; then the file is deleted, each deployment gets 3 more calls and is stopped, the stack
 * is closed, and a new one over the same files is judged.
 */
import { execFileSync } from "node:child_process"
import { cpSync, mkdirSync, unlinkSync } from "node:fs"
import * as path from "node:path"
import { captureExpected } from "./expectations.ts"
import type { Fault } from "./fault.ts"
import { openStack } from "./stack.ts"
import { judgeRoot } from "./verdict.ts"
import { type CallFailure, deployAll, feedRounds, plansFor, stopOne } from "./workload.ts"

const SIZE = "6m"

/** Mounts a tmpfs of SIZE at `at`; the reason when this machine cannot. */
const mountTmpfs = (at: string): string | undefined => {
  mkdirSync(at, { recursive: true })
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${SIZE}`, "tmpfs", at], { stdio: ["ignore", "ignore", "pipe"] })
    return undefined
  } catch (e) {
    // mount's first line, without the path it repeats ("mount: <path>: must be superuser…").
    return ((e as { stderr?: Buffer }).stderr?.toString().trim() || (e as Error).message).split("\n")[0]!.replace(/^mount: [^:]*: /, "")
  }
}

/** Fills the filesystem with one file until `leave` bytes are free. */
const fill = (mount: string, leave: number): string => {
  const filler = path.join(mount, "filler")
  const free = Number(execFileSync("df", ["--output=avail", "-B1", mount]).toString().split("\n")[1])
  execFileSync("fallocate", ["-l", String(Math.max(1, free - leave)), filler])
  return filler
}

/** Failures by tag, e.g. "StoreWriteError × 12". */
const tally = (failures: ReadonlyArray<CallFailure>): string => {
  const counts = new Map<string, number>()
  for (const { error } of failures) {
    const tag = (error as { _tag?: unknown })._tag
    const key = typeof tag === "string" ? tag : error instanceof Error ? error.constructor.name : typeof error
    counts.set(key, (counts.get(key) ?? 0) + 1)
  }
  return [...counts].map(([k, n]) => `${k} × ${n}`).join(", ")
}

/**
 * Refused calls after which getSimulationStatus still counted the refused updates: state that is
 * in no store, and that a caller resuming a feed from the status would skip.
 */
const dirtyReads = (refused: ReadonlyArray<CallFailure>, afterFreeing: ReadonlyArray<string>): string => {
  const dirty = refused.filter((f) => f.shownAfter !== undefined && f.shownAfter > f.before)
  if (dirty.length === 0 && afterFreeing.length === 0) return ""
  const f = dirty[0]
  return (
    `; getSimulationStatus counted the refused updates after ${dirty.length} of the refusals` +
    (f === undefined ? "" : ` (e.g. ${f.id}: ${f.call} refused with ${f.before} held, status then ${f.shownAfter})`) +
    (afterFreeing.length === 0
      ? ""
      : `, and with the disk freed, before the next call, for ${afterFreeing.length} deployments (${afterFreeing.slice(0, 2).join(", ")}${afterFreeing.length > 2 ? ", …" : ""})`)
  )
}

export interface DiskFullOptions {
  readonly deployments: number
  /** Refused calls to collect before the disk is freed. */
  readonly refusals: number
  /** Each round's calls in flight together (see feedRounds). */
  readonly concurrent: boolean
  readonly trials: number
}

export const diskFull = (options: DiskFullOptions): Fault => ({
  name: `disk full (${SIZE.replace("m", " MiB")} tmpfs)${options.concurrent ? ", concurrent calls" : ""}`,
  trials: options.trials,
  run: async (context, random, directory) => {
    const mount = path.join(directory, "tmpfs")
    const cannot = mountTmpfs(mount)
    if (cannot !== undefined) return { what: "", skipped: `cannot mount (${cannot})`, verdicts: [], acknowledged: 0, notes: [] }
    try {
      const root = path.join(mount, "root")
      const stack = openStack(root)
      const acks = await deployAll(stack, plansFor(options.deployments))
      const leave = random.int(8, 256) * 1024
      const filler = fill(mount, leave)
      // Feed through the refusals until enough have come back (or the disk never fills).
      const refused: CallFailure[] = []
      let calls = 0
      while (refused.length < options.refusals && calls < 2000) {
        refused.push(...(await feedRounds(stack, acks, random, 1, options.concurrent)))
        calls += acks.length
      }
      unlinkSync(filler)
      // What a caller that resumes a feed reads first: it must not show refused updates as held.
      const shown = await Promise.all(acks.map((a) => stack.paper.getSimulationStatus(a.id).then((s) => s.updates, () => undefined)))
      const overstated = acks.flatMap((a, i) => (shown[i] !== undefined && shown[i]! > a.updates.length ? [`${a.id} ${shown[i]} of ${a.updates.length}`] : []))
      const after = await feedRounds(stack, acks, random, 3, options.concurrent)
      for (const ack of acks) {
        const failure = await stopOne(stack, ack)
        if (failure !== undefined) after.push(failure)
      }
      const notes = [
        (refused.length === 0 ? `the disk never filled in ${calls} calls` : `${refused.length} of ${calls} calls refused while full (${tally(refused)})`) + dirtyReads(refused, overstated),
        ...after.map((f) => `after freeing the disk, ${f.id} ${f.call} failed: ${f.error instanceof Error ? f.error.message : String(f.error)}`),
        ...acks.filter((a) => a.uncertain).map((a) => `${a.id}: holds more updates than were acknowledged (a refused call reached the store); its results are not compared with an uninterrupted run`)
      ]
      const expected = await captureExpected(stack, acks)
      await stack.paper.close()
      // The files as the process left them, kept beside the trial in case it fails.
      cpSync(root, path.join(directory, "root-before-reopen"), { recursive: true })
      const verdicts = await judgeRoot(root, expected, context.references)
      return {
        what: `${options.deployments} deployments, filled to ${leave / 1024} KiB free`,
        verdicts,
        acknowledged: acks.reduce((n, a) => n + a.updates.length, 0),
        notes
      }
    } finally {
      execFileSync("umount", ["-l", mount])
    }
  }
})
