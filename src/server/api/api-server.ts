/**
 * paperfloor's own API on the broker's node:http server: the HttpApi's routes as a web handler
 * (`HttpRouter.toWebHandler`), each request bridged to it once authenticated, rate-limited and
 * its body read within the server's bound. Errors the bridge answers itself (401, 413, 429, a
 * body that is not JSON, an unknown endpoint) have the API's error body.
 */
import type { IncomingMessage, ServerResponse } from "node:http"
import { Effect, Layer } from "effect"
import { HttpRouter, HttpServer } from "effect/http"
import { HttpApiBuilder, HttpApiMiddleware } from "effect/http-api"
import { schemaIssues } from "../../domain/validation.ts"
import type { Broker } from "../broker.ts"
import { BrokerApiError } from "../broker-error.ts"
import { readJsonBody } from "../http-json.ts"
import { type ApiError, BadRequest, NotFound, PayloadTooLarge, TooManyRequests, Unauthorized } from "./api-errors.ts"
import { apiHandlers } from "./api-handlers.ts"
import { PaperfloorApi, Refusals } from "./paperfloor-api.ts"

const where = { Params: "the path", Query: "the query", Payload: "the request body", Headers: "the headers", Body: "the answer", ResponseHeaders: "the answer's headers" } as const

/** A request the API's schemas refuse: 400, each issue naming its field. */
const refusals = HttpApiMiddleware.layerSchemaErrorTransform(Refusals, (error) => {
  const issues = schemaIssues(error.cause.issue, undefined).map(({ field, rule }) => ({ field, rule }))
  const message = `${where[error.kind]}: ${issues.map((i) => `${i.field} ${i.rule}`).join("; ")}`
  return Effect.fail(new BadRequest({ error: "BadRequest", message, issues }))
})

export interface ApiServerOptions {
  readonly broker: Broker
  readonly maxBodyBytes: number
  /** Whether the request's bearer token may use the API, and if so under which rate-limit key (null: none). */
  readonly authorize: (bearer: string | undefined) => { readonly key: string | null } | undefined
  /** Takes one request's token for the key; false when there is none left. */
  readonly limited: (key: string) => boolean
}

export interface ApiServer {
  /** Whether the path is the API's: `/v1/…`, but for the admin API's `/v1/admin/…`. */
  readonly serves: (pathname: string) => boolean
  readonly handle: (request: IncomingMessage, response: ServerResponse) => Promise<void>
  readonly close: () => Promise<void>
}

const send = async (response: ServerResponse, answer: Response) => {
  const body = Buffer.from(await answer.arrayBuffer())
  const headers: Record<string, string> = {}
  answer.headers.forEach((value, name) => (headers[name] = value))
  response.writeHead(answer.status, { ...headers, "content-length": body.length })
  response.end(body)
}

const sendError = (response: ServerResponse, status: number, error: ApiError) => {
  // As the schema encodes it: a message is not an enumerable field of an Error.
  const text = JSON.stringify({ _tag: error._tag, error: error.error, message: error.message })
  response.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) })
  response.end(text)
}

const fields = (error: string, message: string) => ({ error, message })

export const apiServer = (options: ApiServerOptions): ApiServer => {
  const app = HttpApiBuilder.layer(PaperfloorApi).pipe(
    Layer.provide(apiHandlers(options.broker)),
    Layer.provide(refusals),
    Layer.provide(HttpServer.layerServices)
  )
  const { handler, dispose } = HttpRouter.toWebHandler(app, { disableLogger: true })

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const method = request.method ?? "GET"
    const pathname = new URL(request.url ?? "/", "http://localhost").pathname
    try {
      const authorization = request.headers["authorization"]
      const bearer = /^Bearer (.+)$/.exec(typeof authorization === "string" ? authorization : "")?.[1]
      const granted = options.authorize(bearer)
      if (granted === undefined) return sendError(response, 401, new Unauthorized(fields("Unauthorized", "request is not authorized: send Authorization: Bearer <admin key>")))
      if (granted.key !== null && !options.limited(granted.key)) return sendError(response, 429, new TooManyRequests(fields("TooManyRequests", "rate limit exceeded")))
      const body = method === "GET" || method === "HEAD" ? undefined : await readJsonBody(request, options.maxBodyBytes)
      const headers = new Headers()
      for (const [name, value] of Object.entries(request.headers)) if (typeof value === "string") headers.set(name, value)
      if (body !== undefined) headers.set("content-type", "application/json")
      const answer = await handler(new Request(new URL(request.url ?? "/", "http://localhost"), { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) }))
      if (answer.status === 404 && answer.headers.get("content-type") === null)
        return sendError(response, 404, new NotFound(fields("NotFound", `endpoint not found: ${method} ${pathname}`)))
      await send(response, answer)
    } catch (e) {
      // The body's bound and its JSON, checked while it is read.
      if (!(e instanceof BrokerApiError) || e.status >= 500) throw e
      // A body refused part-way is not read further: the connection goes with the answer.
      if (e.status === 413) response.setHeader("connection", "close")
      sendError(response, e.status, e.status === 413 ? new PayloadTooLarge(fields("PayloadTooLarge", e.message)) : new BadRequest(fields("BadRequest", e.message)))
    }
  }

  return {
    serves: (pathname) => pathname.startsWith("/v1/") && !pathname.startsWith("/v1/admin/") && pathname !== "/v1/admin",
    handle,
    close: dispose
  }
}
