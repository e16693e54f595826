/**
 * paperfloor serve's broker API, end to end: the real server on an ephemeral loopback port, driven
 * by the official `@alpacahq/alpaca-trade-api` client, with fills checked against the engine's
 * rules (README "Execution semantics") on bars pushed through the admin API.
 */
import type { Alpaca } from "@alpacahq/alpaca-trade-api"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type Harness, refusal, startHarness } from "./broker-harness.ts"

let h: Harness
beforeAll(async () => {
  h = await startHarness()
})
afterAll(() => h.close())

// 2024-01-02 is a Tuesday: NYSE opens at 14:30 UTC.
const minute = (m: number) => new Date(Date.UTC(2024, 0, 2, 14, 30 + m)).toISOString()
const bar = (m: number, symbol: string, open: number, high: number, low: number, close: number) => ({
  time: minute(m),
  bars: { [symbol]: { open, high, low, close, volume: 100_000 } }
})


const order = (alpaca: Alpaca, id: string) => alpaca.trading.orders.getOrderByOrderID({ orderId: id })

describe("account, assets, clock and calendar", () => {
  it("reads the account, its assets, its clock and its exchange calendar", async () => {
    const { id, alpaca } = await h.account({ symbols: ["AAPL", "MSFT"], initialCapital: 50_000 })
    const account = await alpaca.trading.account.getAccount()
    expect(account).toMatchObject({ id, status: "ACTIVE", currency: "USD", cash: "50000", equity: "50000", buyingPower: "50000", shortingEnabled: true })
    const assets = await alpaca.trading.assets.getV2Assets({})
    expect(assets.map((a) => a.symbol)).toEqual(["AAPL", "MSFT"])
    expect(await alpaca.trading.assets.getV2AssetsSymbolOrAssetId({ symbolOrAssetId: "MSFT" })).toMatchObject({ symbol: "MSFT", tradable: true, exchange: "XNYS" })
    expect((await refusal(alpaca.trading.assets.getV2AssetsSymbolOrAssetId({ symbolOrAssetId: "TSLA" }))).status).toBe(404)

    // The clock is the simulation's: after a bar at 15:00 UTC on 2 Jan 2024 the market is open until 21:00 UTC.
    await h.push(id, bar(30, "AAPL", 185, 186, 184, 185))
    const clock = await alpaca.trading.clock.legacyClock()
    expect(clock).toMatchObject({ isOpen: true, timestamp: new Date(minute(30)), nextClose: new Date("2024-01-02T21:00:00Z"), nextOpen: new Date("2024-01-03T14:30:00Z") })

    // New Year's Day is a holiday; 3 July 2024 closes at 13:00.
    const days = await alpaca.trading.calendar.legacyCalendar({ start: new Date("2023-12-29"), end: new Date("2024-01-03") })
    expect(days.map((d) => [d.date.toISOString().slice(0, 10), d.open, d.close])).toEqual([
      ["2023-12-29", "09:30", "16:00"],
      ["2024-01-02", "09:30", "16:00"],
      ["2024-01-03", "09:30", "16:00"]
    ])
    const july = await alpaca.trading.calendar.legacyCalendar({ start: new Date("2024-07-03"), end: new Date("2024-07-05") })
    expect(july.map((d) => [d.date.toISOString().slice(0, 10), d.close])).toEqual([
      ["2024-07-03", "13:00"],
      ["2024-07-05", "16:00"]
    ])
  })
})

