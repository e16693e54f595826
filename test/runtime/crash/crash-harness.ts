// The crash harness shared by the crash test and `npm run soak`: a campaign runs the workload in
// a child process, SIGKILLs it at planned moments, restarts it until it finishes, checks on every
// restart that what was acknowledged survived, and finally compares the store's simulation with
// an uninterrupted run.
import { type ChildProcess, spawn } from "node:child_process"
import { createHash } from "node:crypto"
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { createInterface } from "node:readline"
import { fileURLToPath } from "node:url"
import { isDeepStrictEqual } from "node:util"
import { Effect, Layer } from "effect"
import type { Fill } from "../../../src/domain/fill.ts"
import { LevelDbStore } from "../../../src/runtime/leveldb-store.ts"
import { ModelCatalog } from "../../../src/runtime/model-catalog.ts"
import { SimulationSupervisor } from "../../../src/runtime/simulation-supervisor.ts"
import { buildWorkload, deriveSeed, modelFactories, prng, type Prng, SIMULATION_ID, uninterruptedRun, type Workload } from "./crash-workload.ts"

const childScript = fileURLToPath(new URL("./crash-child.ts", import.meta.url))
const repoRoot = fileURLToPath(new URL("../../../", import.meta.url))
// The real Node 22 binary (a symlink, not a shim): a SIGKILL must reach the process doing the work.
const node = fileURLToPath(new URL("../../../node_modules/.bin/node", import.meta.url))

export interface CampaignOptions {
  /** A fresh directory for this campaign: the store and the workload file go inside. */
  readonly root: string
  readonly seed: number
  /** Workload length (start and stop included). */
  readonly inputs: number
  /** Planned kills; each one that lands on a running child counts. */
  readonly kills: number
  readonly snapshotEvery?: number
}

/** Where a kill was aimed: during startup, right when the child reported ready, or mid-stream after an ack. */
export type KillPlan =
  | { readonly flavour: "spawn"; readonly delayMs: number }
  | { readonly flavour: "ready" }
  | { readonly flavour: "stream"; readonly target: number; readonly jitterMs: number }

export interface KillRecord {
  readonly run: number
  readonly plan: KillPlan
  /** Where recovery had resumed this run (null: killed before it reported ready). */
  readonly resumedAt: number | null
  /** The last `sent` and `ack` the killed child printed (0: none). */
  readonly sent: number
  readonly acked: number
  /** Where the next run that got as far as ready resumed: must be ≥ every ack so far and ≤ every sent. */
  durableAfter: number | null
}

export interface CampaignResult {
  readonly seed: number
  readonly kills: ReadonlyArray<KillRecord>
  readonly runs: number
  /** A planned kill the child outran (it finished first, e.g. while this process was starved of CPU): the campaign ends there. */
  readonly missedKill: KillPlan | null
  readonly durationMs: number
  /** Journal tails dropped and snapshots skipped by recovery, over all restarts. */
  readonly tornTails: number
  readonly badSnapshots: number
  readonly verification: Verification | null
  /** Source files that changed while the campaign ran (restarted children load the code anew): a failure then proves nothing. */
  readonly sourcesChanged: ReadonlyArray<string>
  /** Empty when the campaign passed. */
  readonly problems: ReadonlyArray<string>
}

export interface Verification {
  /** Where the recovered journal ends: every input accepted exactly once means the workload's length. */
  readonly seq: number
  readonly fills: number
  readonly expectedFills: number
  /** Fill keys (order id @ update index) seen twice, missing, or not in the uninterrupted run. */
  readonly duplicateFills: number
  readonly lostFills: number
  readonly extraFills: number
  readonly snapshotIdentical: boolean
  readonly problems: ReadonlyArray<string>
}

interface ChildRun {
  readonly signal: NodeJS.Signals | null
  readonly exitCode: number | null
  readonly ready: { readonly durable: number; readonly fingerprint: string; readonly tornTail: number; readonly badSnapshots: number } | null
  readonly sent: number
  readonly acked: number
  readonly done: boolean
  readonly failure: string | null
  readonly stderr: string
}

