import fc from "fast-check"
import type { BarInput, MarketUpdateInput, PriceInput } from "../domain/market-update.ts"
import { reservedUpdateKeys } from "../domain/market-update.ts"

/**
 * How the look-ahead check changes a market's future: every price after the chosen update scaled
 * by (1 + percent/100), or mirrored about the last unchanged close (rises become falls). Either
 * keeps every update valid (positive prices, well-formed bars) and its time.
 */
export type FutureChange = { readonly kind: "scale"; readonly percent: number } | { readonly kind: "mirror" }

export const futureChangeArb: fc.Arbitrary<FutureChange> = fc.oneof(
  fc.constant({ kind: "mirror" as const }),
  fc.record({ kind: fc.constant("scale" as const), percent: fc.integer({ min: -60, max: 150 }).filter((p) => p !== 0) })
)

const round4 = (x: number): number => Math.max(0.0001, Math.round(x * 10_000) / 10_000)

/** Each symbol's close in an update, whatever its shape. */
const closesOf = (update: MarketUpdateInput): ReadonlyArray<readonly [string, PriceInput]> => {
  const u = update as Record<string, unknown>
  if (u["bars"] !== undefined) return Object.entries(u["bars"] as Record<string, BarInput>).map(([s, b]) => [s, b.close] as const)
  if (u["prices"] !== undefined) return Object.entries(u["prices"] as Record<string, PriceInput>)
  return Object.entries(u).filter(([k]) => !reservedUpdateKeys.has(k)) as Array<[string, PriceInput]>
}

/** The market with every update after the first `keep` changed. */
export const changeFuture = (market: ReadonlyArray<MarketUpdateInput>, keep: number, change: FutureChange): ReadonlyArray<MarketUpdateInput> => {
  const pivot = new Map<string, number>()
  for (const update of market.slice(0, keep)) for (const [symbol, close] of closesOf(update)) pivot.set(symbol, Number(close))
  const move = (symbol: string, p: PriceInput): number => {
    const x = Number(p)
    if (change.kind === "scale") return round4(x * (1 + change.percent / 100))
    const around = pivot.get(symbol) ?? x
    pivot.set(symbol, around)
    return round4((around * around) / x)
  }
  // A mirror turns highs into lows.
  const bar = (symbol: string, b: BarInput): BarInput => {
    const [open, high, low, close] = [move(symbol, b.open), move(symbol, b.high), move(symbol, b.low), move(symbol, b.close)]
    return { ...b, open, close, high: Math.max(high, low), low: Math.min(high, low) }
  }
  return market.map((update, i) => {
    if (i < keep) return update
    const u = update as Record<string, unknown>
    if (u["bars"] !== undefined) {
      const bars = u["bars"] as Record<string, BarInput>
      return { ...u, bars: Object.fromEntries(Object.entries(bars).map(([s, b]) => [s, bar(s, b)])) } as MarketUpdateInput
    }
    if (u["prices"] !== undefined) {
      const prices = u["prices"] as Record<string, PriceInput>
      return { ...u, prices: Object.fromEntries(Object.entries(prices).map(([s, p]) => [s, move(s, p)])) } as MarketUpdateInput
    }
    return Object.fromEntries(Object.entries(u).map(([k, v]) => [k, reservedUpdateKeys.has(k) ? v : move(k, v as PriceInput)])) as MarketUpdateInput
  })
}