describe("orders, fills and positions", () => {
  it("fills a market order at the next bar's open, and shows the position and the cash", async () => {
    const { id, alpaca } = await h.account()
    await h.push(id, bar(0, "AAPL", 185, 186, 184, 185.5))
    const placed = await alpaca.trading.orders.market({ symbol: "AAPL", qty: 10, side: "buy", clientOrderId: "first" })
    expect(placed).toMatchObject({ symbol: "AAPL", qty: "10", status: "pending_new", type: "market", timeInForce: "day", clientOrderId: "first", orderClass: "simple" })
    await h.push(id, bar(1, "AAPL", 186, 187, 185, 186.5))
    const filled = await order(alpaca, placed.id!)
    expect(filled).toMatchObject({ status: "filled", filledQty: "10", filledAvgPrice: "186", filledAt: new Date(minute(1)) })
    const [position] = await alpaca.trading.positions.getAllOpenPositions()
    expect(position).toMatchObject({ symbol: "AAPL", qty: "10", side: "long", avgEntryPrice: "186", currentPrice: "186.5", marketValue: "1865", unrealizedPl: "5" })
    expect(await alpaca.trading.positions.getOpenPosition({ symbolOrAssetId: "AAPL" })).toMatchObject({ qty: "10" })
    expect((await alpaca.trading.account.getAccount()).cash).toBe("98140")
    expect(await alpaca.trading.orders.getOrderByClientOrderId({ clientOrderId: "first" })).toMatchObject({ id: placed.id })
  })

  it("fills limit, stop and stop-limit orders by the engine's bar rules", async () => {
    const { id, alpaca } = await h.account()
    await h.push(id, bar(0, "AAPL", 100, 101, 99, 100))
    // Buy limit 98: the open (99) is above it, the low (97) reaches it: fills at 98.
    const limit = await alpaca.trading.orders.limit({ symbol: "AAPL", qty: 5, side: "buy", limitPrice: 98, timeInForce: "gtc" })
    // Buy stop 101: the high (102) reaches it, the open does not: fills at 101.
    const stop = await alpaca.trading.orders.stop({ symbol: "AAPL", qty: 3, side: "buy", stopPrice: 101, timeInForce: "gtc" })
    // Buy stop-limit 101.5 / 101.6: triggers inside the bar and fills at the stop price.
    const stopLimit = await alpaca.trading.orders.stopLimit({ symbol: "AAPL", qty: 2, side: "buy", stopPrice: 101.5, limitPrice: 101.6, timeInForce: "gtc" })
    // Buy limit 90: never reached; stays new.
    const resting = await alpaca.trading.orders.limit({ symbol: "AAPL", qty: 1, side: "buy", limitPrice: 90, timeInForce: "gtc" })
    await h.push(id, bar(1, "AAPL", 99, 102, 97, 100))
    expect(await order(alpaca, limit.id!)).toMatchObject({ status: "filled", filledAvgPrice: "98" })
    expect(await order(alpaca, stop.id!)).toMatchObject({ status: "filled", filledAvgPrice: "101" })
    expect(await order(alpaca, stopLimit.id!)).toMatchObject({ status: "filled", filledAvgPrice: "101.5" })
    expect(await order(alpaca, resting.id!)).toMatchObject({ status: "new", filledQty: "0" })
    const open = await alpaca.trading.orders.getAllOrders({ status: "open" })
    expect(open.map((o) => o.id)).toEqual([resting.id])
    const closed = await alpaca.trading.orders.getAllOrders({ status: "closed", direction: "asc" })
    expect(closed.map((o) => o.id)).toEqual([limit.id, stop.id, stopLimit.id])
  })

  it("trails a trailing stop from the high, with its watermark as hwm, and fills it when the price falls through", async () => {
    const { id, alpaca } = await h.account()
    await h.push(id, bar(0, "AAPL", 100, 100, 100, 100))
    await alpaca.trading.orders.market({ symbol: "AAPL", qty: 10, side: "buy" })
    await h.push(id, bar(1, "AAPL", 100, 100, 100, 100))
    const trailing = await alpaca.trading.orders.trailingStop({ symbol: "AAPL", qty: 10, side: "sell", trailPrice: 2, timeInForce: "gtc" })
    expect(trailing).toMatchObject({ type: "trailing_stop", trailPrice: "2", hwm: "100", stopPrice: "98" })
    await h.push(id, bar(2, "AAPL", 100, 105, 100, 104))
    expect(await order(alpaca, trailing.id!)).toMatchObject({ status: "new", hwm: "105", stopPrice: "103" })
    await h.push(id, bar(3, "AAPL", 104, 104, 101, 102))
    expect(await order(alpaca, trailing.id!)).toMatchObject({ status: "filled", filledAvgPrice: "103" })
    expect(await alpaca.trading.positions.getAllOpenPositions()).toEqual([])
    const percent = await alpaca.trading.orders.trailingStop({ symbol: "AAPL", qty: 1, side: "buy", trailPercent: 5, timeInForce: "gtc" })
    expect(percent).toMatchObject({ trailPercent: "5", hwm: "102" })
  })

  it("buys a notional amount at the last price, and takes every time in force", async () => {
    const { id, alpaca } = await h.account()
    await h.push(id, bar(0, "AAPL", 200, 200, 200, 200))
    const notional = await alpaca.trading.orders.market({ symbol: "AAPL", notional: 1000, side: "buy" })
    expect(notional.qty).toBe("5")
    // ioc: one update to fill; the limit is not reached, so it is cancelled.
    const ioc = await alpaca.trading.orders.limit({ symbol: "AAPL", qty: 1, side: "buy", limitPrice: 150, timeInForce: "ioc" })
    // fok: all or nothing on its first update: fills.
    const fok = await alpaca.trading.orders.limit({ symbol: "AAPL", qty: 1, side: "buy", limitPrice: 210, timeInForce: "fok" })
    // day: expires at the next session's first update.
    const day = await alpaca.trading.orders.limit({ symbol: "AAPL", qty: 1, side: "buy", limitPrice: 150, timeInForce: "day" })
    // opg: only at the next session's opening.
    const opg = await alpaca.trading.orders.market({ symbol: "AAPL", qty: 1, side: "buy", timeInForce: "opg" })
    // cls: at the close of the bar that reaches the session's close (the 15:59 New York minute bar).
    const cls = await alpaca.trading.orders.market({ symbol: "AAPL", qty: 1, side: "buy", timeInForce: "cls" })
    await h.push(id, bar(1, "AAPL", 201, 202, 199, 200.5))
    expect(await order(alpaca, notional.id!)).toMatchObject({ status: "filled", filledAvgPrice: "201" })
    expect(await order(alpaca, ioc.id!)).toMatchObject({ status: "canceled" })
    expect(await order(alpaca, fok.id!)).toMatchObject({ status: "filled", filledAvgPrice: "201" })
    expect(await order(alpaca, cls.id!)).toMatchObject({ status: "new" })
    await h.push(id, bar(389, "AAPL", 200, 200, 198, 199))
    expect(await order(alpaca, cls.id!)).toMatchObject({ status: "filled", filledAvgPrice: "199" })
    expect(await order(alpaca, opg.id!)).toMatchObject({ status: "new" })
    await h.push(id, { time: "2024-01-03T14:30:00Z", bars: { AAPL: { open: 190, high: 191, low: 189, close: 190, volume: 1000 } } })
    // Each order's end, at the simulation's time it ended, under Alpaca's name for it.
    const dayEnded = await order(alpaca, day.id!)
    expect(dayEnded).toMatchObject({ status: "expired", expiredAt: new Date("2024-01-03T14:30:00Z"), canceledAt: undefined, failedAt: undefined })
    expect(dayEnded.updatedAt).toEqual(new Date("2024-01-03T14:30:00Z"))
    expect(await order(alpaca, ioc.id!)).toMatchObject({ canceledAt: new Date(minute(1)), expiredAt: undefined })
    expect(await order(alpaca, fok.id!)).toMatchObject({ filledAt: new Date(minute(1)), canceledAt: undefined })
    expect(await order(alpaca, opg.id!)).toMatchObject({ status: "filled", filledAvgPrice: "190" })
    // last_equity is the equity at the previous session's close (its 15:59 bar's), not at the last update.
    const account = await alpaca.trading.account.getAccount()
    expect(account.lastEquity).toBe(String(100_000 + 5 * (199 - 201) + (199 - 201) + (199 - 199)))
  })
})

