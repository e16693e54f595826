// Feeding a stream of updates into a deployed simulation: batches, progress, and resuming after
// a crash (a process SIGKILLed mid-feed, a deployer closed mid-feed) from the first update the
// store does not hold.
import { spawn } from "node:child_process"
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { createInterface } from "node:readline"
import { fileURLToPath } from "node:url"
import { Effect, Stream } from "effect"
import { describe, expect, it } from "vitest"
import { alignByTime, fromRecords, type MarketRecord, readJsonlBars, readJsonlQuotes, readJsonlTrades, toMarketUpdateInput } from "../../src/data/index.ts"
import { type FeedProgress, FeedResumeError, FeedSourceError, feedMarketUpdates, feedMarketUpdatesEffect } from "../../src/deploy/market-feed.ts"
import { ValidationError } from "../../src/domain/errors.ts"
import type { MarketUpdateInput } from "../../src/domain/market-update.ts"
import { rejection, useTempDirs } from "./helpers.ts"
import { config, crossover, minutes, openStack, streamOf } from "./market-feed-fixtures.ts"
import { useStacks } from "./deployer-fixtures.ts"

const tempDir = useTempDirs()
const stack = useStacks()

/** A fresh store with my_model deployed and started; the id is the same in every fresh store. */
const started = async (root?: string) => {
  const s = stack(root ?? (await tempDir()))
  await s.registry.registerModel(crossover)
  const id = await s.paper.deployToPaperTrading({ modelId: "my_model", modelVersion: "v1.0", simulationConfig: config })
  await s.paper.startSimulation(id)
  return { ...s, id }
}

/** The results of a run fed all of `updates` in one go, straight through the deployer. */
const uninterrupted = async (updates: ReadonlyArray<MarketUpdateInput>) => {
  const { paper, id } = await started()
  for (let i = 0; i < updates.length; i += 500) await paper.processMarketUpdates(id, updates.slice(i, i + 500))
  const status = await paper.getSimulationStatus(id)
  return { status, results: await paper.stopSimulation(id) }
}

