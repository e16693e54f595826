/**
 * A live feed onto the server's market (`--live-feed`): a local feed replaying recorded messages
 * in paperfloor's live format reaches every account trading the symbols, subscribed to every
 * account's symbols, and its records come back out of the Market Data API.
 */
import { expect, it } from "vitest"
import { serveLiveFeed } from "../../src/data/live/replay-server.ts"
import { ADMIN_KEY, clientFor, startHarness } from "./broker-harness.ts"

it("feeds a live feed to every account trading its symbols, and serves what it fed", async () => {
  const feed = await serveLiveFeed({
    messages: [
      { type: "trade", symbol: "AAPL", time: "2024-01-02T14:30:00Z", price: 187.15, size: 100 },
      { type: "quote", symbol: "AAPL", time: "2024-01-02T14:30:30Z", bid: "187.10", ask: "187.20" },
      { type: "bar", symbol: "MSFT", time: "2024-01-02T14:31:00Z", open: 370, high: 371, low: 369.5, close: 370.5, volume: 5200 }
    ]
  })
  // The accounts exist before the server starts, so the feed's subscription is their symbols.
  const setup = await startHarness()
  const aapl = await setup.account({ symbols: ["AAPL"] })
  const msft = await setup.account({ symbols: ["MSFT"] })
  await setup.server.close()
  const h = await startHarness({ root: setup.root, market: { live: { url: feed.url } } })
  try {
    const updates = async (id: string) => (await h.server.broker.paper.getSimulationStatus(id)).updates
    await expect.poll(async () => [await updates(aapl.id), await updates(msft.id)], { timeout: 10_000 }).toEqual([2, 1])
    const market = (await (await h.raw("/v1/admin/market", { headers: { authorization: `Bearer ${ADMIN_KEY}` } })).json()) as Record<string, unknown>
    expect(market).toMatchObject({ position: 3, time: "2024-01-02T14:31:00.000Z", live: { url: feed.url, fed: 3, behind: 0, error: null } })
    const alpaca = clientFor(h.server.url, msft.keyId, msft.secretKey)
    expect(await alpaca.marketData.stocks.stockLatestQuoteSingle({ symbol: "AAPL" })).toMatchObject({ quote: { bp: 187.1, ap: 187.2 } })
    expect(await alpaca.marketData.getLatestPrice("AAPL")).toBe(187.15)
  } finally {
    await h.close()
    await feed.close()
  }
})
