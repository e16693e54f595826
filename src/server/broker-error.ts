import { Data } from "effect"

/**
 * An answer the broker API gives as Alpaca does: an HTTP status and `{ code, message }`, Alpaca's
 * eight-digit code (40010001 bad request, 40110000 unauthorized, 40410000 not found, 42210000
 * unprocessable, …). The message names the field and the rule.
 */
export class BrokerApiError extends Data.TaggedError("BrokerApiError")<{
  readonly status: number
  readonly code: number
  readonly message: string
}> {}

export const badRequest = (message: string) => new BrokerApiError({ status: 400, code: 40010001, message })
export const unauthorized = () => new BrokerApiError({ status: 401, code: 40110000, message: "request is not authorized" })
export const forbidden = (message: string) => new BrokerApiError({ status: 403, code: 40310000, message })
export const notFound = (message: string) => new BrokerApiError({ status: 404, code: 40410000, message })
export const unprocessable = (message: string) => new BrokerApiError({ status: 422, code: 42210000, message })