describe("feedMarketUpdates", () => {
  it("feeds a stream in batches of at most batchSize, reports progress after each, and ends where feeding it directly ends", async () => {
    const updates = minutes(1200)
    const { paper, id } = await started()
    const progress: FeedProgress[] = []
    const summary = await feedMarketUpdates(paper, id, streamOf(updates), { batchSize: 500, onProgress: (p) => progress.push(p) })
    expect(summary).toMatchObject({ deploymentId: id, skipped: 0, fed: 1200, updates: 1200, state: "running", lastTime: updates.at(-1)!.time })
    expect(progress.at(-1)).toEqual(summary)
    expect(progress.length).toBeGreaterThanOrEqual(3)
    progress.forEach((p, i) => {
      const before = i === 0 ? 0 : progress[i - 1]!.fed
      expect(p.fed - before).toBeGreaterThan(0)
      expect(p.fed - before).toBeLessThanOrEqual(500)
      expect(p).toMatchObject({ batches: i + 1, updates: p.fed })
    })
    const direct = await uninterrupted(updates)
    // The model traded: the comparison covers fills, trades and the equity curve.
    expect(direct.results.trades.length).toBeGreaterThan(5)
    expect(await paper.getSimulationStatus(id)).toEqual(direct.status)
    expect(await paper.stopSimulation(id)).toEqual(direct.results)
  })

  it("takes an array or any iterable, and as an Effect, a Stream", async () => {
    const updates = minutes(30)
    const { paper, id } = await started()
    expect(await feedMarketUpdates(paper, id, updates.slice(0, 10))).toMatchObject({ fed: 10, updates: 10 })
    const summary = await Effect.runPromise(feedMarketUpdatesEffect(paper, id, Stream.fromIterable(updates), { batchSize: 7 }))
    expect(summary).toMatchObject({ skipped: 10, fed: 20, updates: 30 })
  })

  it("resumes after a child process feeding it is SIGKILLed mid-feed: the final state equals an uninterrupted run's", async () => {
    const total = 2000
    const updates = minutes(total)
    const root = await tempDir()
    const { paper, id } = await started(root)
    await paper.close()

    const child = spawn(fileURLToPath(new URL("../../node_modules/.bin/node", import.meta.url)), [fileURLToPath(new URL("./market-feed-child.ts", import.meta.url)), root, id, String(total), "1500"], {
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stderr = ""
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once("exit", (_code, signal) => resolve(signal)))
    // Killed in the middle of its writing: it has more to read and is still feeding. Progress it
    // printed before the kill is still in the pipe, and read after it.
    let lastPrinted = 0
    for await (const line of createInterface({ input: child.stdout })) {
      lastPrinted = (JSON.parse(line) as FeedProgress).fed
      if (lastPrinted >= 400) child.kill("SIGKILL")
    }
    expect(await exited, stderr).toBe("SIGKILL")

    const again = openStack(root)
    const held = (await again.paper.getSimulationStatus(id)).updates
    // Everything acknowledged is held, and at most the batch being written when the kill came besides.
    expect(held).toBeGreaterThanOrEqual(lastPrinted)
    expect(held).toBeLessThanOrEqual(lastPrinted + 50)
    expect(held).toBeLessThan(1500)
    const summary = await feedMarketUpdates(again.paper, id, streamOf(updates))
    expect(summary).toMatchObject({ skipped: held, fed: total - held, updates: total })
    const direct = await uninterrupted(updates)
    expect(await again.paper.getSimulationStatus(id)).toEqual(direct.status)
    expect(await again.paper.stopSimulation(id)).toEqual(direct.results)
    await again.paper.close()
  })

  it("resumes after a deployer closed mid-feed (its source failed) and opened again over the store", async () => {
    const updates = minutes(900)
    const root = await tempDir()
    const { paper, id } = await started(root)
    async function* failing(): AsyncGenerator<MarketUpdateInput> {
      for (const [i, u] of updates.entries()) {
        if (i === 640) throw new Error("the disk went away")
        yield u
      }
    }
    const error = await rejection(feedMarketUpdates(paper, id, failing(), { batchSize: 100 }))
    expect(error).toBeInstanceOf(FeedSourceError)
    expect(error.message).toContain("the disk went away")
    await paper.close()

    const again = stack(root)
    const held = (await again.paper.getSimulationStatus(id)).updates
    expect(held).toBeGreaterThan(0)
    expect(held).toBeLessThanOrEqual(640)
    expect(await feedMarketUpdates(again.paper, id, streamOf(updates))).toMatchObject({ skipped: held, fed: 900 - held })
    // Running it again feeds nothing: the store holds it all.
    expect(await feedMarketUpdates(again.paper, id, streamOf(updates))).toMatchObject({ skipped: 900, fed: 0, batches: 0 })
    const direct = await uninterrupted(updates)
    expect(await again.paper.stopSimulation(id)).toEqual(direct.results)
  })

  it("refuses to resume from a stream that is not the one the simulation was fed, feeding none of it", async () => {
    const updates = minutes(100)
    const { paper, id } = await started()
    await feedMarketUpdates(paper, id, updates.slice(0, 60))
    // Another series: the 60th update is at another time.
    const other = updates.map((u) => ({ ...u, time: (u as { time: number }).time + 1000 }))
    const mismatch = await rejection(feedMarketUpdates(paper, id, other))
    expect(mismatch).toBeInstanceOf(FeedResumeError)
    expect(mismatch).toMatchObject({ deploymentId: id, index: 59 })
    expect(mismatch.message).toContain("the stream is not the one it was fed")
    // A shorter stream than what the simulation holds.
    const short = await rejection(feedMarketUpdates(paper, id, updates.slice(0, 40)))
    expect(short).toBeInstanceOf(FeedResumeError)
    expect(short).toMatchObject({ index: 40 })
    expect((await paper.getSimulationStatus(id)).updates).toBe(60)
  })

  it('resume: "time" skips what is at or before the last update, for a stream that does not replay; it needs their times', async () => {
    const updates = minutes(100)
    const { paper, id } = await started()
    await feedMarketUpdates(paper, id, updates.slice(0, 60))
    // A live stream joined late: it starts at minute 50.
    expect(await feedMarketUpdates(paper, id, updates.slice(50), { resume: "time" })).toMatchObject({ skipped: 10, fed: 40, updates: 100 })
    const untimed = await rejection(feedMarketUpdates(paper, id, [{ AAPL: 150, GOOGL: 2600, MSFT: 300 }], { resume: "time" }))
    expect(untimed).toBeInstanceOf(FeedResumeError)
    expect(untimed.message).toContain("resuming by time needs updates that carry their time")
  })

  it("refuses bad options with a ValidationError naming the field", async () => {
    const { paper, id } = await started()
    const error = await rejection(feedMarketUpdates(paper, id, [], { batchSize: 0, resume: "sometimes" as "time" }))
    expect(error).toBeInstanceOf(ValidationError)
    expect(error.issues.map((i: { field: string }) => i.field)).toEqual(["batchSize", "resume"])
  })
})

describe("feeding quote records", () => {
  // A minute of AAPL quotes, 10 cents wide around a wave (so the crossover trades), beside GOOGL
  // trades every minute and MSFT bars every fifth, both flat (so only AAPL trades): every mix of
  // quotes with last prices and with bars reaches the simulation.
  const START = Date.UTC(2024, 0, 2, 14, 30)
  const N = 120
  const cents = (i: number) => Math.round((150 + 6 * Math.sin(i / 3)) * 100)
  const quoteAt = (i: number) => ({ time: START + i * 60_000, symbol: "AAPL", bid: (cents(i) - 5) / 100, ask: (cents(i) + 5) / 100, bidSize: 3, askSize: 4 })

  const files = async () => {
    const dir = await tempDir()
    const write = (name: string, rows: ReadonlyArray<object>) => {
      const path = join(dir, name)
      writeFileSync(path, rows.map((r) => JSON.stringify(r)).join("\n"))
      return path
    }
    const minutes = Array.from({ length: N }, (_, i) => i)
    return {
      quotes: write("quotes.jsonl", minutes.map(quoteAt)),
      trades: write("trades.jsonl", minutes.map((i) => ({ time: START + i * 60_000, symbol: "GOOGL", price: 2600, size: 5 }))),
      bars: write("bars.jsonl", minutes.filter((i) => i % 5 === 0).map((i) => ({ time: START + i * 60_000, symbol: "MSFT", open: 300, high: 300, low: 300, close: 300, volume: 1000 })))
    }
  }

  /** The aligned updates of the sources, as the engine takes them. */
  async function* updatesOf(sources: Parameters<typeof alignByTime>[0]): AsyncGenerator<MarketUpdateInput> {
    for await (const update of alignByTime(sources)) yield toMarketUpdateInput(update)
  }

  const deployed = async (simulationConfig = { ...config, slippageRate: 0, commissionRate: 0 }) => {
    const s = stack(await tempDir())
    await s.registry.registerModel(crossover)
    const id = await s.paper.deployToPaperTrading({ modelId: "my_model", modelVersion: "v1.0", simulationConfig })
    await s.paper.startSimulation(id)
    return { ...s, id }
  }

  it("read from files, aligned and fed to a deployment: buys fill at the ask, sells at the bid, positions are marked at the mid", async () => {
    const { quotes, trades, bars } = await files()
    const { paper, id } = await deployed()
    const summary = await feedMarketUpdates(paper, id, updatesOf([readJsonlQuotes(quotes), readJsonlTrades(trades), readJsonlBars(bars)]), { batchSize: 50 })
    expect(summary).toMatchObject({ fed: N, updates: N })
    const status = await paper.getSimulationStatus(id)
    const results = await paper.stopSimulation(id)
    const closed = results.trades.filter((t) => !t.open)
    expect(closed.length).toBeGreaterThanOrEqual(3)
    expect(results.trades.every((t) => t.symbol === "AAPL" && t.direction === "long")).toBe(true)
    const quoteOf = (time: number | null) => quoteAt((time! - START) / 60_000)
    for (const trade of closed) {
      expect(trade.entryPrice).toBe(String(quoteOf(trade.entryTime).ask))
      expect(trade.exitPrice).toBe(String(quoteOf(trade.exitTime).bid))
      // Ten shares, bought 5 cents above the mid and sold 5 cents below it: 1.00 of the spread paid.
      expect(Number(trade.grossPnl)).toBeCloseTo(((cents((trade.exitTime! - START) / 60_000) - cents((trade.entryTime! - START) / 60_000)) / 100) * 10 - 1, 9)
    }
    // The last cross was up: the position is open, marked at the last mid.
    expect(status.positions.map((p) => [p.symbol, String(p.quantity), String(p.marketPrice)])).toEqual([["AAPL", "10", String(cents(N - 1) / 100)]])
  })

  it("a crossed quote among records that no reader checked is refused by the simulation, naming the field and the rule", async () => {
    const { paper, id } = await deployed()
    const crossed = { ...quoteAt(1), bid: 151, ask: 150 }
    const records = fromRecords<MarketRecord>("given", () => [{ kind: "quote", ...quoteAt(0) }, { kind: "quote", ...crossed }])
    const error = await rejection(feedMarketUpdates(paper, id, updatesOf([records])))
    expect(error).toBeInstanceOf(ValidationError)
    expect(error.issues.map((i: { field: string; rule: string }) => [i.field, i.rule])).toEqual([["updates[1].quotes.AAPL.bid", "must be at most the ask"]])
    // The batch holding it is refused whole.
    expect((await paper.getSimulationStatus(id)).updates).toBe(0)
  })
})
