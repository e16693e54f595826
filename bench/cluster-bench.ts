/**
 * Simulations as cluster entities (issue 15): durable updates/s and simulations held with 1, 2 and
 * 4 runner processes, measured in one run (the scaling ratio), each runner's memory per simulation
 * held and PostgreSQL's write cost per update; then the time for a SIGKILLed runner's simulations
 * to move and answer again. Runners are test/runtime/cluster/runner-child.ts processes on loopback,
 * the client is this process (ClusterSupervisor), PostgreSQL a throwaway cluster on the same
 * machine (fsync and synchronous_commit on): everything shares the same cores. Prints its own
 * lines; `npm run bench -- cluster` runs it.
 */
import { readFileSync } from "node:fs"
import * as os from "node:os"
import { Effect } from "effect"
import { ClusterSupervisor } from "../src/runtime/cluster/cluster-supervisor.ts"
import { type SimulationInput, SimulationSupervisor } from "../src/runtime/index.ts"
import { startLocalPostgres } from "../scripts/local-postgres.ts"
import { freshDatabase, type RunnerProcess, startRunner, withSql } from "../test/runtime/cluster/cluster-harness.ts"

const SIMULATIONS = 200
const UPDATES = 200
/** Updates per Submit message. */
const BATCH = 10
const ROUNDS = 3
const config = { symbols: ["A", "B"], dailyStopLoss: null }
const firstTime = Date.UTC(2024, 0, 2, 14, 30)

const update = (k: number, i: number): SimulationInput => ({
  type: "marketUpdate",
  update: { time: firstTime + i * 60_000, prices: { A: 100 + ((i * 7 + k) % 13), B: 50 + (i % 5) } }
})

