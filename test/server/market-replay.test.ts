/**
 * A replay of market data files onto the server, stepped under the client's control: each step is
 * answered once every account has journaled it, fills follow the engine's rules, and a restart
 * (also one cut between the market's journal and the accounts') resumes where the accounts are,
 * with no update given twice.
 */
import { appendFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { TimeFrame } from "@alpacahq/alpaca-trade-api"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { parseReplayFile, type ReplayFile } from "../../src/server/index.ts"
import { MARKET_JOURNAL } from "../../src/server/market-journal.ts"
import { ADMIN_KEY, type Harness, startHarness } from "./broker-harness.ts"

// 2024-01-02 is a Tuesday: NYSE opens at 14:30 UTC.
const minute = (m: number) => new Date(Date.UTC(2024, 0, 2, 14, 30 + m)).toISOString()

/** Ten minutes of AAPL (rising a dollar a minute from 100) and MSFT, and AAPL trades in a second file. */
const ROWS = Array.from({ length: 10 }, (_, m) => [
  `${minute(m)},AAPL,${100 + m},${101.5 + m},${99.5 + m},${100.5 + m},${1000 + m}`,
  `${minute(m)},MSFT,${300 + m},${301 + m},${299 + m},${300.5 + m},${500 + m}`
]).flat()

let dir: string
let files: ReplayFile[]
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "paperfloor-replay-"))
  await writeFile(join(dir, "bars.csv"), ["time,symbol,open,high,low,close,volume", ...ROWS].join("\n"))
  // Trades 30 s into minutes 2 and 7: updates of their own, between the bars.
  await writeFile(join(dir, "trades.jsonl"), [2, 7].map((m) => JSON.stringify({ time: new Date(Date.parse(minute(m)) + 30_000).toISOString(), symbol: "AAPL", price: 102.25 + m, size: 7 })).join("\n"))
  files = [parseReplayFile(join(dir, "bars.csv")), parseReplayFile(`trades:${join(dir, "trades.jsonl")}`)]
})
afterAll(() => rm(dir, { recursive: true, force: true }))

const admin = (h: Harness, path: string, body?: unknown) =>
  h
    .raw(path, { method: body === undefined ? "GET" : "POST", headers: { authorization: `Bearer ${ADMIN_KEY}` }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) })
    .then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }))
const step = (h: Harness, by: unknown) => admin(h, "/v1/admin/market/replay/step", by)
const updatesOf = (h: Harness, id: string) => h.server.broker.paper.getSimulationStatus(id).then((s) => s.updates)
const stepped = (h: Harness) => startHarness({ root: h.root, market: { replay: { files, speed: "step" } } })