describe("partial fills and rejections", () => {
  it("shows a volume-capped order as partially_filled until its rest fills, and a refused one as rejected with the code of the first rule that refused it (the position cap: 100 % of equity)", async () => {
    const { id, alpaca } = await h.account({ symbols: ["AAPL"], volumeParticipation: 0.1, initialCapital: 10_000 })
    await h.push(id, bar(0, "AAPL", 100, 100, 100, 100))
    const capped = await alpaca.trading.orders.market({ symbol: "AAPL", qty: 30, side: "buy" })
    const tooBig = await alpaca.trading.orders.market({ symbol: "AAPL", qty: 1000, side: "buy" })
    // 10 % of 200 shares: 20 now, the rest at the next open.
    await h.push(id, { time: minute(1), bars: { AAPL: { open: 100, high: 100, low: 100, close: 100, volume: 200 } } })
    expect(await order(alpaca, capped.id!)).toMatchObject({ status: "partially_filled", filledQty: "20", filledAvgPrice: "100" })
    const rejected = await order(alpaca, tooBig.id!)
    expect(rejected).toMatchObject({ status: "rejected", filledQty: "0", failedAt: new Date(minute(1)) })
    expect((rejected as unknown as { reject_reason: string }).reject_reason).toBe("maxPositionSize")
    await h.push(id, { time: minute(2), bars: { AAPL: { open: 101, high: 101, low: 101, close: 101, volume: 200 } } })
    expect(await order(alpaca, capped.id!)).toMatchObject({ status: "filled", filledQty: "30", filledAvgPrice: "100.3333333333333333333333333333333333333" })

    // Its two fills are the account's FILL activities, newest first.
    const activities = await alpaca.trading.accountActivities.getAccountActivities({ activityTypes: ["FILL"] })
    expect(activities.map((a) => [a.type, a.qty, a.price, a.cumQty, a.leavesQty, a.transactionTime?.toISOString()])).toEqual([
      ["fill", "10", "101", "30", "0", minute(2)],
      ["partial_fill", "20", "100", "20", "10", minute(1)]
    ])
    const oldest = await alpaca.trading.accountActivities.getAccountActivitiesByActivityType({ activityType: "FILL", direction: "asc", pageSize: 1 })
    expect(oldest.map((a) => a.qty)).toEqual(["20"])

    // Equity per minute: the last point of each minute, against the initial capital.
    const history = await alpaca.trading.portfolioHistory.getAccountPortfolioHistory({ timeframe: "1Min", period: "1D" })
    expect(history.timestamp).toEqual([0, 1, 2].map((m) => Date.parse(minute(m)) / 1000))
    expect(history.equity).toEqual([10_000, 10_000, 10_000 + 20 * 1 + 10 * 0])
    expect(history.profitLoss).toEqual([0, 0, 20])
    expect(history.baseValue).toBe(10_000)
  })
})

