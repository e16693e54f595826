// End to end: a simulation deployed with the PaperTradingDeployer is fed through the live feed
// from a WebSocket server on loopback that duplicates and reorders messages, drops the
// connection in the middle of a burst, stalls, and then floods faster than the simulation takes
// updates. Its final state equals that of a simulation fed the de-duplicated, ordered messages
// directly. The stall is detected on a clock the test moves, not by waiting.
import { describe, expect, it } from "vitest"
import type { LiveFeedEvent } from "../../src/data/live/live-feed-events.ts"
import type { LiveMessage } from "../../src/data/live/live-feed-format.ts"
import { openLiveFeed } from "../../src/data/live/live-feed.ts"
import { feedMarketUpdates } from "../../src/deploy/market-feed.ts"
import { after, marketMessages, type ServerConnection, startFeedServer, until, updateOf } from "../data/live/feed-server.ts"
import { manualClock } from "../data/live/manual-clock.ts"
import { useStacks } from "./deployer-fixtures.ts"
import { useTempDirs } from "./helpers.ts"
import { config, crossover } from "./market-feed-fixtures.ts"

const tempDir = useTempDirs()
const stack = useStacks()

const started = async () => {
  const s = stack(await tempDir())
  await s.registry.registerModel(crossover)
  const id = await s.paper.deployToPaperTrading({ modelId: "my_model", modelVersion: "v1.0", simulationConfig: config })
  await s.paper.startSimulation(id)
  return { ...s, id }
}

/** Frames of one to three messages, every other pair swapped, every seventh message sent again two frames on. */
const mangle = (messages: ReadonlyArray<LiveMessage>): LiveMessage[][] => {
  const frames: LiveMessage[][] = []
  for (let i = 0; i < messages.length; ) {
    const size = 1 + (i % 3)
    const frame = messages.slice(i, i + size)
    if (i % 2 === 0 && frame.length >= 2) frame.reverse()
    frames.push(frame)
    i += size
  }
  messages.forEach((m, i) => {
    if (i % 7 === 3) frames.splice(Math.min(frames.length, Math.floor(i / 2) + 2), 0, [m])
  })
  return frames
}

describe("live feed into a deployed simulation, end to end", () => {
  it("with every fault at once, the simulation ends exactly as one fed the de-duplicated, ordered messages directly", async () => {
    const n = 1500
    // One sequence across three symbols and every kind: the order is total.
    const all = marketMessages(n, { symbols: ["AAPL", "GOOGL", "MSFT"], channel: "feed" })
    let stalled = false
    const script = async (c: ServerConnection) => {
      const rest = after(all, c.hello)
      if (c.index === 1) {
        // A burst written without waiting, the connection dropped part way through it.
        mangle(rest.slice(0, 400)).forEach((frame, i) => (i === 150 ? c.drop() : i < 150 ? void c.send(frame) : undefined))
      } else if (c.index === 2) {
        // This server replays from a little before where the client says (more duplicates), then stalls without closing.
        const from = Math.max(0, n - rest.length - 20)
        for (const frame of mangle(all.slice(from, 800))) await c.send(frame)
        stalled = true
      } else {
        // A flood: everything left, as fast as the socket takes it, then the end.
        for (const frame of mangle(rest)) void c.send(frame)
        await c.send({ type: "end" })
      }
    }
    const server = await startFeedServer(script)
    try {
      const { clock, advance } = manualClock()
      const events: LiveFeedEvent[] = []
      const feed = openLiveFeed({
        url: server.url,
        subscription: { trades: ["AAPL", "GOOGL", "MSFT"], quotes: ["AAPL", "GOOGL", "MSFT"], bars: ["AAPL", "GOOGL", "MSFT"] },
        highWaterMark: 40,
        silenceTimeoutMs: 5_000,
        reorderTimeoutMs: 60_000,
        clock,
        random: () => 0,
        onEvent: (e) => events.push(e)
      })
      const live = await started()
      const fed = feedMarketUpdates(live.paper, live.id, feed, { batchSize: 25, batchWindowMs: 2 })
      // The stall: once the second connection has sent all it will and the simulation has taken
      // it, five seconds pass on the feed's clock.
      await until(() => stalled && feed.stats.passed === 800 && feed.stats.buffered === 0)
      advance(5_000)
      const summary = await fed

      const direct = await started()
      const ordered = all.map(updateOf)
      for (let i = 0; i < ordered.length; i += 500) await direct.paper.processMarketUpdates(direct.id, ordered.slice(i, i + 500))

      expect(summary).toMatchObject({ fed: n, updates: n })
      expect(await live.paper.getSimulationStatus(live.id)).toEqual(await direct.paper.getSimulationStatus(direct.id))
      const results = await live.paper.stopSimulation(live.id)
      expect(results).toEqual(await direct.paper.stopSimulation(direct.id))
      expect(results.trades.length).toBeGreaterThan(3)

      // Every fault happened and was handled as such.
      expect(server.connections).toHaveLength(3)
      expect(feed.stats).toMatchObject({ connections: 3, passed: n, late: 0, held: 0, restamped: 0, invalid: 0 })
      expect(feed.stats.duplicates).toBeGreaterThan(20)
      expect(feed.stats.pauses).toBeGreaterThan(0)
      expect(feed.stats.maxBuffered).toBeLessThan(n / 2)
      expect(events.filter((e) => e.type === "gap")).toEqual([{ type: "gap", reason: "silence", silentMs: 5_000 }])
    } finally {
      await server.close()
    }
  })
})