describe("a replay stepped by the client", () => {
  it("advances by updates or to a time, answering once every account has journaled them; fills by the engine's rules", async () => {
    const h = await startHarness({ market: { replay: { files, speed: "step" } } })
    try {
      const both = await h.account({ symbols: ["AAPL", "MSFT"] })
      const msft = await h.account({ symbols: ["MSFT"] })
      expect(await step(h, { updates: 1 })).toMatchObject({ status: 200, body: { fed: 1, replayed: 1, position: 1, time: minute(0), done: false } })
      expect([await updatesOf(h, both.id), await updatesOf(h, msft.id)]).toEqual([1, 1])

      // A buy stop at 103 triggers on the first bar whose high reaches it (minute 2: high 103.5), filling at the stop.
      const stop = await both.alpaca.trading.orders.stop({ symbol: "AAPL", qty: 3, side: "buy", stopPrice: 103, timeInForce: "gtc" })
      const sell = await msft.alpaca.trading.orders.market({ symbol: "MSFT", qty: 2, side: "sell" })
      expect(await step(h, { until: minute(2) })).toMatchObject({ status: 200, body: { fed: 2, replayed: 3, time: minute(2) } })
      expect(await both.alpaca.trading.orders.getOrderByOrderID({ orderId: stop.id! })).toMatchObject({ status: "filled", filledAvgPrice: "103" })
      // The market order filled at the next bar's open: minute 1's.
      expect(await msft.alpaca.trading.orders.getOrderByOrderID({ orderId: sell.id! })).toMatchObject({ status: "filled", filledAvgPrice: "301" })
      // The trade at 14:32:30 is AAPL's only: the MSFT account is not given it.
      expect(await step(h, { updates: 1 })).toMatchObject({ body: { fed: 1, time: new Date(Date.parse(minute(2)) + 30_000).toISOString() } })
      expect([await updatesOf(h, both.id), await updatesOf(h, msft.id)]).toEqual([4, 3])

      // An account created mid-replay takes the replay from the next step on.
      const late = await h.account({ symbols: ["AAPL"] })
      expect(await step(h, { updates: 100 })).toMatchObject({ body: { fed: 8, replayed: 12, done: true } })
      expect([await updatesOf(h, both.id), await updatesOf(h, msft.id), await updatesOf(h, late.id)]).toEqual([12, 10, 8])
      expect(await step(h, { updates: 1 })).toMatchObject({ body: { fed: 0, done: true } })
      expect((await both.alpaca.marketData.getStockBarsFor("AAPL", { timeframe: TimeFrame.Minute })).map((b) => b.volume)).toEqual([1000, 1001, 1009, 1003, 1004, 1005, 1006, 1014, 1008, 1009])

      // Malformed steps: a 4xx naming the field, and nothing fed.
      for (const body of [{ updates: 0 }, { updates: 1.5 }, { until: "soon" }, { updates: 1, until: minute(1) }, []])
        expect((await step(h, body)).status, JSON.stringify(body)).toBeGreaterThanOrEqual(400)
      expect((await step(h, { updates: "1" })).body["message"]).toContain("updates must be a whole number")
      expect((await admin(h, "/v1/admin/market")).body).toMatchObject({ position: 12, replay: { replayed: 12, done: true, speed: "step" } })
    } finally {
      await h.close()
    }
  })

  it("resumes after a restart where the accounts are, giving no update twice", async () => {
    const first = await startHarness({ market: { replay: { files, speed: "step" } } })
    const account = await first.account({ symbols: ["AAPL", "MSFT"] })
    await step(first, { updates: 5 })
    await first.server.close()

    const second = await stepped(first)
    try {
      expect((await admin(second, "/v1/admin/market")).body).toMatchObject({ position: 5, replay: { replayed: 5, done: false } })
      expect(await step(second, { updates: 100 })).toMatchObject({ body: { fed: 7, replayed: 12, done: true } })
      expect(await updatesOf(second, account.id)).toBe(12)
      // Each minute's volume once: none of the tape was fed twice.
      const bars = await (await second.raw("/v2/stocks/MSFT/bars?timeframe=1Min", { keys: account })).json()
      expect((bars as { bars: Array<{ v: number }> }).bars.map((b) => b.v)).toEqual(Array.from({ length: 10 }, (_, m) => 500 + m))
    } finally {
      await second.close()
    }
  })

  it("refuses files that are not the ones the store was fed", async () => {
    const first = await startHarness({ market: { replay: { files, speed: "step" } } })
    await step(first, { updates: 3 })
    await first.server.close()
    await writeFile(join(dir, "bars.csv"), ["time,symbol,open,high,low,close,volume", ...ROWS.slice(2)].join("\n"))
    try {
      await expect(stepped(first)).rejects.toThrow(/--replay .*update 3 is at .* but the store's last replayed update is at/)
    } finally {
      await writeFile(join(dir, "bars.csv"), ["time,symbol,open,high,low,close,volume", ...ROWS].join("\n"))
      await rm(first.root, { recursive: true, force: true })
    }
  })
})

describe("a replay at a speed", () => {
  it("feeds each update when its time comes at that multiple of the files' pace", async () => {
    // A clock of its own: a sleep moves it on at once, so the waits are the replay's own.
    let now = 0
    const sleeps: number[] = []
    const clock = {
      now: () => now,
      sleep: async (ms: number) => {
        sleeps.push(ms)
        now += ms
      }
    }
    // The account is there before the replay starts, so it takes all of it.
    const setup = await startHarness()
    const account = await setup.account({ symbols: ["AAPL"] })
    await setup.server.close()
    const h = await startHarness({ root: setup.root, market: { replay: { files, speed: 60, clock } } })
    try {
      await expect.poll(async () => (await admin(h, "/v1/admin/market")).body["replay"], { timeout: 10_000 }).toMatchObject({ done: true, replayed: 12 })
      // A minute of market a second; the trades half a minute after their bars.
      expect(sleeps).toEqual([1000, 1000, 500, 500, 1000, 1000, 1000, 1000, 500, 500, 1000])
      expect(await updatesOf(h, account.id)).toBe(12)
    } finally {
      await h.close()
    }
  })
})

describe("files that cannot be read", () => {
  it("end the replay at a bad row (a step is then a 409 naming the file, line and rule), or stop the start", async () => {
    // Enough good rows that the bad one is read after the replay has begun.
    const good = Array.from({ length: 5000 }, (_, i) => `${new Date(Date.parse(minute(0)) + i * 1000).toISOString()},AAPL,100,101,99,100,1`)
    const late = join(dir, "late.csv")
    await writeFile(late, ["time,symbol,open,high,low,close,volume", ...good, `${minute(90)},AAPL,100,99,101,100,1`].join("\n"))
    const h = await startHarness({ market: { replay: { files: [parseReplayFile(late)], speed: "step" } } })
    try {
      const refused = await step(h, { updates: 1_000_000 })
      expect(refused.status).toBe(409)
      expect(refused.body["message"]).toMatch(/the replay stopped: .*late\.csv:5002: high/)
      // Fed up to the bad row, but for the last good update, which alignByTime holds back to see
      // whether the next record shares its time (the read fails before it can tell).
      expect((await admin(h, "/v1/admin/market")).body).toMatchObject({ position: 4999, replay: { error: expect.stringContaining("late.csv:5002") } })
    } finally {
      await h.close()
    }
    const early = join(dir, "early.csv")
    await writeFile(early, ["time,symbol,open,high,low,close,volume", `${minute(0)},AAPL,100,99,101,100,1`].join("\n"))
    for (const [file, message] of [[early, /early\.csv:2: high/], [join(dir, "missing.csv"), /missing\.csv/]] as const) {
      const root = await mkdtemp(join(tmpdir(), "paperfloor-replay-bad-"))
      try {
        await expect(startHarness({ root, market: { replay: { files: [parseReplayFile(file)], speed: "step" } } })).rejects.toThrow(message)
      } finally {
        await rm(root, { recursive: true, force: true })
      }
    }
  })
})

describe("a restart cut between the market's journal and the accounts'", () => {
  it("gives the journal's last batch to the accounts that had not taken it, once, and drops a torn line", async () => {
    const first = await startHarness()
    const behind = await first.account({ symbols: ["AAPL"] })
    const ahead = await first.account({ symbols: ["AAPL"] })
    const push = (h: Harness, body: unknown) => admin(h, "/v1/admin/market/updates", body)
    await push(first, { time: minute(0), prices: { AAPL: 100 } })
    await first.server.close()

    // As if the server died after journaling a batch that only `ahead` had journaled: `ahead`
    // holds 2 updates (the batch's own), `behind` still 1, and the journal says both held 1 before.
    const journal = join(first.root, MARKET_JOURNAL)
    const updates = [{ time: Date.parse(minute(1)), records: [{ kind: "trade", symbol: "AAPL", time: Date.parse(minute(1)), price: 101, size: 5 }] }]
    const middle = await startHarness({ root: first.root })
    await middle.push(ahead.id, { time: minute(1), prices: { AAPL: 101 } })
    await middle.server.close()
    await appendFile(journal, `${JSON.stringify({ at: 1, source: "push", updates, before: { [behind.id]: 1, [ahead.id]: 1 } })}\n{"at":2,"source":"pu`)

    const second = await startHarness({ root: first.root })
    expect([await updatesOf(second, behind.id), await updatesOf(second, ahead.id)]).toEqual([2, 2])
    await second.server.close()
    // The torn line is gone, and a second restart gives nothing again.
    expect((await readFile(journal, "utf8")).endsWith("}\n")).toBe(true)
    const third = await startHarness({ root: first.root })
    try {
      expect([await updatesOf(third, behind.id), await updatesOf(third, ahead.id)]).toEqual([2, 2])
      expect((await admin(third, "/v1/admin/market")).body).toMatchObject({ position: 2, time: minute(1) })
      expect((await (await third.raw("/v2/stocks/AAPL/trades/latest", { keys: behind })).json()) as unknown).toMatchObject({ trade: { p: 101, s: 5, i: 1 } })
    } finally {
      await third.close()
    }
  })
})