/** A hash per source file the children load. The working tree may be edited while a campaign runs. */
const sourceHashes = (): Map<string, string> => {
  const hashes = new Map<string, string>()
  for (const dir of ["src", "machines", "test/runtime/crash"])
    for (const entry of readdirSync(path.join(repoRoot, dir), { recursive: true, withFileTypes: true }))
      if (entry.isFile() && entry.name.endsWith(".ts")) {
        const file = path.join(entry.parentPath, entry.name)
        hashes.set(path.relative(repoRoot, file), createHash("sha1").update(readFileSync(file)).digest("hex"))
      }
  return hashes
}

const changedSources = (before: Map<string, string>, after: Map<string, string>): string[] =>
  [...new Set([...before.keys(), ...after.keys()])].filter((file) => before.get(file) !== after.get(file))

export const storeDirectory = (root: string): string => path.join(root, "store")

/** The inputs as the child reads them: generating them in every restarted child would cost ~0.5 s each. */
const writeWorkloadFile = (root: string, workload: Workload): string => {
  const file = path.join(root, "workload.json")
  writeFileSync(file, JSON.stringify({ inputs: workload.inputs, updatesBefore: [...workload.updatesBefore] }))
  return file
}

/**
 * Kills planned for one campaign: mostly mid-stream (after an ack at a rising target, so the kill
 * lands inside the next batches: applying, committing, snapshotting or acknowledging), some at
 * startup (module load, store open, recovery) and some right at ready (the first batch).
 */
export const planKills = (rng: Prng, kills: number, inputs: number): KillPlan[] => {
  const flavours = Array.from({ length: kills }, (): KillPlan["flavour"] => {
    const r = rng.next()
    return r < 0.12 ? "spawn" : r < 0.22 ? "ready" : "stream"
  })
  // The last kill is mid-stream: a startup kill that late could find the child already finished.
  const lastStream = flavours.lastIndexOf("stream")
  if (lastStream >= 0) {
    flavours[lastStream] = flavours[kills - 1]!
    flavours[kills - 1] = "stream"
  }
  // Targets stop short of the end, so a kill still finds the child working.
  const margin = Math.min(60, Math.floor(inputs / 10))
  const targets = flavours
    .filter((f) => f === "stream")
    .map(() => rng.between(1, Math.max(1, inputs - margin)))
    .sort((a, b) => a - b)
  return flavours.map((flavour): KillPlan =>
    flavour === "spawn"
      ? { flavour, delayMs: rng.int(900) }
      : flavour === "ready"
        ? { flavour }
        : { flavour, target: targets.shift()!, jitterMs: rng.chance(0.5) ? 0 : rng.between(1, 4) }
  )
}

/** Runs the child once; kills it as `plan` says (never, if undefined). Resolves when it has exited and its output is read. */
const runChild = (store: string, workloadFile: string, options: { snapshotEvery: number; seed: number }, plan: KillPlan | undefined) =>
  new Promise<ChildRun>((resolve, reject) => {
    const child: ChildProcess = spawn(
      node,
      [childScript, store, workloadFile, "--snapshot-every", String(options.snapshotEvery), "--seed", String(options.seed)],
      { stdio: ["ignore", "pipe", "pipe"] }
    )
    let ready: ChildRun["ready"] = null
    let sent = 0
    let acked = 0
    let done = false
    let failure: string | null = null
    let stderr = ""
    let killed = false
    const kill = () => {
      if (killed) return
      killed = true
      child.kill("SIGKILL")
    }
    const timer = plan?.flavour === "spawn" ? setTimeout(kill, plan.delayMs) : undefined
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
    // Lines printed before the kill are still in the pipe and are read after it: they count.
    createInterface({ input: child.stdout! }).on("line", (line) => {
      if (!line.startsWith("@@ ")) return
      const [event, ...rest] = line.slice(3).split(" ")
      switch (event) {
        case "ready":
          ready = { durable: Number(rest[0]), fingerprint: rest[1] ?? "", tornTail: Number(rest[2]), badSnapshots: Number(rest[3]) }
          if (plan?.flavour === "ready") kill()
          break
        case "sent":
          sent = Math.max(sent, Number(rest[0]))
          break
        case "ack":
          acked = Math.max(acked, Number(rest[0]))
          if (plan?.flavour === "stream" && acked >= plan.target && !killed) {
            if (plan.jitterMs === 0) kill()
            else setTimeout(kill, plan.jitterMs)
          }
          break
        case "done":
          done = true
          break
        case "fail":
          failure = rest.join(" ")
          break
      }
    })
    child.on("error", reject)
    child.on("close", (exitCode, signal) => {
      clearTimeout(timer)
      resolve({ signal, exitCode, ready, sent, acked, done, failure, stderr })
    })
  })

