/**
 * The real `paperfloor serve --replay`, spawned: a replay stepped by the client through the admin
 * API with the official Alpaca client trading and reading bars; and a replay at full speed
 * SIGKILLed part-way and restarted, which resumes where the accounts are: every update once.
 */
import { writeFile } from "node:fs/promises"
import { join } from "node:path"
import { TimeFrame } from "@alpacahq/alpaca-trade-api"
import { afterAll, expect, it } from "vitest"
import { clientFor } from "../server/broker-harness.ts"
import { cliJson, tempDirs } from "./cli-harness.ts"
import { startServe } from "./serve-harness.ts"

const dirs = tempDirs()
afterAll(() => dirs.cleanup())

type MarketState = { position: number; replay: { replayed: number; done: boolean } }

type Created = { id: string; key_id: string; secret_key: string }

it("replays a file step by step under the client's control, through the official client", async () => {
  const cwd = await dirs.make()
  const account = await cliJson<Created>(["serve", "--create-account", "--symbols", "AAPL"], cwd)
  await writeFile(
    join(cwd, "aapl.csv"),
    ["Timestamp,Open,High,Low,Close,Volume", "2024-01-02 14:30,185,186,184,185.5,1000", "2024-01-02 14:31,186,187,185,186.5,1100", "2024-01-02 14:32,186.5,188,186,187.5,1200"].join("\n")
  )
  const server = await startServe(cwd, ["--rate-limit", "0", "--replay", "AAPL=aapl.csv", "--speed", "step"])
  try {
    const alpaca = clientFor(server.url, account.key_id, account.secret_key)
    expect(await server.admin("/market/replay/step", { updates: 1 })).toMatchObject({ fed: 1, done: false })
    const order = await alpaca.trading.orders.market({ symbol: "AAPL", qty: 4, side: "buy" })
    expect(await server.admin("/market/replay/step", { until: "2024-01-02T14:31:00Z" })).toMatchObject({ fed: 1, replayed: 2 })
    // A market order fills at the next bar's open.
    expect(await alpaca.trading.orders.getOrderByOrderID({ orderId: order.id! })).toMatchObject({ status: "filled", filledAvgPrice: "186" })
    expect((await alpaca.marketData.getStockBarsFor("AAPL", { timeframe: TimeFrame.Hour })).map((b) => [b.open, b.high, b.close, b.volume])).toEqual([[185, 187, 186.5, 2100]])
  } finally {
    server.child.kill("SIGTERM")
  }
  expect(await server.exited).toBe(0)
})

it("resumes a replay SIGKILLed part-way where the accounts are, giving every update once", async () => {
  const cwd = await dirs.make()
  const aapl = await cliJson<Created>(["serve", "--create-account", "--symbols", "AAPL"], cwd)
  const both = await cliJson<Created>(["serve", "--create-account", "--symbols", "AAPL,MSFT"], cwd)
  // 3,000 seconds of two symbols from the open, one update a second; AAPL's volume is its second.
  const seconds = 3000
  const open = Date.parse("2024-01-02T14:30:00Z")
  const rows = ["time,symbol,open,high,low,close,volume"]
  for (let i = 0; i < seconds; i++) {
    const time = new Date(open + i * 1000).toISOString()
    const p = 100 + (i % 7)
    rows.push(`${time},AAPL,${p},${p + 1},${p - 1},${p},${i}`, `${time},MSFT,${p * 3},${p * 3 + 1},${p * 3 - 1},${p * 3},1`)
  }
  await writeFile(join(cwd, "market.csv"), rows.join("\n"))
  const args = ["--rate-limit", "0", "--replay", "market.csv", "--speed", "max"]

  const first = await startServe(cwd, args)
  // Killed once the replay is under way (or, on a fast machine, done).
  await expect.poll(async () => (await first.admin<MarketState>("/market")).position, { timeout: 60_000, interval: 20 }).toBeGreaterThan(0)
  first.child.kill("SIGKILL")
  expect(await first.exited).toBe(null)

  const second = await startServe(cwd, args)
  try {
    await expect.poll(async () => (await second.admin<MarketState>("/market")).replay.done, { timeout: 120_000, interval: 100 }).toBe(true)
    expect(await second.admin<MarketState>("/market")).toMatchObject({ position: seconds, replay: { replayed: seconds } })
    // Each minute's volume is the sum of its seconds': no second was put on the market twice.
    const bars = await clientFor(second.url, aapl.key_id, aapl.secret_key).marketData.getStockBarsFor("AAPL", { timeframe: TimeFrame.Minute })
    const sum = (m: number) => Array.from({ length: 60 }, (_, s) => m * 60 + s).reduce((a, b) => a + b, 0)
    expect(bars.map((b) => b.volume)).toEqual(Array.from({ length: seconds / 60 }, (_, m) => sum(m)))
  } finally {
    second.child.kill("SIGTERM")
  }
  expect(await second.exited).toBe(0)
  // Every account holds every update once.
  for (const account of [aapl, both]) expect((await cliJson<{ updates: number }>(["status", account.id, "--json"], cwd)).updates).toBe(seconds)
}, 240_000)