const ids = Array.from({ length: SIMULATIONS }, (_, k) => `s${k}`)
const median = (xs: ReadonlyArray<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const rssMiB = (runner: RunnerProcess): number => {
  const line = readFileSync(`/proc/${runner.child.pid}/status`, "utf8").split("\n").find((l) => l.startsWith("VmRSS:"))
  return Number(line?.match(/\d+/)?.[0] ?? 0) / 1024
}

/** The process's CPU seconds so far (user + system, from /proc; clock ticks of 1/100 s). */
const cpuSeconds = (runner: RunnerProcess): number => {
  const fields = readFileSync(`/proc/${runner.child.pid}/stat`, "utf8").split(") ")[1]!.split(" ")
  return (Number(fields[11]) + Number(fields[12])) / 100
}

/**
 * WAL bytes and committed transactions so far, server-wide (only this benchmark's database is
 * busy). pg_stat_database's counts reach it within about a second: approximate over a run.
 */
const pgCounters = (url: string) =>
  withSql(url, (sql) =>
    Effect.map(
      sql<{ wal: string; commits: string }>`SELECT pg_current_wal_lsn() - '0/0'::pg_lsn AS wal, (SELECT sum(xact_commit) FROM pg_stat_database) AS commits`,
      (rows) => ({ wal: Number(rows[0]!.wal), commits: Number(rows[0]!.commits) })
    )
  )

interface Figures {
  readonly runners: number
  readonly updatesPerSecond: number
  readonly rssBeforeMiB: ReadonlyArray<number>
  readonly rssAfterMiB: ReadonlyArray<number>
  readonly walBytesPerUpdate: number
  readonly commitsPerMessage: number
  readonly storedBytesPerSimulation: number
  /** The runners' CPU time per update (all of them), in microseconds. */
  readonly runnerCpuMicrosPerUpdate: number
  /** Simulations the runners hold between them at the end. */
  readonly held: number
}

const measure = async (serverUrl: string, runnerCount: number): Promise<Figures> => {
  const url = await freshDatabase(serverUrl, `bench${runnerCount}`)
  const runners = await Promise.all(Array.from({ length: runnerCount }, () => startRunner(url)))
  try {
    // The runners settle (shards acquired) before their idle size is read.
    await new Promise((r) => setTimeout(r, 3_000))
    const rssBeforeMiB = runners.map(rssMiB)
    const layer = ClusterSupervisor.layer({ postgresUrl: url })
    const result = await Effect.runPromise(
      Effect.gen(function* () {
        const s = yield* SimulationSupervisor
        yield* Effect.forEach(ids, (id) => Effect.andThen(s.create({ id, config, model: { kind: "idle" } }), s.send(id, { type: "start" })), { concurrency: 50, discard: true })
        const before = yield* Effect.promise(() => pgCounters(url))
        const cpuBefore = runners.map(cpuSeconds)
        const start = performance.now()
        yield* Effect.forEach(
          ids,
          (id, k) =>
            Effect.gen(function* () {
              for (let i = 0; i < UPDATES; i += BATCH) yield* s.submit(id, Array.from({ length: BATCH }, (_, j) => update(k, i + j)))
            }),
          { concurrency: "unbounded", discard: true }
        )
        const seconds = (performance.now() - start) / 1000
        const cpu = runners.map(cpuSeconds).reduce((a, b, i) => a + b - cpuBefore[i]!, 0)
        const after = yield* Effect.promise(() => pgCounters(url))
        const stored = yield* Effect.promise(() =>
          withSql(url, (sql) => sql<{ bytes: string }>`SELECT pg_total_relation_size('paperfloor_entries') + pg_total_relation_size('paperfloor_marks') AS bytes`)
        )
        const updates = SIMULATIONS * UPDATES
        return {
          updatesPerSecond: updates / seconds,
          walBytesPerUpdate: (after.wal - before.wal) / updates,
          commitsPerMessage: (after.commits - before.commits) / (updates / BATCH),
          storedBytesPerSimulation: Number(stored[0]!.bytes) / SIMULATIONS,
          runnerCpuMicrosPerUpdate: (cpu * 1e6) / updates
        }
      }).pipe(Effect.provide(layer))
    )
    return { runners: runnerCount, ...result, rssBeforeMiB, rssAfterMiB: runners.map(rssMiB), held: SIMULATIONS }
  } finally {
    await Promise.all(runners.map((r) => r.kill()))
  }
}

/**
 * Memory per simulation held: one runner's RSS with 500 simulations held, then with 2,500 (each
 * started and given one update), the slope between the two (what a runner's own start, the JIT
 * and the cluster's buffers cost is in both).
 */
const measureMemory = async (serverUrl: string) => {
  const url = await freshDatabase(serverUrl, "benchmemory")
  const runner = await startRunner(url)
  try {
    return await Effect.runPromise(
      Effect.gen(function* () {
        const s = yield* SimulationSupervisor
        const hold = (from: number, to: number) =>
          Effect.forEach(
            Array.from({ length: to - from }, (_, i) => from + i),
            (k) => Effect.andThen(s.create({ id: `m${k}`, config, model: { kind: "idle" } }), s.submit(`m${k}`, [{ type: "start" }, update(k, 0)])),
            { concurrency: 50, discard: true }
          )
        yield* hold(0, 500)
        yield* Effect.sleep("2 seconds")
        const small = rssMiB(runner)
        yield* hold(500, 2_500)
        yield* Effect.sleep("2 seconds")
        const large = rssMiB(runner)
        return { small, large, perSimulationKiB: ((large - small) * 1024) / 2_000 }
      }).pipe(Effect.provide(ClusterSupervisor.layer({ postgresUrl: url })))
    )
  } finally {
    await runner.kill()
  }
}

/**
 * Two runners hold every simulation; one is SIGKILLed. Each simulation is asked for its summary
 * until it answers: the ones that were on the killed runner answer once their shards have moved
 * and they are recovered from the store.
 */
const measureMove = async (serverUrl: string) => {
  const url = await freshDatabase(serverUrl, "benchmove")
  const runners = await Promise.all([startRunner(url), startRunner(url)])
  try {
    return await Effect.runPromise(
      Effect.gen(function* () {
        const s = yield* SimulationSupervisor
        yield* Effect.forEach(ids, (id) => Effect.andThen(s.create({ id, config, model: { kind: "idle" } }), s.send(id, { type: "start" })), { concurrency: 50, discard: true })
        yield* Effect.forEach(ids, (id, k) => s.submit(id, [update(k, 0), update(k, 1)]), { concurrency: "unbounded", discard: true })
        const killed = performance.now()
        yield* Effect.promise(() => runners[0]!.kill())
        const answered = yield* Effect.forEach(ids, (id) => Effect.map(s.summary(id), () => (performance.now() - killed) / 1000), { concurrency: "unbounded" })
        // Simulations of the living runner answer at once; the moved ones after the move.
        const moved = answered.filter((t) => t > 0.5)
        return { moved: moved.length, first: Math.min(...moved), median: median(moved), last: Math.max(...moved) }
      }).pipe(Effect.provide(ClusterSupervisor.layer({ postgresUrl: url })))
    )
  } finally {
    await Promise.all(runners.map((r) => r.kill()))
  }
}

const postgres = await startLocalPostgres()
try {
  const cpus = os.cpus()
  const load = () => os.loadavg().map((l) => l.toFixed(1)).join(" ")
  console.log(
    `Simulations as cluster entities (${SIMULATIONS} simulations × ${UPDATES} updates, ${BATCH} per message, idle model; ` +
      `${cpus[0]?.model ?? "unknown CPU"}, ${cpus.length} cores, node ${process.version}, load average ${load()} at start):`
  )
  // Rounds with the order rotating, medians: the machine's other load swings more than one run.
  const counts = [1, 2, 4] as const
  const runs = new Map<number, Figures[]>(counts.map((n) => [n, []]))
  for (let round = 0; round < ROUNDS; round++)
    for (let i = 0; i < counts.length; i++) {
      const n = counts[(i + round) % counts.length]!
      runs.get(n)!.push(await measure(postgres.url, n))
    }
  const one = runs.get(1)!
  for (const n of counts) {
    const fs = runs.get(n)!
    const ratios = fs.map((f, round) => f.updatesPerSecond / one[round]!.updatesPerSecond)
    const last = fs.at(-1)!
    console.log(
      `  ${n} runner${n === 1 ? " " : "s"}: ${Math.round(median(fs.map((f) => f.updatesPerSecond))).toLocaleString("en-US").padStart(6)} durable updates/s median ` +
        `(runs ${fs.map((f) => Math.round(f.updatesPerSecond).toLocaleString("en-US")).join(", ")}), ${median(ratios).toFixed(2)}× one runner ` +
        `(per round ${ratios.map((r) => r.toFixed(2)).join(", ")}); ${last.held} simulations held; ` +
        `runner RSS ${last.rssBeforeMiB.map((m) => m.toFixed(0)).join("/")} → ${last.rssAfterMiB.map((m) => m.toFixed(0)).join("/")} MiB; ` +
        `${median(fs.map((f) => f.walBytesPerUpdate)).toFixed(0)} WAL bytes per update, ${median(fs.map((f) => f.commitsPerMessage)).toFixed(2)} transactions per message, ` +
        `${(median(fs.map((f) => f.storedBytesPerSimulation)) / 1024).toFixed(1)} KiB stored per simulation, ` +
        `${median(fs.map((f) => f.runnerCpuMicrosPerUpdate)).toFixed(0)} µs of runner CPU per update`
    )
  }
  const memory = await measureMemory(postgres.url)
  console.log(
    `  memory: one runner holding 500 simulations ${memory.small.toFixed(0)} MiB RSS, 2,500 ${memory.large.toFixed(0)} MiB: ` +
      `${memory.perSimulationKiB.toFixed(0)} KiB per simulation held`
  )
  const move = await measureMove(postgres.url)
  console.log(
    `  SIGKILL of 1 of 2 runners: its ${move.moved} simulations answered again after ${move.first.toFixed(1)} s (first), ` +
      `${move.median.toFixed(1)} s (median), ${move.last.toFixed(1)} s (last)`
  )
  console.log(`  (load average ${load()} at the end)`)
} finally {
  postgres.stop()
}
