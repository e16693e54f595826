import { type Decimal, decimalOf, ZERO } from "../domain/decimal.ts"
import type { PriceInput, Quote } from "../domain/market-update.ts"

interface Mark {
  readonly symbol: string
  number: number
  source: PriceInput
  /** Made from `source` on first use after each update: most updates never need it. */
  decimal: Decimal | null
}

export type MarksSnapshot = ReadonlyArray<{ readonly symbol: string; readonly price: number; readonly source: PriceInput }>

/** Each symbol's last price (its last close), as a float for valuation and as the caller's exact value. */
export class Marks {
  readonly #marks = new Map<string, Mark>()
  /** The mark found last: an update's mark, its valuation and its day start ask for the same symbol in turn. */
  #last: Mark | null = null

  /** A symbol's mark, undefined without one (marks are never removed: the one found last stays). */
  #get(symbol: string): Mark | undefined {
    const last = this.#last
    if (last !== null && last.symbol === symbol) return last
    const mark = this.#marks.get(symbol)
    if (mark !== undefined) this.#last = mark
    return mark
  }

  /** A position is only ever in a symbol that has traded, so it has a mark; zero covers the rest. */
  orZero(symbol: string): Decimal {
    return this.decimal(symbol) ?? ZERO
  }

  /**
   * The first `count` symbols' last prices as the caller gave them (each has one: they hold
   * positions), a number into `numbers` and a string into `texts` (null where it is a number).
   * Copied here rather than returned one by one: a float returned from a call, or stored among
   * strings, is boxed, and the day start of every update of daily bars copies them.
   */
  sourcesInto(symbols: ReadonlyArray<string>, count: number, numbers: Float64Array, texts: Array<string | null>): void {
    for (let i = 0; i < count; i++) {
      const source = this.#get(symbols[i]!)!.source
      if (typeof source === "number") {
        numbers[i] = source
        texts[i] = null
      } else texts[i] = source
    }
  }

  /**
   * The symbol's mark (its float `number`), undefined without one: what the per-update valuation
   * reads. The record rather than its number: a float returned from a call the compiler does not
   * inline is boxed, a new object on every update that holds a position.
   */
  find(symbol: string): { readonly number: number } | undefined {
    return this.#get(symbol)
  }

  // Kept small, as the methods above, so that the per-update path takes them in whole.
  set(quote: Quote): void {
    const mark = this.#get(quote.symbol)
    if (mark === undefined) return this.#add(quote)
    mark.number = quote.close
    mark.source = quote.source.close
    mark.decimal = null
  }

  #add(quote: Quote): void {
    this.#marks.set(quote.symbol, { symbol: quote.symbol, number: quote.close, source: quote.source.close, decimal: null })
  }

  decimal(symbol: string): Decimal | undefined {
    const mark = this.#get(symbol)
    if (mark === undefined) return undefined
    mark.decimal ??= decimalOf(mark.source)
    return mark.decimal
  }

  /** The mark as a tick (its four prices equal), for pricing away from an update (a replace). */
  quote(symbol: string): Quote | undefined {
    const mark = this.#get(symbol)
    if (mark === undefined) return undefined
    const n = mark.number
    const s = mark.source
    return { symbol, open: n, high: n, low: n, close: n, source: { open: s, high: s, low: s, close: s } }
  }

  snapshot(): MarksSnapshot {
    return [...this.#marks].map(([symbol, m]) => ({ symbol, price: m.number, source: m.source }))
  }

  static fromSnapshot(s: MarksSnapshot): Marks {
    const marks = new Marks()
    for (const m of s) marks.#marks.set(m.symbol, { symbol: m.symbol, number: m.price, source: m.source, decimal: null })
    return marks
  }
}
