/**
 * The store's operations through the API of the `paperfloor serve` that owns it (its endpoint
 * and this run's token from `<store>/server/endpoint.json`). Answers are the library's objects
 * as JSON; a refusal comes back with the store's own error tag and message, and is thrown as such,
 * so the command says and exits as it would have on the store directly.
 */
import { Data } from "effect"
import type { ArchivedResults, DeploymentRecord, MarketUpdateInput, SimulationStatusReport, UpdateReceipt } from "../index.ts"
import type { Endpoint } from "../server/api/endpoint-file.ts"
import { MAX_BODY_BYTES } from "../server/http-json.ts"
import type { RunConfig } from "./config-file.ts"
import type { Store } from "./store.ts"
import { NotStoppedError, UnknownSimulationError } from "./store-errors.ts"

/** The server that owns the store did not answer (it stopped since it was found, say). */
export class ServerUnreachableError extends Data.TaggedError("ServerUnreachableError")<{
  readonly url: string
  readonly reason: string
}> {
  override get message(): string {
    return `the paperfloor serve that owns the store (${this.url}) did not answer: ${this.reason}`
  }
}

/** A refusal of the server's: the store's error, by its tag and message. */
export class ServerRefusal extends Error {
  readonly _tag: string
  readonly status: number
  readonly detail: Readonly<Record<string, unknown>>

  constructor(tag: string, message: string, status: number, detail: Readonly<Record<string, unknown>>) {
    super(message)
    this._tag = tag
    this.name = tag
    this.status = status
    this.detail = detail
  }
}

interface ErrorBody {
  readonly error?: unknown
  readonly message?: unknown
  readonly detail?: unknown
}

/** Batches whose bodies stay within the server's bound (each `{"updates":[…]}` under MAX_BODY_BYTES). */
const withinBound = (updates: ReadonlyArray<MarketUpdateInput>): ReadonlyArray<ReadonlyArray<MarketUpdateInput>> => {
  const room = MAX_BODY_BYTES - 64
  const batches: MarketUpdateInput[][] = []
  let size = room
  for (const update of updates) {
    const bytes = Buffer.byteLength(JSON.stringify(update)) + 1
    if (size + bytes > room) {
      batches.push([])
      size = 0
    }
    batches.at(-1)!.push(update)
    size += bytes
  }
  return batches
}

/** A request to the server's API with this run's token: its answer, or its refusal thrown. */
const caller =
  (endpoint: Endpoint) =>
  async <A>(method: "GET" | "POST", path: string, body?: unknown): Promise<A> => {
    let response: Response
    try {
      response = await fetch(`${endpoint.url}/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${endpoint.token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) })
      })
    } catch (e) {
      const cause = (e as { cause?: { message?: unknown } }).cause
      throw new ServerUnreachableError({ url: endpoint.url, reason: typeof cause?.message === "string" ? cause.message : String(e) })
    }
    const text = await response.text()
    if (response.ok) return JSON.parse(text) as A
    let answer: ErrorBody = {}
    try {
      answer = JSON.parse(text) as ErrorBody
    } catch {
      // Not the API's error body: said below by its status.
    }
    const tag = typeof answer.error === "string" ? answer.error : "ServerError"
    const message = typeof answer.message === "string" ? answer.message : `${endpoint.url} answered ${response.status}`
    const detail = typeof answer.detail === "object" && answer.detail !== null ? (answer.detail as Record<string, unknown>) : {}
    // A bug of the server's is not the input's: as a plain Error it is the command's exit code 3.
    if (tag === "InternalError") throw new Error(`the paperfloor serve that owns the store failed: ${message} (its log says why)`)
    throw new ServerRefusal(tag, message, response.status, detail)
  }

/** A new account of the server's broker (`serve --create-account` while a server owns the store). */
export const createAccountThrough = (endpoint: Endpoint, config: Record<string, unknown>) =>
  caller(endpoint)<{ id: string; key_id: string; secret_key: string }>("POST", "/accounts", config)

export const remoteStore = (root: string, endpoint: Endpoint): Store => {
  const call = caller(endpoint)
  const simulationPath = (id: string, rest = "") => `/simulations/${encodeURIComponent(id)}${rest}`
  const command = (action: string) => async (id: string) => {
    await call("POST", simulationPath(id, `/${action}`))
  }
  return {
    root,
    simulation: (id) =>
      call<DeploymentRecord>("GET", simulationPath(id)).catch((error: unknown) => {
        throw error instanceof ServerRefusal && error._tag === "UnknownDeploymentError" ? new UnknownSimulationError({ simulationId: id, store: root }) : error
      }),
    results: (id) =>
      call<ArchivedResults>("GET", simulationPath(id, "/results")).catch((error: unknown) => {
        if (!(error instanceof ServerRefusal) || error._tag !== "ResultsNotArchivedError") throw error
        throw new NotStoppedError({ simulationId: id, state: String(error.detail["status"]) })
      }),
    list: () => call("GET", "/simulations"),
    deploy: async (config: RunConfig) => {
      const model = await call<{ modelId: string; version: string }>("POST", "/models", config.model)
      const record = await call<DeploymentRecord>("POST", "/simulations", { modelId: model.modelId, modelVersion: model.version, simulationConfig: config.simulation })
      return record.id
    },
    start: command("start"),
    pause: command("pause"),
    resume: command("resume"),
    stop: (id) => call<ArchivedResults>("POST", simulationPath(id, "/stop")),
    status: (id) => call<SimulationStatusReport>("GET", simulationPath(id, "/status")),
    update: async (id, updates) => {
      let applied = 0
      let receipt: UpdateReceipt | undefined
      for (const batch of withinBound(updates)) {
        receipt = await call<UpdateReceipt>("POST", simulationPath(id, "/updates"), { updates: batch })
        applied += receipt.applied
      }
      if (receipt === undefined) return call<UpdateReceipt>("POST", simulationPath(id, "/updates"), { updates: [] })
      return { ...receipt, applied }
    },
    own: async () => undefined
  }
}