describe("order classes", () => {
  it("places a bracket: the legs are held until the entry fills, then the take-profit fills and the stop-loss is cancelled", async () => {
    const { id, alpaca } = await h.account()
    await h.push(id, bar(0, "AAPL", 101, 101, 101, 101))
    const bracket = await alpaca.trading.orders.bracket({
      symbol: "AAPL",
      qty: 10,
      side: "buy",
      limitPrice: 100,
      timeInForce: "gtc",
      takeProfit: { limitPrice: 110 },
      stopLoss: { stopPrice: 95, limitPrice: 94 }
    })
    expect(bracket).toMatchObject({ orderClass: "bracket", status: "pending_new", limitPrice: "100" })
    // Alpaca's held legs: the take-profit, then the stop-loss (a stop-limit, as it has a limit_price).
    expect(bracket.legs?.map((l) => [l.side, l.type, l.status, l.limitPrice, l.stopPrice])).toEqual([
      ["sell", "limit", "held", "110", undefined],
      ["sell", "stop_limit", "held", "94", "95"]
    ])
    // The entry fills at 100; the bar goes on to 112, but the legs work only from the next update.
    await h.push(id, bar(1, "AAPL", 101, 112, 99, 111))
    const afterEntry = await order(alpaca, bracket.id!)
    expect(afterEntry.status).toBe("filled")
    expect(afterEntry.legs?.map((l) => l.status)).toEqual(["pending_new", "pending_new"])
    await h.push(id, bar(2, "AAPL", 111, 111, 111, 111))
    const done = await order(alpaca, bracket.id!)
    expect(done.legs?.map((l) => [l.status, l.filledAvgPrice])).toEqual([["filled", "111"], ["canceled", undefined]])
    // Listed flat by default; nested under the entry on request.
    expect((await alpaca.trading.orders.getAllOrders({ status: "all" })).length).toBe(3)
    const nested = await alpaca.trading.orders.getAllOrders({ status: "all", nested: true })
    expect(nested.map((o) => [o.id, o.legs?.length])).toEqual([[bracket.id, 2]])
  })

  it("places an OCO exit pair and an OTO, each cancelled with its sibling", async () => {
    const { id, alpaca } = await h.account()
    await h.push(id, bar(0, "AAPL", 100, 100, 100, 100))
    await alpaca.trading.orders.market({ symbol: "AAPL", qty: 10, side: "buy" })
    await h.push(id, bar(1, "AAPL", 100, 100, 100, 100))
    const oco = await alpaca.trading.orders.oco({ symbol: "AAPL", qty: 10, side: "sell", timeInForce: "gtc", takeProfit: { limitPrice: 105 }, stopLoss: { stopPrice: 95 } })
    expect(oco).toMatchObject({ orderClass: "oco", type: "limit", limitPrice: "105" })
    expect(oco.legs?.map((l) => [l.type, l.stopPrice])).toEqual([["stop", "95"]])
    await h.push(id, bar(2, "AAPL", 100, 100, 94, 96))
    const afterStop = await order(alpaca, oco.id!)
    expect([afterStop.status, afterStop.legs?.[0]?.status, afterStop.legs?.[0]?.filledAvgPrice]).toEqual(["canceled", "filled", "95"])

    const oto = await alpaca.trading.orders.oto({ symbol: "AAPL", qty: 4, side: "buy", timeInForce: "gtc", stopLoss: { stopPrice: 90 } })
    expect(oto).toMatchObject({ orderClass: "oto", type: "market" })
    expect(oto.legs?.map((l) => [l.side, l.type, l.status])).toEqual([["sell", "stop", "held"]])
    await alpaca.trading.orders.deleteOrderByOrderID({ orderId: oto.id! })
    const cancelled = await order(alpaca, oto.id!)
    expect([cancelled.status, cancelled.legs?.[0]?.status]).toEqual(["canceled", "canceled"])
  })
})

