/**
 * Durable updates/s of the supervisor (group commit) over PostgreSQL against LevelDB (issue 15):
 * the same workload on a fresh store of each kind, interleaved in one process (the order
 * alternating per round), medians. PostgreSQL is a throwaway cluster on loopback on this same
 * machine (scripts/local-postgres.ts, fsync and synchronous_commit on), so its server's CPU comes
 * out of the same cores. Prints its own lines; `npm run bench -- postgres` runs it.
 */
import { readdirSync, readFileSync, mkdtempSync, rmSync } from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { randomBytes } from "node:crypto"
import { Effect, Layer } from "effect"
import { LevelDbStore, ModelCatalog, PostgresStore, SimulationStore, SimulationSupervisor } from "../src/runtime/index.ts"
import { startLocalPostgres } from "../scripts/local-postgres.ts"
import { createStarted, feed, idle, ids } from "./runtime-workload.ts"

const median = (xs: ReadonlyArray<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

interface Workload {
  readonly name: string
  readonly simulations: number
  readonly perSimulation: number
  /** Updates per `submit` (one mailbox message). */
  readonly batch: number
}

const workloads: ReadonlyArray<Workload> = [
  { name: "100 updates per message", simulations: 100, perSimulation: 2_000, batch: 100 },
  { name: "1 update per message", simulations: 100, perSimulation: 300, batch: 1 }
]
const rounds = 5

/** The store, counting its writes: each is one durable commit (a group commit of everything pending). */
const counted = (store: Layer.Layer<SimulationStore, unknown>, commits: { n: number }) =>
  Layer.effect(
    SimulationStore,
    Effect.map(SimulationStore, (inner) =>
      SimulationStore.of({
        ...inner,
        write: (batch, marks) => {
          commits.n++
          return inner.write(batch, marks)
        }
      }))
  ).pipe(Layer.provide(store))

/**
 * CPU seconds of the PostgreSQL server so far: the postmaster and its live processes, plus the
 * backends that have exited (the postmaster's reaped children). A run's pool closes when it ends,
 * so its backends count. Linux /proc, 100 ticks a second.
 */
const serverCpuSeconds = (directory: string): number => {
  const postmaster = Number(readFileSync(path.join(directory, "postmaster.pid"), "utf8").split("\n")[0])
  const ticks = (pid: number, withChildren: boolean) => {
    // The fields after the command's closing parenthesis; utime, stime, cutime, cstime are fields 14-17.
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")
    const own = Number(fields[11]) + Number(fields[12])
    return withChildren ? own + Number(fields[13]) + Number(fields[14]) : own
  }
  let total = ticks(postmaster, true)
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const status = readFileSync(`/proc/${entry}/stat`, "utf8")
      if (Number(status.split(") ")[1]!.split(" ")[1]) === postmaster) total += ticks(Number(entry), false)
    } catch {
      // It exited meanwhile: the postmaster's reaped-children figure has it.
    }
  }
  return total / 100
}

interface Figures {
  readonly updatesPerSecond: number
  readonly updatesPerCommit: number
  /** CPU milliseconds per 1,000 updates: this process's (LevelDB's threads included), and PostgreSQL's server's. */
  readonly processCpu: number
  readonly serverCpu: number
}

/**
 * Feeds every simulation concurrently; updates/s from the first submit to the last acknowledgement.
 * `serverCpu` reads the store's server's CPU seconds (none for LevelDB).
 */
const measure = (store: Layer.Layer<SimulationStore, unknown>, workload: Workload, serverCpu: () => number = () => 0) => {
  const commits = { n: 0 }
  const supervisor = SimulationSupervisor.layer({}).pipe(
    Layer.provide(Layer.merge(counted(store, commits), ModelCatalog.layer({ idle: () => idle })))
  )
  return Effect.runPromise(Effect.scoped(Effect.gen(function*() {
    const s = yield* SimulationSupervisor
    yield* Effect.forEach(ids(workload.simulations), (id) => createStarted(s, id), { concurrency: "unbounded" })
    const before = commits.n
    const serverBefore = serverCpu()
    const cpu = process.cpuUsage()
    const start = performance.now()
    yield* Effect.forEach(ids(workload.simulations), (id, k) => feed(s, id, k, workload.perSimulation, workload.batch), { concurrency: "unbounded", discard: true })
    const seconds = (performance.now() - start) / 1000
    const { user, system } = process.cpuUsage(cpu)
    const thousands = (workload.simulations * workload.perSimulation) / 1000
    return {
      updatesPerSecond: (thousands * 1000) / seconds,
      updatesPerCommit: (thousands * 1000) / (commits.n - before),
      processCpu: (user + system) / 1000 / thousands,
      serverCpu: ((serverCpu() - serverBefore) * 1000) / thousands
    } satisfies Figures
  }).pipe(Effect.provide(supervisor))))
}

