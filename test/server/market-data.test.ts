/**
 * The server's one market, end to end with the official `@alpacahq/alpaca-trade-api` client:
 * updates pushed to the whole server reach every account that trades their symbols (and fill its
 * orders by the engine's rules), and come back out as Alpaca's Market Data API v2 (bars of any
 * timeframe, latest trades, quotes and bars, snapshots, paging) and its WebSocket stream.
 */
import { type Alpaca, type marketDataShapes, TimeFrame, TimeFrameUnit, timeFrame } from "@alpacahq/alpaca-trade-api"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { WebSocket } from "ws"
import { ADMIN_KEY, type Harness, refusal, startHarness } from "./broker-harness.ts"

let h: Harness
beforeAll(async () => {
  h = await startHarness()
})
afterAll(() => h.close())

// 2024-01-02 is a Tuesday: NYSE opens at 14:30 UTC.
const minute = (m: number) => new Date(Date.UTC(2024, 0, 2, 14, 30 + m)).toISOString()
const bar = (open: number, high: number, low: number, close: number, volume = 1000) => ({ open, high, low, close, volume })

const pushMarket = (body: unknown) =>
  h.raw("/v1/admin/market/updates", { method: "POST", headers: { authorization: `Bearer ${ADMIN_KEY}` }, body: JSON.stringify(body) })

const marketState = async () => (await (await h.raw("/v1/admin/market", { headers: { authorization: `Bearer ${ADMIN_KEY}` } })).json()) as { position: number; time: string | null; symbols: string[] }


const updatesOf = (id: string) => h.server.broker.paper.getSimulationStatus(id).then((s) => s.updates)