/** One campaign: kills until the plan is used up, then a final run to the end, then verification. */
export const runCampaign = async (options: CampaignOptions): Promise<CampaignResult> => {
  const started = performance.now()
  const sources = sourceHashes()
  const sourcesChanged = new Set<string>()
  const snapshotEvery = options.snapshotEvery ?? 50
  const workload = buildWorkload(options.inputs, options.seed)
  mkdirSync(options.root, { recursive: true })
  const store = storeDirectory(options.root)
  const workloadFile = writeWorkloadFile(options.root, workload)
  const plans = planKills(prng(deriveSeed(options.seed, 1)), options.kills, options.inputs)
  const kills: KillRecord[] = []
  const problems: string[] = []
  let maxSent = 0
  let maxAcked = 0
  let lastDurable = 0
  let tornTails = 0
  let badSnapshots = 0
  let runs = 0
  let finished = false
  let missedKill: KillPlan | null = null

  // A bounded number of extra runs after the plan: the final one should finish at once.
  for (let i = 0; i < plans.length + 3 && !finished && problems.length === 0; i++) {
    const plan = plans[i]
    const run = await runChild(store, workloadFile, { snapshotEvery, seed: deriveSeed(options.seed, 2, i) }, plan)
    runs += 1
    for (const file of changedSources(sources, sourceHashes())) sourcesChanged.add(file)
    if (run.ready !== null) {
      const { durable, fingerprint } = run.ready
      tornTails += run.ready.tornTail
      badSnapshots += run.ready.badSnapshots
      if (fingerprint !== workload.fingerprint) problems.push(`run ${i}: child workload fingerprint ${fingerprint}, expected ${workload.fingerprint}`)
      // Acknowledged ⇒ durable; and nothing durable that was never sent, nor any going backwards.
      if (durable < maxAcked) problems.push(`run ${i}: resumed at ${durable}, but inputs up to ${maxAcked} had been acknowledged (lost acknowledged inputs)`)
      if (durable > maxSent) problems.push(`run ${i}: resumed at ${durable}, but only inputs up to ${maxSent} were ever sent`)
      if (durable < lastDurable) problems.push(`run ${i}: resumed at ${durable}, behind an earlier resume at ${lastDurable}`)
      for (const k of kills) if (k.durableAfter === null) k.durableAfter = durable
      lastDurable = durable
    }
    maxSent = Math.max(maxSent, run.sent)
    maxAcked = Math.max(maxAcked, run.acked)
    if (run.signal === "SIGKILL") {
      kills.push({ run: i, plan: plan!, resumedAt: run.ready?.durable ?? null, sent: run.sent, acked: run.acked, durableAfter: null })
    } else if (run.exitCode === 0 && run.done) {
      finished = true
      missedKill = plan ?? null
    } else {
      problems.push(
        `run ${i}: child exited with ${run.signal ?? `code ${run.exitCode}`}${run.failure === null ? "" : `: ${run.failure}`}` +
          (run.stderr === "" ? "" : `\n${run.stderr.trim().slice(-2000)}`)
      )
    }
  }
  if (!finished && problems.length === 0) problems.push(`the child did not finish within ${plans.length + 3} runs`)

  const verification = problems.length === 0 ? await verifyStore(store, workload, snapshotEvery) : null
  if (verification !== null) problems.push(...verification.problems)
  return {
    seed: options.seed,
    kills,
    runs,
    missedKill,
    durationMs: performance.now() - started,
    tornTails,
    badSnapshots,
    verification,
    sourcesChanged: [...sourcesChanged],
    problems: sourcesChanged.size > 0 && problems.length > 0 ? [...problems, `(sources changed during the campaign: ${[...sourcesChanged].join(", ")})`] : problems
  }
}

