/**
 * The admin API's market (`/v1/admin/market…`): its state, updates pushed to every account at
 * once, and the steps of a replay run with `--speed step`, each answered once every account's
 * simulation has journaled what it was given.
 */
import { ValidationError } from "../domain/errors.ts"
import { parseTime } from "../domain/time.ts"
import { badRequest, BrokerApiError, unprocessable } from "./broker-error.ts"
import type { LiveMarket } from "./market-live.ts"
import { type MarketReplay, MarketReplayError } from "./market-replay.ts"
import type { FeedReceipt, MarketTape } from "./market-tape.ts"
import { readPushedUpdates } from "./market-update-records.ts"
import type { AdminRequest } from "./admin-routes.ts"
import type { Answer } from "./trading-routes.ts"
import { issuesMessage } from "./alpaca-order-request.ts"

export interface MarketSources {
  readonly tape: MarketTape
  readonly replay?: MarketReplay
  readonly live?: LiveMarket
}

const MAX_STEP = 1_000_000
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())
const isRecord = (u: unknown): u is Record<string, unknown> => u !== null && typeof u === "object" && !Array.isArray(u)

const feedAnswer = (receipt: FeedReceipt) => ({
  position: receipt.position,
  time: iso(receipt.time),
  fed: receipt.fed,
  accounts: receipt.accounts,
  refused: receipt.refused.map((r) => ({ account_id: r.accountId, message: r.message }))
})

/** `{ updates: N }` or `{ until: time }`, nothing else. */
const readStep = (body: unknown): { updates: number } | { until: number } => {
  if (!isRecord(body) || Object.keys(body).length !== 1 || !("updates" in body || "until" in body))
    throw badRequest("the body must be { \"updates\": N } or { \"until\": time }")
  if ("updates" in body) {
    const n = body["updates"]
    if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 1 || n > MAX_STEP) throw unprocessable(`updates must be a whole number from 1 to ${MAX_STEP} (got ${JSON.stringify(n)})`)
    return { updates: n }
  }
  const until = parseTime(body["until"])
  if (!Number.isFinite(until)) throw unprocessable(`until must be ms since the epoch or an ISO-8601 time (got ${JSON.stringify(body["until"])})`)
  return { until }
}

export const marketAdminRoutes = ({ tape, replay, live }: MarketSources) => async (request: AdminRequest): Promise<Answer | undefined> => {
  const path = `${request.method} ${request.segments.join("/")}`
  switch (path) {
    case "GET market":
      return {
        status: 200,
        body: {
          position: tape.position,
          time: iso(tape.lastTime),
          symbols: tape.store.symbols(),
          window: tape.store.window,
          replay: replay === undefined ? null : replay.status(),
          live: live === undefined ? null : live.status()
        }
      }
    case "POST market/updates": {
      const updates = readPushedUpdates(await request.body(), tape.lastTime)
      if (updates instanceof ValidationError) throw unprocessable(issuesMessage(updates.issues))
      return { status: 200, body: feedAnswer(await tape.feed("push", updates)) }
    }
    case "POST market/replay/step": {
      if (replay === undefined || replay.speed !== "step")
        throw new BrokerApiError({ status: 409, code: 40910000, message: "the server is not replaying step by step: start it with --replay <file...> --speed step" })
      const step = readStep(await request.body())
      const receipt = await replay.step(step).catch((e: unknown) => {
        throw e instanceof MarketReplayError ? new BrokerApiError({ status: 409, code: 40910000, message: e.message }) : e
      })
      return { status: 200, body: { fed: receipt.fed, replayed: receipt.replayed, position: receipt.position, time: iso(receipt.time), done: receipt.done } }
    }
    default:
      return undefined
  }
}
