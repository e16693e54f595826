import { Data } from "effect"
import { formatThrown, formatValue } from "./format-value.ts"
import type { OrderId } from "./ids.ts"

export { formatValue }

/** One broken rule: which field, which rule, and the value that broke it. */
export interface ValidationIssue {
  readonly field: string
  readonly rule: string
  readonly value: unknown
}

const describe = (subject: string, issues: ReadonlyArray<ValidationIssue>): string =>
  `Invalid ${subject}: ` +
  issues.map((i) => `${i.field} ${i.rule} (got ${formatValue(i.value)})`).join("; ")

/** Bad input: an order, a config or a market update that breaks a rule. Nothing was changed. */
export class ValidationError extends Data.TaggedError("ValidationError")<{
  readonly subject: "order" | "config" | "marketUpdate" | "replace" | "orderList" | "snapshot" | "testingOptions"
  readonly issues: ReadonlyArray<ValidationIssue>
}> {
  override get message(): string {
    return describe(this.subject, this.issues)
  }
}

export class UnknownOrderError extends Data.TaggedError("UnknownOrderError")<{
  readonly orderId: string
}> {
  override get message(): string {
    return `Unknown order ${this.orderId}`
  }
}

/** An event the order's current state has no transition for; the order is unchanged. */
export class IllegalOrderTransitionError extends Data.TaggedError("IllegalOrderTransitionError")<{
  readonly orderId: OrderId
  readonly status: string
  readonly event: string
}> {
  override get message(): string {
    return `Order ${this.orderId} is ${this.status}: ${this.event} is not allowed`
  }
}

/** A command the simulation's current state does not accept (e.g. an order while stopped). */
export class SimulationStateError extends Data.TaggedError("SimulationStateError")<{
  readonly status: string
  readonly command: string
}> {
  override get message(): string {
    return `Simulation is ${this.status}: ${this.command} is not allowed`
  }
}

/**
 * An order whose client order id an earlier order of the simulation already has. Nothing was
 * placed: a caller retrying after a timeout or a crash finds its order by that id
 * (`getOrderByClientOrderId`), the one named here.
 */
export class DuplicateClientOrderIdError extends Data.TaggedError("DuplicateClientOrderIdError")<{
  readonly clientOrderId: string
  /** The order that already has it. */
  readonly orderId: OrderId
}> {
  /** The stable code of this refusal. */
  readonly code = "duplicateClientOrderId"
  override get message(): string {
    return `duplicateClientOrderId: client order id ${JSON.stringify(this.clientOrderId)} is already order ${this.orderId}'s; nothing was placed`
  }
}

/**
 * A listener threw while the engine delivered its events. What the command or update did stands
 * (it was applied in full, and every other listener heard every event): sending it again would
 * apply it twice.
 */
export class ListenerError extends Data.TaggedError("ListenerError")<{
  /** The event the listener was given. */
  readonly event: string
  readonly cause: unknown
}> {
  override get message(): string {
    return `a listener of ${this.event} threw (${formatThrown(this.cause)}); what was done stands, and the other listeners heard every event: do not send it again`
  }
}

/**
 * A fill, slippage or fee model of the caller's threw, or returned what is not a price, a quantity
 * or a commission, while it priced or matched an order. Inside a market update it refuses that
 * order (its code is the model's name) and the update goes on; from `replaceOrder` it is thrown,
 * and the order stays as it was.
 */
export class ExecutionModelError extends Data.TaggedError("ExecutionModelError")<{
  readonly model: "fillModel" | "slippageModel" | "feeModel"
  readonly orderId: string
  /** What went wrong: `threw …`, or `returned …: <the rule>`. */
  readonly problem: string
  /** What it threw, or what it returned. */
  readonly cause: unknown
}> {
  override get message(): string {
    return `the ${this.model} ${this.problem} for order ${this.orderId}`
  }
}