describe("market data pushed to the whole server", () => {
  let a: { id: string; alpaca: Alpaca; keyId: string; secretKey: string }
  let b: { id: string; alpaca: Alpaca }
  let c: { id: string; alpaca: Alpaca }

  beforeAll(async () => {
    a = await h.account({ symbols: ["AAPL", "MSFT"] })
    b = await h.account({ symbols: ["MSFT"] })
    c = await h.account({ symbols: ["TSLA"] })
  })

  it("gives each update to every account trading its symbols, and fills orders by the engine's rules", async () => {
    const first = await pushMarket({ time: minute(0), bars: { AAPL: bar(185, 186, 184, 185.5), MSFT: bar(370, 371, 369, 370.5) } })
    expect(first.status).toBe(200)
    expect(await first.json()).toMatchObject({ position: 1, fed: 1, accounts: 2, refused: [] })
    expect([await updatesOf(a.id), await updatesOf(b.id), await updatesOf(c.id)]).toEqual([1, 1, 0])

    // A market order fills at the next bar's open; a buy limit at its limit when the bar trades through it.
    const market = await a.alpaca.trading.orders.market({ symbol: "AAPL", qty: 10, side: "buy" })
    const limit = await b.alpaca.trading.orders.limit({ symbol: "MSFT", qty: 5, side: "buy", limitPrice: 368.5, timeInForce: "gtc" })
    await pushMarket({
      updates: [
        { time: minute(1), bars: { AAPL: bar(186, 187, 185, 186.5), MSFT: bar(369, 369.5, 368, 368.8) } },
        { time: minute(2), prices: { AAPL: 186.75 } },
        { time: minute(3), quotes: { AAPL: { bid: 186.7, ask: 186.8 } } },
        { time: minute(4), bars: { AAPL: bar(186.8, 188, 186.6, 187.9, 2000) } }
      ]
    })
    expect(await a.alpaca.trading.orders.getOrderByOrderID({ orderId: market.id! })).toMatchObject({ status: "filled", filledAvgPrice: "186" })
    expect(await b.alpaca.trading.orders.getOrderByOrderID({ orderId: limit.id! })).toMatchObject({ status: "filled", filledAvgPrice: "368.5" })
    expect([await updatesOf(a.id), await updatesOf(b.id), await updatesOf(c.id)]).toEqual([5, 2, 0])
    expect(await marketState()).toMatchObject({ position: 5, time: minute(4), symbols: ["AAPL", "MSFT"] })
  })

  it("serves the bars fed, aggregated to the timeframe asked, through the official client", async () => {
    const md = a.alpaca.marketData
    const minutes = await md.getStockBarsFor("AAPL", { timeframe: TimeFrame.Minute, start: new Date(minute(0)) })
    // The trade at 14:32 is a bar of its one price; the quote makes no bar.
    expect(minutes.map((m) => [m.timestamp.toISOString(), m.open, m.high, m.low, m.close, m.volume])).toEqual([
      [minute(0), 185, 186, 184, 185.5, 1000],
      [minute(1), 186, 187, 185, 186.5, 1000],
      [minute(2), 186.75, 186.75, 186.75, 186.75, 0],
      [minute(4), 186.8, 188, 186.6, 187.9, 2000]
    ])
    const fives = await md.getStockBarsFor("AAPL", { timeframe: timeFrame(5, TimeFrameUnit.Minute), start: new Date("2024-01-02") })
    expect(fives.map((m) => [m.timestamp.toISOString(), m.open, m.high, m.low, m.close, m.volume])).toEqual([[minute(0), 185, 188, 184, 187.9, 4000]])
    const days = await md.getStockBars({ symbols: ["AAPL", "MSFT"], timeframe: TimeFrame.Day, start: new Date("2024-01-01") })
    expect(days["MSFT"]!.map((m) => [m.timestamp.toISOString(), m.open, m.close])).toEqual([["2024-01-02T00:00:00.000Z", 370, 368.8]])
    expect(days["AAPL"]).toHaveLength(1)

    // Paging by limit and page_token, and sort.
    const page1 = await md.stocks.stockBarSingle({ symbol: "AAPL", timeframe: "1Min", limit: 3 })
    expect(page1.bars.map((x) => x.c)).toEqual([185.5, 186.5, 186.75])
    expect(page1.nextPageToken).toBeTruthy()
    const page2 = await md.stocks.stockBarSingle({ symbol: "AAPL", timeframe: "1Min", limit: 3, pageToken: page1.nextPageToken! })
    expect(page2.bars.map((x) => x.c)).toEqual([187.9])
    expect(page2.nextPageToken).toBeNull()
    const desc = await md.stocks.stockBarSingle({ symbol: "AAPL", timeframe: "1Min", sort: "desc", limit: 2, end: new Date(minute(2)) })
    expect(desc.bars.map((x) => x.t.toISOString())).toEqual([minute(2), minute(1)])
    const multi = await md.stocks.stockBars({ symbols: "AAPL,MSFT", timeframe: "1Min", limit: 5 })
    expect([Object.keys(multi.bars), (multi.bars as Record<string, unknown[]>)["MSFT"]!.length]).toEqual([["AAPL", "MSFT"], 1])
    expect(multi.nextPageToken).toBeTruthy()
    // An account's client reads the one market, whatever its own symbols.
    expect((await c.alpaca.marketData.getStockBarsFor("MSFT", { timeframe: TimeFrame.Hour })).map((m) => m.close)).toEqual([368.8])
  })

  it("serves the latest trade, quote and bar, and snapshots", async () => {
    const stocks = a.alpaca.marketData.stocks
    expect(await stocks.stockLatestTradeSingle({ symbol: "AAPL" })).toMatchObject({ symbol: "AAPL", trade: { p: 186.75, s: 0, t: new Date(minute(2)), x: "V" } })
    expect(await stocks.stockLatestQuoteSingle({ symbol: "AAPL" })).toMatchObject({ symbol: "AAPL", quote: { bp: 186.7, ap: 186.8, t: new Date(minute(3)) } })
    expect(await stocks.stockLatestBarSingle({ symbol: "MSFT" })).toMatchObject({ symbol: "MSFT", bar: { o: 369, c: 368.8, t: new Date(minute(1)) } })
    expect(await a.alpaca.marketData.getLatestPrice("AAPL")).toBe(186.75)
    const trades = await stocks.stockLatestTrades({ symbols: "AAPL,MSFT" })
    expect(Object.keys(trades.trades)).toEqual(["AAPL"])
    const quotes = await stocks.stockLatestQuotes({ symbols: "AAPL" })
    expect(quotes.quotes["AAPL"]).toMatchObject({ bp: 186.7, ap: 186.8 })
    const latestBars = await stocks.stockLatestBars({ symbols: "AAPL,MSFT" })
    expect(Object.keys(latestBars.bars).sort()).toEqual(["AAPL", "MSFT"])
    const snapshot = await stocks.stockSnapshotSingle({ symbol: "AAPL" })
    expect(snapshot).toMatchObject({ symbol: "AAPL", latestTrade: { p: 186.75 }, latestQuote: { ap: 186.8 }, minuteBar: { c: 187.9 }, dailyBar: { o: 185, c: 187.9, h: 188, l: 184 } })
    expect(snapshot.prevDailyBar).toBeUndefined()
    const snapshots = await stocks.stockSnapshots({ symbols: "AAPL,MSFT,TSLA" })
    expect(Object.keys(snapshots).sort()).toEqual(["AAPL", "MSFT"])
    // Nothing fed for TSLA: Alpaca's 404 for a latest trade there is none of.
    expect((await refusal(stocks.stockLatestTradeSingle({ symbol: "TSLA" }))).status).toBe(404)
  })

  it("refuses malformed queries with a 4xx naming the parameter, and keys that do not pair", async () => {
    const keys = { keyId: a.keyId, secretKey: a.secretKey }
    const get = async (path: string, k: { keyId: string; secretKey: string } | null = keys) => {
      const response = await h.raw(path, k === null ? {} : { keys: k })
      return { status: response.status, message: ((await response.json()) as { message?: string }).message ?? "" }
    }
    const cases: ReadonlyArray<[string, number, string]> = [
      ["/v2/stocks/AAPL/bars", 422, "timeframe is required"],
      ["/v2/stocks/AAPL/bars?timeframe=1minute", 422, "timeframe must be"],
      ["/v2/stocks/AAPL/bars?timeframe=60Min", 422, "timeframe must be"],
      ["/v2/stocks/AAPL/bars?timeframe=5Month", 422, "timeframe must be"],
      ["/v2/stocks/AAPL/bars?timeframe=1Min&limit=0", 400, "limit must be"],
      ["/v2/stocks/AAPL/bars?timeframe=1Min&limit=10001", 400, "limit must be"],
      ["/v2/stocks/AAPL/bars?timeframe=1Min&start=yesterday", 400, "start must be"],
      ["/v2/stocks/AAPL/bars?timeframe=1Min&start=2024-01-03&end=2024-01-02", 400, "end must not be before start"],
      ["/v2/stocks/AAPL/bars?timeframe=1Min&sort=up", 400, "sort must be"],
      ["/v2/stocks/AAPL/bars?timeframe=1Min&feed=nasdaq", 400, "feed must be"],
      ["/v2/stocks/AAPL/bars?timeframe=1Min&page_token=bogus", 400, "page_token"],
      ["/v2/stocks/bars?timeframe=1Min", 400, "symbols is required"],
      ["/v2/stocks/bars?timeframe=1Min&symbols=AAPL,__proto__", 400, "symbols must not be"],
      ["/v2/stocks/trades/latest?symbols=", 400, "symbols is required"],
      ["/v2/stocks/A%20B/trades/latest", 400, "symbol must be"]
    ]
    for (const [path, status, message] of cases) expect(await get(path), path).toMatchObject({ status, message: expect.stringContaining(message) })
    // Every endpoint needs a key pair that belongs together.
    const crossed = { keyId: a.keyId, secretKey: "X".repeat(40) }
    for (const path of ["/v2/stocks/AAPL/bars?timeframe=1Min", "/v2/stocks/bars?symbols=AAPL&timeframe=1Min", "/v2/stocks/AAPL/trades/latest", "/v2/stocks/quotes/latest?symbols=AAPL", "/v2/stocks/AAPL/snapshot", "/v2/stocks/snapshots?symbols=AAPL", "/v2/stocks/bars/latest?symbols=AAPL"]) {
      expect((await get(path, crossed)).status, path).toBe(401)
      expect((await get(path, null)).status, path).toBe(401)
      expect((await get(path)).status, path).toBe(200)
    }
  })

  it("refuses a malformed push whole, naming the field, and changes nothing", async () => {
    const before = await marketState()
    const counts = [await updatesOf(a.id), await updatesOf(b.id)]
    const cases: ReadonlyArray<[unknown, string]> = [
      [{ bars: { AAPL: bar(1, 2, 0.5, 1.5) } }, "updates[0].time is required"],
      [{ updates: [{ time: minute(5), prices: { AAPL: 187 } }, { time: minute(0), prices: { AAPL: 187 } }] }, "updates[1].time must not be earlier"],
      [{ time: minute(1), prices: { AAPL: 187 } }, "updates[0].time must not be earlier"],
      [{ time: minute(5), bars: { AAPL: bar(10, 9, 8, 9.5) } }, "updates[0].bars.AAPL.high"],
      [{ time: minute(5), quotes: { AAPL: { bid: 11, ask: 10 } } }, "updates[0].quotes.AAPL.bid"],
      [{ time: minute(5), prices: { "BAD SYMBOL": 1 } }, "updates[0].BAD SYMBOL must be"],
      [{ updates: [] }, "updates must be a non-empty array"]
    ]
    for (const [body, message] of cases) {
      const response = await pushMarket(body)
      expect(response.status, JSON.stringify(body)).toBe(422)
      expect(((await response.json()) as { message: string }).message).toContain(message)
    }
    expect(await marketState()).toEqual(before)
    expect([await updatesOf(a.id), await updatesOf(b.id)]).toEqual(counts)
    // Without the admin key: 401.
    expect((await h.raw("/v1/admin/market/updates", { method: "POST", body: "{}" })).status).toBe(401)
    // No replay to step: 409.
    expect((await h.raw("/v1/admin/market/replay/step", { method: "POST", headers: { authorization: `Bearer ${ADMIN_KEY}` }, body: '{"updates":1}' })).status).toBe(409)
  })

  it("streams the market as it is fed (Alpaca's protocol, msgpack as the official client speaks it)", async () => {
    const stream = a.alpaca.marketData.stockStream({ url: `${h.server.url.replace("http", "ws")}/v2/iex`, reconnect: false } as never)
    const bars: marketDataShapes.Bar[] = []
    const trades: Array<{ price: number; symbol: string }> = []
    const quotes: Array<{ bidPrice: number; askPrice: number }> = []
    stream.onBar((x) => bars.push(x as never))
    stream.onTrade((x) => trades.push(x as never))
    stream.onQuote((x) => quotes.push(x as never))
    // One acknowledgement per subscribe call.
    let acknowledged = 0
    const subscribed = new Promise<void>((resolve) => stream.on("subscription" as never, (() => ++acknowledged === 3 && resolve()) as never))
    stream.onConnect(() => {
      stream.subscribeForBars(["AAPL"])
      stream.subscribeForTrades(["*"])
      stream.subscribeForQuotes(["MSFT"])
    })
    stream.connect()
    expect(await stream.whenAuthenticated()).toMatchObject({ authenticated: true })
    await subscribed
    await pushMarket({
      updates: [
        { time: minute(5), bars: { AAPL: bar(188, 189, 187, 188.5), MSFT: bar(369, 370, 368, 369.5) } },
        { time: minute(6), prices: { MSFT: 369.75 }, quotes: { AAPL: { bid: 188.4, ask: 188.6 } } },
        { time: minute(7), quotes: { MSFT: { bid: 369.7, ask: 369.8 } } }
      ]
    })
    await expect.poll(() => quotes.length).toBe(1)
    expect(bars.map((x) => [x.symbol, x.open, x.close, x.timestamp.toISOString()])).toEqual([["AAPL", 188, 188.5, minute(5)]])
    expect(trades.map((x) => [x.symbol, x.price])).toEqual([["MSFT", 369.75]])
    expect(quotes.map((x) => [x.bidPrice, x.askPrice])).toEqual([[369.7, 369.8]])
    stream.disconnect()
  })

  it("speaks JSON to a client that does not ask for msgpack, with Alpaca's errors", async () => {
    const socket = new WebSocket(`${h.server.url.replace("http", "ws")}/v2/sip`)
    const frames: unknown[] = []
    socket.on("message", (raw) => frames.push(...(JSON.parse(String(raw)) as unknown[])))
    await new Promise((resolve) => socket.once("open", resolve))
    const send = (frame: unknown) => socket.send(typeof frame === "string" ? frame : JSON.stringify(frame))
    send({ action: "subscribe", bars: ["AAPL"] })
    send("not json")
    send({ action: "auth", key: a.keyId, secret: "X".repeat(40) })
    await new Promise((resolve) => socket.once("close", resolve))
    expect(frames).toEqual([
      { T: "success", msg: "connected" },
      { T: "error", code: 401, msg: "not authenticated" },
      { T: "error", code: 400, msg: "invalid syntax" },
      { T: "error", code: 402, msg: "auth failed" }
    ])

    const good = new WebSocket(`${h.server.url.replace("http", "ws")}/v2/iex`)
    const received: Array<Record<string, unknown>> = []
    good.on("message", (raw) => received.push(...(JSON.parse(String(raw)) as Array<Record<string, unknown>>)))
    await new Promise((resolve) => good.once("open", resolve))
    good.send(JSON.stringify({ action: "auth", key: a.keyId, secret: a.secretKey }))
    good.send(JSON.stringify({ action: "subscribe", trades: ["AAPL"], quotes: ["BAD SYMBOL"] }))
    good.send(JSON.stringify({ action: "subscribe", trades: ["AAPL"], dailyBars: ["MSFT"] }))
    await expect.poll(() => received.length).toBe(4)
    expect(received.slice(1, 3)).toEqual([
      { T: "success", msg: "authenticated" },
      { T: "error", code: 400, msg: 'invalid syntax: quotes[0] must be a symbol or "*" (got "BAD SYMBOL")' }
    ])
    expect(received[3]).toMatchObject({ T: "subscription", trades: ["AAPL"], quotes: [], bars: [], dailyBars: ["MSFT"] })
    await pushMarket({ time: minute(8), prices: { AAPL: 189 } })
    await expect.poll(() => received.length).toBe(5)
    expect(received[4]).toEqual({ T: "t", S: "AAPL", t: minute(8), x: "V", p: 189, s: 0, c: ["@"], i: 8, z: "C" })
    good.close()
  })
})
