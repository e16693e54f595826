/**
 * What the broker refuses, as Alpaca does (status and `{ code, message }` naming the field), each
 * refusal changing nothing; every request authenticated; and an account never seeing or touching
 * another's orders and positions, endpoint by endpoint.
 */
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { ApiError } from "@alpacahq/alpaca-trade-api"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startBrokerServer } from "../../src/server/index.ts"
import { clientFor, type Harness, startHarness } from "./broker-harness.ts"

let h: Harness
beforeAll(async () => {
  h = await startHarness()
})
afterAll(() => h.close())

const at = (m: number) => new Date(Date.UTC(2024, 0, 2, 14, 30 + m)).toISOString()
const bars = (m: number, price: number) => ({ time: at(m), bars: { AAPL: { open: price, high: price, low: price, close: price }, MSFT: { open: price, high: price, low: price, close: price } } })

type Keys = { keyId: string; secretKey: string }

/** Everything an account's API can show of it, to compare before and after a refused request. */
const everything = async (keys: Keys) => {
  const get = async (path: string) => (await h.raw(path, { keys })).json()
  return { orders: await get("/v2/orders?status=all&nested=true"), positions: await get("/v2/positions"), account: await get("/v2/account") }
}

const post = (keys: Keys, path: string, body: string) => h.raw(path, { method: "POST", keys, headers: { "content-type": "application/json" }, body })

describe("refusals", () => {
  it("answers 401 to a request without the account's key pair, and to the admin API without its key", async () => {
    const a = await h.account()
    for (const keys of [undefined, { keyId: a.keyId, secretKey: "wrong" }, { keyId: "PKNOTAKEY", secretKey: a.secretKey }]) {
      const response = await h.raw("/v2/account", keys === undefined ? {} : { keys })
      expect(response.status).toBe(401)
      expect(await response.json()).toEqual({ code: 40110000, message: "request is not authorized" })
    }
    const wrongClient = clientFor(h.server.url, a.keyId, "not-the-secret")
    const error = await wrongClient.trading.account.getAccount().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ApiError)
    expect((error as ApiError).status).toBe(401)
    expect((await h.raw("/v1/admin/accounts", { method: "POST", body: "{}" })).status).toBe(401)
    expect((await h.raw("/v1/admin/accounts", { method: "POST", body: "{}", headers: { authorization: "Bearer nope" } })).status).toBe(401)
    // An account's keys do not open the admin API.
    expect((await h.raw(`/v1/admin/accounts/${a.id}/updates`, { method: "POST", keys: a, body: JSON.stringify(bars(0, 1)) })).status).toBe(401)
  })

  it("refuses malformed orders with a 4xx naming the field, and changes nothing", async () => {
    const a = await h.account()
    await h.push(a.id, bars(0, 100))
    await a.alpaca.trading.orders.limit({ symbol: "AAPL", qty: 1, side: "buy", limitPrice: 90, clientOrderId: "taken", timeInForce: "gtc" })
    const before = await everything(a)
    const order = { symbol: "AAPL", qty: "1", side: "buy", type: "market", time_in_force: "day" }
    const cases: ReadonlyArray<readonly [string, number, number, string]> = [
      ["{not json", 400, 40010001, "not valid JSON"],
      ["[]", 422, 42210000, "JSON object"],
      [JSON.stringify({ ...order, qty: undefined }), 422, 42210000, "qty or notional is required"],
      [JSON.stringify({ ...order, qty: "-5" }), 422, 42210000, "qty must be greater than 0"],
      [JSON.stringify({ ...order, qty: "ten" }), 422, 42210000, "qty must be a decimal number"],
      [JSON.stringify({ ...order, symbol: "TSLA" }), 422, 42210000, "symbol must be one of the configured symbols"],
      [JSON.stringify({ ...order, side: "hold" }), 422, 42210000, "side must be one of buy, sell"],
      [JSON.stringify({ ...order, type: "iceberg" }), 422, 42210000, "type must be one of"],
      [JSON.stringify({ ...order, time_in_force: undefined }), 422, 42210000, "time_in_force is required"],
      [JSON.stringify({ ...order, colour: "red" }), 422, 42210000, "colour is not a field"],
      [JSON.stringify({ ...order, type: "limit" }), 422, 42210000, "limit_price is required for limit orders"],
      [JSON.stringify({ ...order, type: "stop", stop_price: "99", time_in_force: "opg" }), 422, 42210000, "time_in_force opg is not allowed"],
      [JSON.stringify({ ...order, type: "trailing_stop", trail_price: "1", trail_percent: "1" }), 422, 42210000, "trail_percent is not allowed beside"],
      [JSON.stringify({ ...order, order_class: "bracket", take_profit: { limit_price: "110" } }), 422, 42210000, "stop_loss is required for bracket orders"],
      [JSON.stringify({ ...order, order_class: "bracket", take_profit: { limit_price: "-1" }, stop_loss: { stop_price: "90" } }), 422, 42210000, "take_profit.limit_price must be greater than 0"],
      [JSON.stringify({ ...order, notional: "100" }), 422, 42210000, "notional cannot be given together with qty"],
      [JSON.stringify({ ...order, client_order_id: "taken" }), 422, 40010001, "client_order_id must be unique"]
    ]
    for (const [body, status, code, message] of cases) {
      const response = await post(a, "/v2/orders", body)
      const answer = (await response.json()) as { code: number; message: string }
      expect([body, response.status, answer.code]).toEqual([body, status, code])
      expect(answer.message).toContain(message)
    }
    const big = await post(a, "/v2/orders", JSON.stringify({ ...order, client_order_id: "x".repeat(70_000) }))
    expect(big.status).toBe(413)
    expect(await everything(a)).toEqual(before)
  })

  it("answers 404 for unknown orders, positions, assets and endpoints, and 422 for a bad query parameter", async () => {
    const a = await h.account()
    for (const path of ["/v2/orders/O-000099", "/v2/orders/not-an-id", "/v2/orders:by_client_order_id?client_order_id=none", "/v2/positions/AAPL", "/v2/assets/TSLA", "/v2/nothing"]) {
      const response = await h.raw(path, { keys: a })
      expect([path, response.status, ((await response.json()) as { code: number }).code]).toEqual([path, 404, 40410000])
    }
    const badPath = await h.raw("/v2/orders/%E0%A4%A", { keys: a })
    expect([badPath.status, ((await badPath.json()) as { code: number }).code]).toEqual([400, 40010001])
    for (const [path, field] of [["/v2/orders?status=bogus", "status"], ["/v2/orders?limit=0", "limit"], ["/v2/calendar?start=yesterday", "start"]] as const) {
      const response = await h.raw(path, { keys: a })
      expect(response.status).toBe(422)
      expect(((await response.json()) as { message: string }).message).toMatch(new RegExp(`^${field} `))
    }
  })
})

