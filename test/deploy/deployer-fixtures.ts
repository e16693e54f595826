/** Shared fixtures of the deployer tests: the seed's stack over a directory, a stepping clock, and a fingerprint of everything stored. */
import { existsSync } from "node:fs"
import { readdir, readFile } from "node:fs/promises"
import { join, relative } from "node:path"
import { fileURLToPath } from "node:url"
import { Level } from "level"
import { afterEach } from "vitest"
import { loadOhlcvCsv } from "../../src/data/ohlcv-csv.ts"
import type { BarInput } from "../../src/domain/market-update.ts"
import { LocalArtifactStore } from "../../src/deploy/artifact-store.ts"
import type { DeployFileSystem } from "../../src/deploy/atomic-file.ts"
import { DeploymentManager } from "../../src/deploy/deployment-manager.ts"
import { ModelRegistry } from "../../src/deploy/model-registry.ts"
import type { ModelKind } from "../../src/deploy/model-kind.ts"
import { PaperTradingDeployer } from "../../src/deploy/paper-trading-deployer.ts"
import type { SupervisorOptions } from "../../src/runtime/simulation-supervisor.ts"

/** A clock that moves one minute per reading, from 2024-01-02 14:30 UTC (a Tuesday's open) on. */
export const steppingClock = (start = Date.UTC(2024, 0, 2, 14, 30), step = 60_000) => {
  let next = start
  const clock = () => {
    const d = new Date(next)
    next += step
    return d
  }
  return clock
}

export interface StackOptions {
  /** The deployer's clock (update stamps). */
  readonly now?: () => Date
  readonly supervisor?: SupervisorOptions
  readonly kinds?: ReadonlyArray<ModelKind>
  /** The artifact store's file system (a failing one, say); node's by default. */
  readonly fileSystem?: DeployFileSystem
}

/**
 * The seed's four objects over `root`, as a program builds them. Deployers are closed after each
 * test, so their LevelDB locks are released before the temp dirs go.
 */
export const useStacks = () => {
  const open: PaperTradingDeployer[] = []
  afterEach(async () => {
    await Promise.all(open.splice(0).map((p) => p.close()))
  })
  return (root: string, options: StackOptions = {}) => {
    // The records' own clocks are fixed, so records written in two runs compare equal.
    const recordClock = () => new Date(Date.UTC(2024, 0, 1))
    const store = new LocalArtifactStore({ storageRoot: root, now: recordClock, ...(options.fileSystem === undefined ? {} : { fileSystem: options.fileSystem }) })
    const registry = new ModelRegistry({ artifactStore: store, now: recordClock, ...(options.kinds === undefined ? {} : { kinds: options.kinds }) })
    const deployments = new DeploymentManager({ modelRegistry: registry, artifactStore: store, now: recordClock })
    const paper = new PaperTradingDeployer({
      deploymentManager: deployments,
      modelRegistry: registry,
      artifactStore: store,
      now: options.now ?? steppingClock(),
      supervisor: { logLevel: "None", ...options.supervisor }
    })
    open.push(paper)
    return { store, registry, deployments, paper }
  }
}

const readTree = async (root: string, dir: string, skip: string, out: Record<string, string>) => {
  if (!existsSync(dir)) return
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    // The storage root's lock (storage-root-lock.ts) is LevelDB bookkeeping, not a record.
    if (path === skip || path === join(root, "lock")) continue
    if (entry.isDirectory()) await readTree(root, path, skip, out)
    else out[relative(root, path)] = await readFile(path, "utf8")
  }
}

/** Every key and value in a LevelDB directory (which must not be open). */
export const dumpLevel = async (directory: string): Promise<ReadonlyArray<readonly [string, string]>> => {
  const db = new Level<string, string>(directory, { keyEncoding: "utf8", valueEncoding: "utf8", createIfMissing: false })
  await db.open()
  try {
    return await db.iterator().all()
  } finally {
    await db.close()
  }
}

/**
 * Everything a storage root holds: each file's content (records, artifacts, models) and every
 * entry of the simulations' LevelDB store. Closes the deployer to read the store; its next call
 * opens it again.
 */
export const fingerprintRoot = async (root: string, paper: PaperTradingDeployer) => {
  await paper.close()
  const files: Record<string, string> = {}
  await readTree(root, root, paper.storeDirectory, files)
  const simulations = existsSync(paper.storeDirectory) ? await dumpLevel(paper.storeDirectory) : null
  return { files, simulations }
}

/** The bundled ORCL and NVDA daily bars, one update per trading day (as the demo feeds them). */
export const orclAndNvdaDays = async (): Promise<ReadonlyArray<{ readonly time: number; readonly bars: Record<string, BarInput> }>> => {
  const file = (name: string) => fileURLToPath(new URL(`../../examples/data/${name}`, import.meta.url))
  const series = { ORCL: await loadOhlcvCsv(file("orcl-1995-2014.txt")), NVDA: await loadOhlcvCsv(file("nvda-1999-2014.txt")) }
  const days = new Map<number, Record<string, BarInput>>()
  for (const [symbol, bars] of Object.entries(series))
    for (const { time, open, high, low, close, volume } of bars) days.set(time, { ...days.get(time), [symbol]: { open, high, low, close, volume } })
  return [...days.entries()].sort(([a], [b]) => a - b).map(([time, bars]) => ({ time, bars }))
}

/** The seed's three symbols' last prices, AAPL moving in a wave (so a short crossover trades), the others flat. */
export const seedPrices = (n: number, from = 0) =>
  Array.from({ length: n }, (_, k) => {
    const i = k + from
    return { AAPL: Math.round((150 + 6 * Math.sin(i / 3)) * 100) / 100, GOOGL: 2600, MSFT: 300 }
  })
