/**
 * The real `paperfloor serve`, spawned: an account created from the command line, the server
 * started on a free loopback port, the official Alpaca client trading through it, a second
 * server refused the store, and a clean stop on SIGTERM.
 */
import { join } from "node:path"
import { afterAll, expect, it } from "vitest"
import { clientFor } from "../server/broker-harness.ts"
import { cli, cliJson, tempDirs } from "./cli-harness.ts"
import { SERVE_ADMIN_KEY as ADMIN_KEY, startServe } from "./serve-harness.ts"

const dirs = tempDirs()
afterAll(() => dirs.cleanup())

it("keeps every acknowledged order, and none twice, when the server is SIGKILLed under concurrent orders and restarted", async () => {
  const cwd = await dirs.make()
  const created = await cliJson<{ id: string; key_id: string; secret_key: string }>(["serve", "--create-account", "--symbols", "AAPL"], cwd)
  const headers = { "APCA-API-KEY-ID": created.key_id, "APCA-API-SECRET-KEY": created.secret_key }
  const order = (url: string, i: number) =>
    fetch(`${url}/v2/orders`, {
      method: "POST",
      headers,
      body: JSON.stringify({ symbol: "AAPL", qty: "1", side: "buy", type: "limit", limit_price: "50", time_in_force: "gtc", client_order_id: `c-${i}` })
    }).then((r) => r.status)

  const first = await startServe(cwd, ["--rate-limit", "0"])
  await fetch(`${first.url}/v1/admin/accounts/${created.id}/updates`, {
    method: "POST",
    headers: { authorization: `Bearer ${ADMIN_KEY}` },
    body: JSON.stringify({ time: "2024-01-02T14:30:00Z", prices: { AAPL: 100 } })
  })
  const total = 60
  const acknowledged: number[] = []
  let answered = 0
  await Promise.all(
    Array.from({ length: total }, (_, i) =>
      order(first.url, i).then(
        (status) => {
          if (status === 200) acknowledged.push(i)
          // Killed while the rest are in flight.
          if (++answered === 10) first.child.kill("SIGKILL")
        },
        () => undefined
      )
    )
  )
  expect(await first.exited).toBe(null)
  expect(acknowledged.length).toBeGreaterThanOrEqual(10)

  const second = await startServe(cwd, ["--rate-limit", "0"])
  try {
    const list = async () =>
      ((await (await fetch(`${second.url}/v2/orders?status=all&limit=500`, { headers })).json()) as Array<{ client_order_id: string }>).map((o) => o.client_order_id)
    const recovered = await list()
    // Every acknowledged order is there, and no order is there twice.
    for (const i of acknowledged) expect(recovered).toContain(`c-${i}`)
    expect(new Set(recovered).size).toBe(recovered.length)
    // A client retrying every order with its client_order_id creates none twice.
    const retried = await Promise.all(Array.from({ length: total }, (_, i) => order(second.url, i)))
    for (const i of acknowledged) expect(retried[i]).toBe(422)
    const after = await list()
    expect(after.slice().sort()).toEqual(Array.from({ length: total }, (_, i) => `c-${i}`).sort())
  } finally {
    second.child.kill("SIGTERM")
  }
  expect(await second.exited).toBe(0)
})

it("creates an account, serves it to the official client, refuses a second server, and stops on SIGTERM", async () => {
  const cwd = await dirs.make()
  const created = await cliJson<{ id: string; key_id: string; secret_key: string }>(["serve", "--create-account", "--symbols", "AAPL"], cwd)
  expect(created.id).toBe("paper-broker-account-1")
  expect(created.key_id).toMatch(/^PK[A-Z0-9]{18}$/)

  const server = await startServe(cwd)
  const { url, exited } = server
  try {
    const alpaca = clientFor(url, created.key_id, created.secret_key)
    expect(await alpaca.trading.account.getAccount()).toMatchObject({ id: created.id, cash: "100000" })
    const push = (time: string, price: number) =>
      fetch(`${url}/v1/admin/accounts/${created.id}/updates`, {
        method: "POST",
        headers: { authorization: `Bearer ${ADMIN_KEY}` },
        body: JSON.stringify({ time, bars: { AAPL: { open: price, high: price + 1, low: price - 1, close: price } } })
      })
    expect((await push("2024-01-02T14:30:00Z", 100)).status).toBe(200)
    const placed = await alpaca.trading.orders.market({ symbol: "AAPL", qty: 2, side: "buy" })
    expect((await push("2024-01-02T14:31:00Z", 101)).status).toBe(200)
    expect(await alpaca.trading.orders.getOrderByOrderID({ orderId: placed.id! })).toMatchObject({ status: "filled", filledAvgPrice: "101" })

    // The store is the server's: another process gets the lock's error and exit code 1.
    const second = await cli(["serve", "--port", "0"], cwd)
    expect(second.code).toBe(1)
    expect(second.stderr).toContain("is open in another process")
  } finally {
    server.child.kill("SIGTERM")
  }
  expect(await exited).toBe(0)
  expect(server.stderr()).toContain("paperfloor serve: stopped")
})