describe("isolation between accounts", () => {
  it("never lets an account see or touch another's orders and positions", async () => {
    const a = await h.account()
    const b = await h.account()
    await h.push(a.id, bars(0, 100))
    await h.push(b.id, bars(0, 100))
    const bought = await a.alpaca.trading.orders.market({ symbol: "AAPL", qty: 10, side: "buy", clientOrderId: "a-buy" })
    await h.push(a.id, bars(1, 100))
    const resting = await a.alpaca.trading.orders.limit({ symbol: "AAPL", qty: 1, side: "buy", limitPrice: 50, clientOrderId: "a-rest", timeInForce: "gtc" })
    const aBefore = await everything(a)
    const bBefore = await everything(b)

    const answers = await Promise.all(
      [
        ["GET", `/v2/orders/${bought.id}`],
        ["GET", `/v2/orders/${resting.id}`],
        ["GET", "/v2/orders:by_client_order_id?client_order_id=a-buy"],
        ["PATCH", `/v2/orders/${resting.id}`, JSON.stringify({ qty: "2" })],
        ["DELETE", `/v2/orders/${resting.id}`],
        ["GET", "/v2/positions/AAPL"],
        ["DELETE", "/v2/positions/AAPL"]
      ].map(async ([method, path, body]) => {
        const response = await h.raw(path!, { method: method!, keys: b, ...(body === undefined ? {} : { body }) })
        return [method, path, response.status]
      })
    )
    expect(answers.map(([, , status]) => status)).toEqual(answers.map(() => 404))
    expect(await b.alpaca.trading.orders.getAllOrders({ status: "all" })).toEqual([])
    expect(await b.alpaca.trading.positions.getAllOpenPositions()).toEqual([])
    expect(await b.alpaca.trading.accountActivities.getAccountActivities({})).toEqual([])
    expect((await a.alpaca.trading.accountActivities.getAccountActivities({})).length).toBe(1)
    expect((await b.alpaca.trading.portfolioHistory.getAccountPortfolioHistory({ timeframe: "1Min" })).equity).toEqual([100_000])
    expect(await b.alpaca.trading.orders.deleteAllOrders()).toEqual([])
    expect(await b.alpaca.trading.positions.deleteAllOpenPositions({ cancelOrders: true })).toEqual([])
    // B's own order of the same client order id is B's alone.
    await b.alpaca.trading.orders.limit({ symbol: "MSFT", qty: 1, side: "buy", limitPrice: 50, clientOrderId: "a-rest", timeInForce: "gtc" })
    expect((await b.alpaca.trading.orders.getOrderByClientOrderId({ clientOrderId: "a-rest" })).symbol).toBe("MSFT")
    expect((await a.alpaca.trading.orders.getOrderByClientOrderId({ clientOrderId: "a-rest" })).symbol).toBe("AAPL")

    expect(await everything(a)).toEqual(aBefore)
    expect((await everything(b)).account).toEqual(bBefore.account)
  })
})

