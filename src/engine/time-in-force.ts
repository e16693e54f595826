import type { OrderContext } from "../../machines/index.ts"
import type { Quote, QuoteField } from "../domain/market-update.ts"
import type { TimeInForce } from "../domain/order.ts"
import type { MatchResult } from "../domain/order-types.ts"
import type { UpdateClock } from "./session-clock.ts"

/**
 * How long an order works, and at which prices. The engine asks an open order's policy, at each
 * update before anything is checked or matched, whether it has expired (so an expired order never
 * trades on its expiry update); which of the update's prices it may trade at; and, after each
 * match, what becomes of the rest. A new time in force is one more entry here.
 */
export interface TimeInForcePolicy {
  /** Why the order expires at this update, or null while it still works. Asked of working orders and of those still waiting for their check. */
  readonly expiresOn: (order: OrderContext, update: UpdateClock) => string | null
  /** The prices the order may trade at on this update: the quote itself, one of its prices as a tick (the open, the close), or null: not on this update. */
  readonly tradesAt: (quote: Quote, update: UpdateClock) => Quote | null
  /** The whole rest fills on one update, or none of it does (fok): no partial fill, no closing part alone. */
  readonly allOrNothing: boolean
  /** It trades only at the bar's close (cls): on the intrabar path, after every level the bar touched. */
  readonly atClose: boolean
  /**
   * Why the rest of the order is cancelled after it was matched on an update, or null to keep
   * working. (Cancelled, not expired: expiry comes before matching, so an expired order never
   * trades on its expiry update.)
   */
  readonly afterMatch: (result: MatchResult) => string | null
}

const keepsWorking = (): null => null
const wholeQuote = (quote: Quote): Quote => quote

/** One of a quote's prices as a tick (its four prices equal), keeping the bar's volume for participation caps. */
const atOnePrice = (quote: Quote, field: QuoteField): Quote => {
  const p = quote[field]
  const s = quote.source[field]
  const volume = quote.source.volume
  return {
    symbol: quote.symbol,
    open: p,
    high: p,
    low: p,
    close: p,
    source: volume === undefined ? { open: s, high: s, low: s, close: s } : { open: s, high: s, low: s, close: s, volume }
  }
}

const IOC_END = "ioc: the rest is cancelled after its first matching update"
const FOK_END = "fok: it could not fill whole on its first matching update"
const OPG_END = "opg: what the opening did not fill is cancelled"
const CLS_END = "cls: what the close did not fill is cancelled"

const plain = { tradesAt: wholeQuote, allOrNothing: false, atClose: false } as const

export const timeInForcePolicies: Readonly<Record<TimeInForce, TimeInForcePolicy>> = {
  // Works through the trading day of the update it was accepted on (its session day).
  day: {
    ...plain,
    expiresOn: (order, update) => (order.sessionDay !== null && order.sessionDay !== update.day ? "day order: its session ended" : null),
    afterMatch: keepsWorking
  },
  gtc: { ...plain, expiresOn: keepsWorking, afterMatch: keepsWorking },
  // Its first matching update is its only one: what it allows fills, the rest is cancelled.
  ioc: { ...plain, expiresOn: keepsWorking, afterMatch: () => IOC_END },
  // The same, but all of it or nothing (the engine holds back a fill short of the rest).
  fok: { tradesAt: wholeQuote, allOrNothing: true, atClose: false, expiresOn: keepsWorking, afterMatch: () => FOK_END },
  // Works on updates whose time is at most `expireAt`; an update without a time is at the previous one's.
  gtd: {
    ...plain,
    expiresOn: (order, update) => (update.time !== null && update.time > order.order.expireAt! ? "gtd: its expiry time has passed" : null),
    afterMatch: keepsWorking
  },
  // Only at the opening price of the first session after its submission. Until that opening it
  // waits; any later update that is not an opening means it missed it (its symbol did not trade
  // there), and it expires. What the opening does not fill is cancelled. Without times there is
  // one session, opened by the first update.
  opg: {
    tradesAt: (quote, update) => (update.opensSession ? atOnePrice(quote, "open") : null),
    allOrNothing: false,
    atClose: false,
    expiresOn: (order, update) => {
      // Outside the session (before the open with a calendar) the opening is still to come.
      if (update.opensSession || !update.inSession) return null
      const submitted = order.order.submittedTime
      if (submitted === null || update.day === null) return "opg: the session opened without it"
      // Placed inside a session, its opening is the next session's; placed outside one (before
      // the open, after the close), the session it belongs to had not opened yet: that opening is its.
      const openingPassed = update.day !== update.dayOf(submitted) || !update.inSessionAt(submitted)
      return openingPassed ? "opg: the session opened without it" : null
    },
    afterMatch: () => OPG_END
  },
  // Market-on-close: matched on the first update after its submission, at that update's close;
  // what that close does not fill is cancelled. The close of the bar it was placed after is never
  // available to it (no cheat-on-close). With a calendar, the close is the session's: it waits for
  // the first update after its submission whose bar reaches the session's close.
  cls: {
    tradesAt: (quote, update) => (update.closesSession === false ? null : atOnePrice(quote, "close")),
    allOrNothing: false,
    atClose: true,
    expiresOn: keepsWorking,
    afterMatch: () => CLS_END
  }
}