/** One durable commit alone (a 500-byte record and its mark, one after the other): median µs per commit. */
const commitLatency = (store: Layer.Layer<SimulationStore, unknown>) =>
  Effect.runPromise(Effect.scoped(Effect.gen(function*() {
    const s = yield* SimulationStore
    const value = "x".repeat(500)
    const micros: number[] = []
    for (let seq = 1; seq <= 300; seq++) {
      const start = performance.now()
      yield* s.write([{ type: "put", key: `journal:sim:${String(seq).padStart(12, "0")}`, value }], [["sim", seq]])
      micros.push((performance.now() - start) * 1000)
    }
    return median(micros.slice(20))
  }).pipe(Effect.provide(store))))

const root = mkdtempSync(path.join(os.tmpdir(), "paperfloor-postgres-bench-"))
const postgres = await startLocalPostgres()
try {
  const cpus = os.cpus()
  console.log(
    `PostgreSQL store against LevelDB (supervisor, group commit, idle model; ${cpus[0]?.model ?? "unknown CPU"}, ${cpus.length} cores, ` +
      `node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(" ")} at start):`
  )
  let fresh = 0
  const stores = {
    LevelDB: () => LevelDbStore.layer({ directory: path.join(root, `level-${++fresh}`) }),
    PostgreSQL: () => PostgresStore.layer({ url: postgres.url, tablePrefix: `b${randomBytes(6).toString("hex")}_` })
  }
  for (const workload of workloads) {
    // One round of each first, untimed: the JIT and PostgreSQL's caches warm up.
    for (const make of Object.values(stores)) await measure(make(), { ...workload, perSimulation: Math.max(workload.batch, workload.perSimulation / 10) })
    const figures = { LevelDB: [] as Figures[], PostgreSQL: [] as Figures[] }
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? (["LevelDB", "PostgreSQL"] as const) : (["PostgreSQL", "LevelDB"] as const)
      for (const name of order) figures[name].push(await measure(stores[name](), workload, name === "PostgreSQL" ? () => serverCpuSeconds(postgres.directory) : undefined))
    }
    const ratios = figures.PostgreSQL.map((p, i) => p.updatesPerSecond / figures.LevelDB[i]!.updatesPerSecond)
    console.log(`  ${workload.name} (${workload.simulations} simulations × ${workload.perSimulation.toLocaleString("en-US")} updates, all at once):`)
    for (const name of ["LevelDB", "PostgreSQL"] as const) {
      const runs = figures[name]
      console.log(
        `    ${name.padEnd(10)} ${Math.round(median(runs.map((r) => r.updatesPerSecond))).toLocaleString("en-US").padStart(8)} updates/s median ` +
          `(runs ${runs.map((r) => Math.round(r.updatesPerSecond).toLocaleString("en-US")).join(", ")}), ` +
          `${median(runs.map((r) => r.updatesPerCommit)).toFixed(0)} updates per commit; CPU per 1,000 updates ${median(runs.map((r) => r.processCpu)).toFixed(1)} ms here` +
          (name === "PostgreSQL" ? ` + ${median(runs.map((r) => r.serverCpu)).toFixed(1)} ms in PostgreSQL's server` : "")
      )
    }
    console.log(`    PostgreSQL / LevelDB per round: ${ratios.map((r) => r.toFixed(2)).join(", ")}; median ${median(ratios).toFixed(2)}×`)
  }
  const latency = { LevelDB: [] as number[], PostgreSQL: [] as number[] }
  for (let round = 0; round < rounds; round++)
    for (const name of round % 2 === 0 ? (["LevelDB", "PostgreSQL"] as const) : (["PostgreSQL", "LevelDB"] as const)) latency[name].push(await commitLatency(stores[name]()))
  console.log(
    `  one commit alone (a 500-byte record and its mark, 300 in a row): LevelDB ${median(latency.LevelDB).toFixed(0)} µs, ` +
      `PostgreSQL ${median(latency.PostgreSQL).toFixed(0)} µs (medians; per round ${latency.PostgreSQL.map((p, i) => `${p.toFixed(0)}/${latency.LevelDB[i]!.toFixed(0)}`).join(", ")})`
  )
  console.log(`  (${rounds} rounds, each store fresh, order alternating; load average ${os.loadavg().map((l) => l.toFixed(1)).join(" ")} at the end)`)
} finally {
  postgres.stop()
  rmSync(root, { recursive: true, force: true })
}