describe("durability", () => {
  it("keeps every acknowledged order, account and key pair across a restart of the server", async () => {
    const root = await mkdtemp(join(tmpdir(), "paperfloor-serve-restart-"))
    try {
      const first = await startBrokerServer({ storageRoot: root, adminKey: "k".repeat(20) })
      const { account, keys } = await first.broker.createAccount({ symbols: ["AAPL"] })
      const client = clientFor(first.url, keys.keyId, keys.secretKey)
      await first.broker.paper.processMarketUpdate(account.id, { time: at(0), prices: { AAPL: 100 } })
      const placed = await client.trading.orders.limit({ symbol: "AAPL", qty: 3, side: "buy", limitPrice: 99, clientOrderId: "kept", timeInForce: "gtc" })
      const bracket = await client.trading.orders.bracket({ symbol: "AAPL", qty: 2, side: "buy", limitPrice: 98, timeInForce: "gtc", takeProfit: { limitPrice: 120 }, stopLoss: { stopPrice: 90 } })
      await first.close()

      // The store is the first server's while it runs; after it is closed, the second opens it.
      const second = await startBrokerServer({ storageRoot: root })
      try {
        const again = clientFor(second.url, keys.keyId, keys.secretKey)
        expect(await again.trading.orders.getOrderByClientOrderId({ clientOrderId: "kept" })).toMatchObject({ id: placed.id, qty: "3", status: "pending_new" })
        const retry = await again.trading.orders.limit({ symbol: "AAPL", qty: 3, side: "buy", limitPrice: 99, clientOrderId: "kept", timeInForce: "gtc" }).catch((e: unknown) => e)
        expect((retry as ApiError).status).toBe(422)
        // The bracket came back from the journal whole: its entry and its held legs.
        const restored = await again.trading.orders.getOrderByOrderID({ orderId: bracket.id! })
        expect([restored.orderClass, restored.legs?.map((l) => [l.type, l.status])]).toEqual(["bracket", [["limit", "held"], ["stop", "held"]]])
        expect((await again.trading.orders.getAllOrders({ status: "all" })).length).toBe(4)
      } finally {
        await second.close()
      }
    } finally {
      await rm(root, { recursive: true, force: true })
    }
  })

  it("refuses a second server on a store another owns", async () => {
    await expect(startBrokerServer({ storageRoot: h.root })).rejects.toMatchObject({ _tag: "StoreLockedError" })
  })
})

describe("limits and concurrency", () => {
  it("answers 429 past a key's rate limit, to that key only", async () => {
    const limited = await startHarness({ rateLimit: { requests: 3, perMs: 3_600_000 } })
    try {
      const a = await limited.account()
      const b = await limited.account()
      const statuses = []
      for (let i = 0; i < 5; i++) statuses.push((await limited.raw("/v2/account", { keys: a })).status)
      expect(statuses).toEqual([200, 200, 200, 429, 429])
      const refused = await limited.raw("/v2/orders", { method: "POST", keys: a, body: JSON.stringify({ symbol: "AAPL", qty: "1", side: "buy", type: "market", time_in_force: "day" }) })
      expect([refused.status, ((await refused.json()) as { code: number }).code]).toEqual([429, 42910000])
      expect((await limited.raw("/v2/account", { keys: b })).status).toBe(200)
    } finally {
      await limited.close()
    }
  })

  it("places an order once however many concurrent requests carry its client_order_id, and each distinct one once", async () => {
    const a = await h.account()
    const body = (clientOrderId: string) => JSON.stringify({ symbol: "AAPL", qty: "1", side: "buy", type: "limit", limit_price: "50", time_in_force: "gtc", client_order_id: clientOrderId })
    const same = await Promise.all(Array.from({ length: 8 }, () => post(a, "/v2/orders", body("once"))))
    expect(same.map((r) => r.status).sort()).toEqual([200, 422, 422, 422, 422, 422, 422, 422])
    const distinct = await Promise.all(Array.from({ length: 8 }, (_, i) => post(a, "/v2/orders", body(`each-${i}`))))
    expect(distinct.map((r) => r.status)).toEqual(distinct.map(() => 200))
    const orders = await a.alpaca.trading.orders.getAllOrders({ status: "all", limit: 500 })
    expect(orders.map((o) => o.clientOrderId).sort()).toEqual(["once", ...Array.from({ length: 8 }, (_, i) => `each-${i}`)].sort())
  })

  it("answers 403 to orders for an account whose simulation has stopped", async () => {
    const a = await h.account()
    await h.server.broker.paper.stopSimulation(a.id)
    const refused = await post(a, "/v2/orders", JSON.stringify({ symbol: "AAPL", qty: "1", side: "buy", type: "market", time_in_force: "day" }))
    expect([refused.status, ((await refused.json()) as { code: number }).code]).toEqual([403, 40310000])
    expect(await a.alpaca.trading.account.getAccount()).toMatchObject({ status: "ACCOUNT_CLOSED", tradingBlocked: true })
  })
})
