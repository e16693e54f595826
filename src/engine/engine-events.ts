import type { SimulationStatus } from "../../machines/index.ts"
import type { Fill } from "../domain/fill.ts"
import type { OrderView } from "./order-entry.ts"

/** What a pre-trade check measured: the price it valued the order at, the equity, and the cap on a position's value. */
export interface CheckRecord {
  readonly referencePrice: string
  readonly equity: string
  readonly maxPositionValue: string
}

/** Everything the engine reports, by event name. */
export interface EngineEvents {
  readonly orderSubmitted: { readonly order: OrderView }
  /** Passed the pre-trade checks; `check` records what they measured. */
  readonly orderAccepted: { readonly order: OrderView; readonly check: CheckRecord }
  /** Refused by a check, at acceptance or at fill time: `code` is the rule's name, `reason` says why in words. */
  readonly orderRejected: { readonly order: OrderView; readonly code: string; readonly reason: string }
  readonly orderTriggered: { readonly order: OrderView }
  readonly orderPartiallyFilled: { readonly order: OrderView; readonly fill: Fill }
  readonly orderFilled: { readonly order: OrderView; readonly fill: Fill }
  readonly orderCancelled: { readonly order: OrderView; readonly reason: string }
  readonly orderExpired: { readonly order: OrderView; readonly reason: string }
  /** The change passed the pre-trade checks again; `check` records what they measured (null for a held child, checked when it is activated). */
  readonly orderReplaced: { readonly order: OrderView; readonly check: CheckRecord | null }
  readonly orderReplaceRejected: { readonly order: OrderView; readonly code: string; readonly reason: string }
  readonly simulationStatusChanged: {
    readonly from: SimulationStatus
    readonly to: SimulationStatus
    readonly reason: string | null
  }
  /** A held child of an OTO or a bracket whose entry has ended with a fill: it protects that much, checked and working from the next update. */
  readonly orderActivated: { readonly order: OrderView }
  /** An OCO sibling (or a bracket's other child) filled: this order's quantity shrank by as much. */
  readonly orderReduced: { readonly order: OrderView; readonly reason: string }
}

export type EngineEventName = keyof EngineEvents
export type EngineEvent = { [K in EngineEventName]: { readonly type: K } & EngineEvents[K] }[EngineEventName]
export type EngineListener<K extends EngineEventName> = (event: { readonly type: K } & EngineEvents[K]) => void
