import { Schema } from "effect"
import { Decimal, type DecimalInput, toDecimalString } from "./decimal.ts"
import { PositiveDecimal } from "./validation.ts"

/** A symbol's trading facts as a caller configures them; each is optional. */
export interface InstrumentInput {
  /** Prices trade in multiples of it (e.g. 0.01). */
  readonly tickSize?: DecimalInput
  /** Quantities trade in multiples of it (e.g. 100 shares, 0.001 coins). */
  readonly lotSize?: DecimalInput
  /** The smallest quantity an order may have. */
  readonly minQuantity?: DecimalInput
}

/** A validated instrument: the facts given, as canonical decimal strings. */
export interface Instrument {
  readonly tickSize?: string
  readonly lotSize?: string
  readonly minQuantity?: string
}

export const instrumentSchema = Schema.Struct({
  tickSize: Schema.optional(PositiveDecimal),
  lotSize: Schema.optional(PositiveDecimal),
  minQuantity: Schema.optional(PositiveDecimal)
})

/** An instrument with only the facts given (absent ones stay absent, so a stored config keeps its form). */
export const normalizeInstrument = (i: Schema.Schema.Type<typeof instrumentSchema>): Instrument => ({
  ...(i.tickSize !== undefined ? { tickSize: toDecimalString(i.tickSize) } : {}),
  ...(i.lotSize !== undefined ? { lotSize: toDecimalString(i.lotSize) } : {}),
  ...(i.minQuantity !== undefined ? { minQuantity: toDecimalString(i.minQuantity) } : {})
})

const isMultipleOf = (value: DecimalInput, step: string): boolean => new Decimal(value).mod(step).isZero()

/**
 * What is wrong with an order's quantity or price for its instrument, by field: a price off the
 * tick, a quantity off the lot or under the minimum. Empty when all is well or nothing is configured.
 */
export const instrumentIssues = (
  instrument: Instrument | undefined,
  symbol: string,
  fields: { readonly quantity?: DecimalInput; readonly limitPrice?: DecimalInput; readonly stopPrice?: DecimalInput }
): ReadonlyArray<{ readonly field: "quantity" | "limitPrice" | "stopPrice"; readonly rule: string }> => {
  if (instrument === undefined) return []
  const issues: Array<{ field: "quantity" | "limitPrice" | "stopPrice"; rule: string }> = []
  const { tickSize, lotSize, minQuantity } = instrument
  for (const field of ["limitPrice", "stopPrice"] as const) {
    const price = fields[field]
    if (price !== undefined && tickSize !== undefined && !isMultipleOf(price, tickSize))
      issues.push({ field, rule: `must be a multiple of ${symbol}'s tick size ${tickSize}` })
  }
  const quantity = fields.quantity
  if (quantity !== undefined) {
    if (lotSize !== undefined && !isMultipleOf(quantity, lotSize)) issues.push({ field: "quantity", rule: `must be a multiple of ${symbol}'s lot size ${lotSize}` })
    if (minQuantity !== undefined && new Decimal(quantity).lessThan(minQuantity))
      issues.push({ field: "quantity", rule: `must be at least ${symbol}'s minimum quantity ${minQuantity}` })
  }
  return issues
}

/** A price moved onto the tick grid against the trader: up for a buy, down for a sell. */
export const roundToTick = (price: Decimal, tickSize: Decimal, side: "buy" | "sell"): Decimal => {
  const ticks = price.dividedBy(tickSize)
  const whole = side === "buy" ? ticks.ceil() : ticks.floor()
  return whole.equals(ticks) ? price : whole.times(tickSize)
}

/** A quantity rounded down to whole lots (a lot of 1 when none is configured). */
export const wholeLots = (quantity: Decimal, lotSize: Decimal | null): Decimal =>
  lotSize === null ? quantity.floor() : quantity.dividedBy(lotSize).floor().times(lotSize)
