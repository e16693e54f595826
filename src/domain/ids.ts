import { paddedSequence } from "./number-text.ts"

/** Branded identifiers: an order id cannot be passed where a trade id is expected. */
export type OrderId = string & { readonly __brand: "OrderId" }
export type TradeId = string & { readonly __brand: "TradeId" }

// Ids are sequence numbers, not random: the same inputs must give the same ids (replay, tests).
export const orderIdFromSeq = (seq: number): OrderId => `O-${paddedSequence(seq)}` as OrderId
export const tradeIdFromSeq = (seq: number): TradeId => `T-${paddedSequence(seq)}` as TradeId
export const orderListIdFromSeq = (seq: number): string => `L-${paddedSequence(seq)}`

/** The longest client order id: Alpaca's limit, so its clients' ids fit. */
export const MAX_CLIENT_ORDER_ID_LENGTH = 128
