/**
 * The `trade_updates` stream through the official client's TradingStream, pointed at the local
 * server: each order event of the account, in order, once durable; none of another account's.
 */
import { streaming } from "@alpacahq/alpaca-trade-api"
import { afterAll, beforeAll, expect, it } from "vitest"
import { type Harness, startHarness } from "./broker-harness.ts"

let h: Harness
beforeAll(async () => {
  h = await startHarness()
})
afterAll(() => h.close())

const at = (m: number) => new Date(Date.UTC(2024, 0, 2, 14, 30 + m)).toISOString()
const bar = (m: number, price: number) => ({ time: at(m), bars: { AAPL: { open: price, high: price + 1, low: price - 1, close: price } } })

it("streams an account's order events to its listener, and none of another account's", async () => {
  const a = await h.account()
  const b = await h.account()
  const updates: streaming.TradeUpdate[] = []
  const stream = a.alpaca.trading.stream({ url: `${h.server.url.replace("http", "ws")}/stream` })
  stream.onTradeUpdate((update) => updates.push(update))
  const listening = new Promise<void>((resolve) => stream.on(streaming.EVENT.SUBSCRIPTION, () => resolve()))
  stream.subscribeTradeUpdates()
  stream.connect()
  await listening
  try {
    await h.push(a.id, bar(0, 100))
    await h.push(b.id, bar(0, 100))
    await b.alpaca.trading.orders.market({ symbol: "AAPL", qty: 1, side: "buy" })
    const bought = await a.alpaca.trading.orders.market({ symbol: "AAPL", qty: 5, side: "buy", clientOrderId: "streamed" })
    const resting = await a.alpaca.trading.orders.limit({ symbol: "AAPL", qty: 1, side: "buy", limitPrice: 50, timeInForce: "gtc" })
    await h.push(a.id, bar(1, 101))
    await a.alpaca.trading.orders.deleteOrderByOrderID({ orderId: resting.id! })
    await h.push(b.id, bar(1, 101))
    await expect.poll(() => updates.length).toBe(6)
    expect(updates.map((u) => [u.event, u.order.id, u.order.status])).toEqual([
      ["pending_new", bought.id, "pending_new"],
      ["pending_new", resting.id, "pending_new"],
      ["new", bought.id, "new"],
      ["new", resting.id, "new"],
      ["fill", bought.id, "filled"],
      ["canceled", resting.id, "canceled"]
    ])
    const fill = updates[4]!
    expect([fill.price, fill.qty, fill.timestamp?.toISOString(), fill.order.clientOrderId]).toEqual(["101", "5", at(1), "streamed"])
  } finally {
    stream.disconnect()
  }
})

it("refuses a listener without the account's key pair", async () => {
  const a = await h.account()
  const socket = new WebSocket(`${h.server.url.replace("http", "ws")}/stream`)
  const frames: unknown[] = []
  socket.addEventListener("message", (m) => frames.push(JSON.parse(String(m.data))))
  await new Promise((resolve) => socket.addEventListener("open", resolve))
  socket.send(JSON.stringify({ action: "authenticate", data: { key_id: a.keyId, secret_key: "wrong" } }))
  await new Promise((resolve) => socket.addEventListener("close", resolve))
  expect(frames).toEqual([{ stream: "authorization", data: { action: "authenticate", status: "unauthorized" } }])
})
