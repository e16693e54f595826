import type { Decimal } from "./decimal.ts"

export interface PositionView {
  readonly symbol: string
  /** Signed: negative for a short. */
  readonly quantity: Decimal
  readonly averageCost: Decimal
  readonly marketPrice: Decimal
  readonly marketValue: Decimal
  readonly unrealizedPnl: Decimal
  readonly realizedPnl: Decimal
}

/** A position as plain JSON, as results store it and reports read it: its decimals as strings. */
export type PositionRecord = { readonly [K in keyof PositionView]: PositionView[K] extends Decimal ? string : PositionView[K] }

/** A point-in-time view of the account; exact decimals throughout. */
export interface Portfolio {
  /** Ledger cash: initial capital plus every fill's proceeds, minus every fill's cost and commission. */
  readonly cash: Decimal
  /** What new positions may still use: cash − 2 × short market value − what working opening orders hold back. */
  readonly buyingPower: Decimal
  /** cash + Σ position × mark. */
  readonly totalValue: Decimal
  readonly realizedPnl: Decimal
  readonly unrealizedPnl: Decimal
  readonly totalCommission: Decimal
  readonly positions: ReadonlyArray<PositionView>
}

/** A portfolio as plain JSON: its decimals as strings (what crosses a thread or goes into results). */
export type PortfolioRecord = { readonly [K in Exclude<keyof Portfolio, "positions">]: string } & { readonly positions: ReadonlyArray<PositionRecord> }

export const positionRecord = (q: PositionView): PositionRecord => ({
  symbol: q.symbol,
  quantity: q.quantity.toString(),
  averageCost: q.averageCost.toString(),
  marketPrice: q.marketPrice.toString(),
  marketValue: q.marketValue.toString(),
  unrealizedPnl: q.unrealizedPnl.toString(),
  realizedPnl: q.realizedPnl.toString()
})

export const portfolioRecord = (p: Portfolio): PortfolioRecord => ({
  cash: p.cash.toString(),
  buyingPower: p.buyingPower.toString(),
  totalValue: p.totalValue.toString(),
  realizedPnl: p.realizedPnl.toString(),
  unrealizedPnl: p.unrealizedPnl.toString(),
  totalCommission: p.totalCommission.toString(),
  positions: p.positions.map(positionRecord)
})
