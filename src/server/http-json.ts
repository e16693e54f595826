import type { IncomingMessage, ServerResponse } from "node:http"
import { BrokerApiError, badRequest } from "./broker-error.ts"

/** Request bodies above this are refused (413) before they are read whole. */
export const MAX_BODY_BYTES = 64 * 1024

/** The request's body as text; a body over `limit` bytes is a 413, read no further. */
export const readBodyText = (request: IncomingMessage, limit: number): Promise<string> =>
  new Promise((resolve, reject) => {
    const tooLarge = () => new BrokerApiError({ status: 413, code: 40010001, message: `the request body must be at most ${limit} bytes` })
    const declared = Number(request.headers["content-length"] ?? 0)
    if (declared > limit) {
      request.resume()
      reject(tooLarge())
      return
    }
    const chunks: Buffer[] = []
    let size = 0
    let refused = false
    request.on("data", (chunk: Buffer) => {
      if (refused) return
      size += chunk.length
      if (size > limit) {
        refused = true
        reject(tooLarge())
        return
      }
      chunks.push(chunk)
    })
    // The client closed the connection part-way (ECONNRESET "aborted"): its doing, answered (to no one) as a 400, not logged.
    request.on("error", (e) => reject(badRequest(`the request body ended early: ${e.message}`)))
    request.on("end", () => {
      if (!refused) resolve(Buffer.concat(chunks).toString("utf8"))
    })
  })

/** The request's JSON body (undefined when empty); a body over `limit` bytes or not JSON is a 4xx, read no further. */
export const readJsonBody = async (request: IncomingMessage, limit: number): Promise<unknown> => {
  const text = await readBodyText(request, limit)
  if (text.trim() === "") return undefined
  try {
    return JSON.parse(text)
  } catch (e) {
    throw badRequest(`the request body is not valid JSON (${e instanceof Error ? e.message : String(e)})`)
  }
}

export const sendJson = (response: ServerResponse, status: number, body: unknown): void => {
  const text = body === undefined ? "" : JSON.stringify(body)
  response.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) })
  response.end(text)
}