export interface RoundsOptions {
  /** Each round's store goes in a fresh directory under this one; a passing round's is deleted. */
  readonly base: string
  readonly seed: number
  /** Kills to land in total; rounds continue until they have. */
  readonly kills: number
  readonly killsPerRound: number
  readonly inputs: number
  readonly snapshotEvery?: number
  readonly onRound?: (round: number, result: CampaignResult, note: string | null) => void
}

export interface RoundsResult {
  readonly rounds: ReadonlyArray<CampaignResult>
  readonly kills: number
  /** The first failing round, whose store is kept at `failedRoot`. */
  readonly failed: CampaignResult | null
  readonly failedRoot: string | null
}

/**
 * Campaigns, each with its own seed, store and workload, until `kills` kills have landed (a
 * round can land fewer than planned when the child outruns a kill). Stops at the first failure.
 */
export const runRounds = async (options: RoundsOptions): Promise<RoundsResult> => {
  const rounds: CampaignResult[] = []
  let kills = 0
  let retries = 0
  for (let round = 0; kills < options.kills; round++) {
    const root = path.join(options.base, `round-${round}${retries > 0 ? `-retry-${retries}` : ""}`)
    const result = await runCampaign({
      root,
      seed: deriveSeed(options.seed, round),
      inputs: options.inputs,
      kills: Math.min(options.killsPerRound, options.kills - kills),
      snapshotEvery: options.snapshotEvery ?? 50
    })
    // Restarted children load the code anew: a failure while someone edits the tree says nothing about the runtime.
    if (result.problems.length > 0 && result.sourcesChanged.length > 0 && retries < 2) {
      options.onRound?.(round, result, `failed while sources changed (${result.sourcesChanged.join(", ")}); repeating the round, store kept at ${root}`)
      retries += 1
      round -= 1
      continue
    }
    retries = 0
    rounds.push(result)
    kills += result.kills.length
    if (result.problems.length > 0) {
      options.onRound?.(round, result, null)
      return { rounds, kills, failed: result, failedRoot: root }
    }
    rmSync(root, { recursive: true, force: true })
    options.onRound?.(round, result, result.missedKill === null ? null : `the child outran a planned kill (${describePlan(result.missedKill)})`)
    if (result.kills.length === 0) throw new Error(`round ${round} landed no kill: the workload is too short for the plan`)
  }
  return { rounds, kills, failed: null, failedRoot: null }
}

const fillKey = (f: Fill): string => `${f.orderId}@${f.updateIndex}`

const duplicates = (fills: ReadonlyArray<Fill>): string[] => {
  const seen = new Set<string>()
  const dup: string[] = []
  for (const f of fills) {
    const key = fillKey(f)
    if (seen.has(key)) dup.push(key)
    seen.add(key)
  }
  return dup
}

/** Where two JSON texts first differ, with some context: enough to start debugging a mismatch. */
const firstDifference = (a: string, b: string): string => {
  let i = 0
  while (i < a.length && i < b.length && a[i] === b[i]) i++
  return `at character ${i}: recovered …${a.slice(Math.max(0, i - 80), i + 80)}… vs uninterrupted …${b.slice(Math.max(0, i - 80), i + 80)}…`
}

/**
 * Opens the store in this process through the runtime (LevelDbStore + SimulationSupervisor, so
 * through recovery) and compares the simulation with an uninterrupted in-memory run of the same
 * inputs: byte-identical snapshot JSON, the same fills (none lost, none twice), orders, metrics.
 */
