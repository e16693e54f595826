import { Decimal, decimalOf } from "../domain/decimal.ts"
import type { OcoOnPartialFill } from "../domain/simulation-config.ts"
import type { OrderEntry } from "./order-entry.ts"

/** What the list rules do to orders; the engine carries each out through the order machine, with its event. */
export interface ListActions {
  /** Cancels an order without applying its own list's rules again (the rules already did). */
  readonly cancel: (order: OrderEntry, reason: string) => void
  readonly reduce: (order: OrderEntry, quantity: Decimal, reason: string) => void
  /** A held child starts to work for `quantity`, checked from the next update. */
  readonly activate: (child: OrderEntry, quantity: string) => void
}

/**
 * A member of a list filled `quantity` (DESIGN.md, advanced orders). An entry that is now filled
 * activates its children. An OCO member's siblings are cancelled, or reduced by the quantity
 * (`ocoOnPartialFill: "reduce"`, and always between a bracket's children, which protect exactly
 * what the entry built); a sibling the reduction leaves nothing of is cancelled.
 */
export const afterListFill = (entry: OrderEntry, quantity: Decimal, ocoOnPartialFill: OcoOnPartialFill, act: ListActions): void => {
  const list = entry.list!
  if (entry === list.entry) {
    if (entry.status === "filled") activateChildren(entry, act)
    return
  }
  const reduce = list.kind !== "oco" || ocoOnPartialFill === "reduce"
  for (const sibling of list.members) {
    if (sibling === entry || sibling.isFinal) continue
    const left = decimalOf(sibling.spec.quantity).minus(quantity)
    if (reduce && left.greaterThan(sibling.context.filledQuantity)) act.reduce(sibling, left, `${entry.spec.id} of its ${list.kind} list filled ${quantity}`)
    else act.cancel(sibling, `${list.kind}: ${entry.spec.id} of its list filled ${quantity}`)
  }
}

/**
 * A member of a list was cancelled, expired or was rejected (`what`). An entry's children are
 * activated for what it opened, or cancelled when it filled nothing; an OCO member's (or a
 * child's) siblings are cancelled.
 */
export const afterListEnded = (entry: OrderEntry, what: string, act: ListActions): void => {
  const list = entry.list
  if (list === null) return
  if (entry === list.entry && entry.context.filledQuantity !== "0") return activateChildren(entry, act)
  for (const other of list.members) if (other !== entry && !other.isFinal) act.cancel(other, `${list.kind}: ${entry.spec.id} of its list ${what}`)
}

/**
 * The held children of an entry that has ended with fills: each protects the position the entry
 * built, what its fills opened (long 10, an entry selling 30 built a short of 20). An entry that
 * only closed built none: its children are cancelled, for a child never opens a position.
 */
const activateChildren = (entry: OrderEntry, act: ListActions): void => {
  const opened = entry.openedQuantity
  const list = entry.list!
  for (const child of list.members) {
    if (child.status !== "held") continue
    if (opened.isZero()) act.cancel(child, `${list.kind}: ${entry.spec.id} of its list filled ${entry.context.filledQuantity}, all of it closing a position: it built none to protect`)
    else act.activate(child, opened.toString())
  }
}