describe("replace and cancel", () => {
  it("replaces a working order's quantity and limit, refuses a change the engine refuses, and cancels", async () => {
    const { id, alpaca } = await h.account()
    await h.push(id, bar(0, "AAPL", 100, 100, 100, 100))
    const placed = await alpaca.trading.orders.limit({ symbol: "AAPL", qty: 5, side: "buy", limitPrice: 90, timeInForce: "gtc" })
    await h.push(id, bar(1, "AAPL", 100, 100, 99, 100))
    const replaced = await alpaca.trading.orders.patchOrderByOrderId({ orderId: placed.id!, patchOrderRequest: { qty: "7", limitPrice: "95" } })
    expect(replaced).toMatchObject({ id: placed.id, qty: "7", limitPrice: "95", status: "new" })
    const refused = await refusal(alpaca.trading.orders.patchOrderByOrderId({ orderId: placed.id!, patchOrderRequest: { stopPrice: "80" } }))
    expect([refused.status, refused.code]).toEqual([422, 42210000])
    expect(refused.message).toContain("stop_price")
    expect(await order(alpaca, placed.id!)).toMatchObject({ qty: "7", limitPrice: "95" })

    await alpaca.trading.orders.deleteOrderByOrderID({ orderId: placed.id! })
    // Cancelled between updates: at the simulation's time, its last update's.
    expect(await order(alpaca, placed.id!)).toMatchObject({ status: "canceled", canceledAt: new Date(minute(1)), updatedAt: new Date(minute(1)) })
    const again = await refusal(alpaca.trading.orders.deleteOrderByOrderID({ orderId: placed.id! }))
    expect(again.status).toBe(422)

    const a = await alpaca.trading.orders.limit({ symbol: "AAPL", qty: 1, side: "buy", limitPrice: 80, timeInForce: "gtc" })
    const b = await alpaca.trading.orders.limit({ symbol: "MSFT", qty: 1, side: "buy", limitPrice: 80, timeInForce: "gtc" })
    const all = await alpaca.trading.orders.deleteAllOrders()
    expect(all.map((r) => [r.id, r.status])).toEqual([[a.id, 200], [b.id, 200]])
    expect(await alpaca.trading.orders.getAllOrders({})).toEqual([])
  })

  it("closes a position in part, by percentage, and all positions at once", async () => {
    const { id, alpaca } = await h.account()
    await h.push(id, { time: minute(0), bars: { AAPL: { open: 100, high: 100, low: 100, close: 100 }, MSFT: { open: 50, high: 50, low: 50, close: 50 } } })
    await alpaca.trading.orders.market({ symbol: "AAPL", qty: 10, side: "buy" })
    await alpaca.trading.orders.market({ symbol: "MSFT", qty: 4, side: "sell" })
    await h.push(id, { time: minute(1), bars: { AAPL: { open: 100, high: 100, low: 100, close: 100 }, MSFT: { open: 50, high: 50, low: 50, close: 50 } } })
    // A short as Alpaca shows one: its quantity, market value and cost basis negative.
    expect(await alpaca.trading.positions.getOpenPosition({ symbolOrAssetId: "MSFT" })).toMatchObject({ side: "short", qty: "-4", qtyAvailable: "-4", marketValue: "-200", costBasis: "-200" })
    const part = await alpaca.trading.positions.deleteOpenPosition({ symbolOrAssetId: "AAPL", qty: 3 })
    expect(part).toMatchObject({ side: "sell", qty: "3", type: "market" })
    const half = await alpaca.trading.positions.deleteOpenPosition({ symbolOrAssetId: "MSFT", percentage: 50 })
    expect(half).toMatchObject({ side: "buy", qty: "2" })
    await h.push(id, { time: minute(2), bars: { AAPL: { open: 101, high: 101, low: 101, close: 101 }, MSFT: { open: 49, high: 49, low: 49, close: 49 } } })
    expect((await alpaca.trading.positions.getAllOpenPositions()).map((p) => [p.symbol, p.qty, p.side])).toEqual([["AAPL", "7", "long"], ["MSFT", "-2", "short"]])
    const closed = await alpaca.trading.positions.deleteAllOpenPositions({ cancelOrders: true })
    expect(closed.map((c) => [c.symbol, c.status, c.body?.side])).toEqual([["AAPL", 200, "sell"], ["MSFT", 200, "buy"]])
    await h.push(id, { time: minute(3), bars: { AAPL: { open: 102, high: 102, low: 102, close: 102 }, MSFT: { open: 48, high: 48, low: 48, close: 48 } } })
    expect(await alpaca.trading.positions.getAllOpenPositions()).toEqual([])
    expect((await refusal(alpaca.trading.positions.deleteOpenPosition({ symbolOrAssetId: "AAPL" }))).status).toBe(404)
  })
})