export const verifyStore = async (directory: string, workload: Workload, snapshotEvery = 50): Promise<Verification> => {
  const layer = SimulationSupervisor.layer({ snapshotEvery }).pipe(
    Layer.provide(Layer.merge(LevelDbStore.layer({ directory }), ModelCatalog.layer(modelFactories)))
  )
  const found = await Effect.runPromise(
    Effect.gen(function* () {
      const supervisor = yield* SimulationSupervisor
      const recovered = supervisor.recovered.find((r) => r.id === SIMULATION_ID)
      if (recovered === undefined) return null
      return yield* supervisor.inspect(SIMULATION_ID, (instance) => ({
        seq: recovered.seq,
        snapshot: JSON.stringify(instance.snapshot()),
        fills: [...instance.engine.getFills()],
        orders: instance.engine.getOrders(),
        metrics: instance.engine.getPerformanceMetrics(),
        portfolio: JSON.stringify(instance.engine.getPortfolio()),
        status: instance.engine.status
      }))
    }).pipe(Effect.provide(layer))
  )
  if (found === null)
    return {
      seq: 0,
      fills: 0,
      expectedFills: 0,
      duplicateFills: 0,
      lostFills: 0,
      extraFills: 0,
      snapshotIdentical: false,
      problems: [`simulation ${SIMULATION_ID} was not recovered from ${directory}`]
    }

  const reference = uninterruptedRun(workload)
  const expected = {
    snapshot: JSON.stringify(reference.snapshot()),
    fills: reference.engine.getFills(),
    orders: reference.engine.getOrders(),
    metrics: reference.engine.getPerformanceMetrics(),
    portfolio: JSON.stringify(reference.engine.getPortfolio())
  }
  const problems: string[] = []
  const total = workload.inputs.length
  if (found.seq !== total) problems.push(`the journal ends at ${found.seq}, expected ${total} (every input accepted once)`)
  if (found.status !== "stopped") problems.push(`status ${found.status}, expected stopped`)

  const dup = duplicates(found.fills)
  if (dup.length > 0) problems.push(`${dup.length} duplicated fills, first ${dup.slice(0, 5).join(", ")}`)
  if (duplicates(expected.fills).length > 0) problems.push("the uninterrupted run itself has duplicate fill keys (harness bug)")
  const have = new Set(found.fills.map(fillKey))
  const want = new Set(expected.fills.map(fillKey))
  const lost = [...want].filter((k) => !have.has(k))
  const extra = [...have].filter((k) => !want.has(k))
  if (lost.length > 0) problems.push(`${lost.length} lost fills, first ${lost.slice(0, 5).join(", ")}`)
  if (extra.length > 0) problems.push(`${extra.length} fills the uninterrupted run does not have, first ${extra.slice(0, 5).join(", ")}`)
  if (found.fills.length !== expected.fills.length) problems.push(`${found.fills.length} fills, expected ${expected.fills.length}`)
  else if (!isDeepStrictEqual(found.fills, expected.fills)) problems.push("the fills differ in content or order from the uninterrupted run")

  if (!isDeepStrictEqual(found.orders, expected.orders)) problems.push("the orders differ from the uninterrupted run")
  if (!isDeepStrictEqual(found.metrics, expected.metrics))
    problems.push(`metrics differ: ${JSON.stringify(found.metrics)} vs ${JSON.stringify(expected.metrics)}`)
  if (found.portfolio !== expected.portfolio) problems.push(`portfolio differs: ${firstDifference(found.portfolio, expected.portfolio)}`)
  if (found.snapshot !== expected.snapshot) problems.push(`snapshot JSON differs ${firstDifference(found.snapshot, expected.snapshot)}`)
  return {
    seq: found.seq,
    fills: found.fills.length,
    expectedFills: expected.fills.length,
    duplicateFills: dup.length,
    lostFills: lost.length,
    extraFills: extra.length,
    snapshotIdentical: found.snapshot === expected.snapshot,
    problems
  }
}

const describePlan = (plan: KillPlan): string =>
  plan.flavour === "spawn" ? `spawn+${plan.delayMs}ms` : plan.flavour === "ready" ? "at ready" : `ack≥${plan.target}${plan.jitterMs > 0 ? `+${plan.jitterMs}ms` : ""}`

/** A campaign's kill points, compactly: for a bug report or a failed assertion. */
export const describeKills = (kills: ReadonlyArray<KillRecord>): string =>
  kills
    .map((k) => `#${k.run} ${describePlan(k.plan)}: resumed ${k.resumedAt ?? "-"}, sent ${k.sent}, acked ${k.acked}, next resume ${k.durableAfter ?? "-"}`)
    .join("\n")
