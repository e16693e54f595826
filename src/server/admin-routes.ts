/**
 * The admin API (`/v1/admin/…`, with `Authorization: Bearer <admin key>`): create accounts, list
 * them, and push market updates into an account's simulation, so a client can drive fills step by
 * step.
 */
import type { MarketUpdateInput } from "../domain/market-update.ts"
import { accountListing, type Broker, newAccountListing } from "./broker.ts"
import { notFound, unprocessable } from "./broker-error.ts"
import type { Answer } from "./trading-routes.ts"

export interface AdminRequest {
  readonly method: string
  /** The path's segments after `/v1/admin/`. */
  readonly segments: ReadonlyArray<string>
  readonly body: () => Promise<unknown>
}

const isRecord = (u: unknown): u is Record<string, unknown> => u !== null && typeof u === "object" && !Array.isArray(u)

export const adminRoutes = (broker: Broker) => async (request: AdminRequest): Promise<Answer | undefined> => {
  const { method, segments } = request
  const [resource, id, action, ...rest] = segments
  if (resource !== "accounts" || rest.length > 0) return undefined
  if (id === undefined && method === "GET") {
    return { status: 200, body: broker.accounts.list().map(accountListing) }
  }
  if (id === undefined && method === "POST") {
    // No body is the defaults; a body is a config, checked as one (a JSON null is refused, not taken for none).
    const body = await request.body()
    return { status: 200, body: newAccountListing(await broker.createAccount(body === undefined ? {} : body)) }
  }
  if (id !== undefined && action === "updates" && method === "POST") {
    if (!broker.accounts.list().some((a) => a.id === id)) throw notFound(`account not found: ${id}`)
    const body = await request.body()
    if (!isRecord(body)) throw unprocessable("the request body must be a market update, or { updates: [...] }")
    if ("updates" in body) {
      if (!Array.isArray(body["updates"])) throw unprocessable(`updates must be an array of market updates (got ${typeof body["updates"]})`)
      if (Object.keys(body).length > 1) throw unprocessable("{ updates: [...] } takes no other field")
    }
    const updates = "updates" in body ? (body["updates"] as MarketUpdateInput[]) : [body as MarketUpdateInput]
    const receipt = await broker.market.pushToAccount(id, updates)
    return { status: 200, body: { account_id: id, applied: receipt.applied, state: receipt.state, updates: receipt.updates } }
  }
  return undefined
}
