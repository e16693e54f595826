import { DuplicateClientOrderIdError, IllegalOrderTransitionError, SimulationStateError, UnknownOrderError, ValidationError } from "../domain/errors.ts"
import { BrokerApiError, forbidden, notFound, unprocessable } from "./broker-error.ts"
import { issuesMessage } from "./alpaca-order-request.ts"

/**
 * Any error a request met, as the answer Alpaca would give: a refusal of the engine's is the
 * client's (4xx, nothing changed), anything else is the server's (500, logged).
 */
export const errorAnswer = (error: unknown): BrokerApiError => {
  if (error instanceof BrokerApiError) return error
  if (error instanceof ValidationError)
    // A replace names a trailing stop's distance `trail`, whichever kind the order has.
    return unprocessable(issuesMessage(error.subject === "replace" ? error.issues.map((i) => (/^trail(Percent|Amount)$/.test(i.field) ? { ...i, field: "trail" } : i)) : error.issues))
  if (error instanceof DuplicateClientOrderIdError)
    return new BrokerApiError({ status: 422, code: 40010001, message: `client_order_id must be unique: ${JSON.stringify(error.clientOrderId)} is already order ${error.orderId}'s` })
  if (error instanceof UnknownOrderError) return notFound(`order not found for ${error.orderId}`)
  if (error instanceof IllegalOrderTransitionError) return unprocessable(error.message)
  if (error instanceof SimulationStateError) return forbidden(`the account is not trading: ${error.message}`)
  return new BrokerApiError({ status: 500, code: 50010000, message: "internal server error" })
}
