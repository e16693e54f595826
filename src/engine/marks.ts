import { type Decimal, decimalOf, ZERO } from "../domain/decimal.ts"
import type { PriceInput, Quote } from "../domain/market-update.ts"

interface Mark {
  number: number
  source: PriceInput
  /** Made from `source` on first use after each update: most updates never need it. */
  decimal: Decimal | null
}

export type MarksSnapshot = ReadonlyArray<{ readonly symbol: string; readonly price: number; readonly source: PriceInput }>

/** Each symbol's last price (its last close), as a float for valuation and as the caller's exact value. */
export class Marks {
  readonly #marks = new Map<string, Mark>()
  /** The floats alone, for the ledger's per-update valuation estimate. */
  readonly numbers = new Map<string, number>()

  /** A position is only ever in a symbol that has traded, so it has a mark; zero covers the rest. Made once: account views hand it out for every check. */
  readonly orZero = (symbol: string): Decimal => this.decimal(symbol) ?? ZERO
  readonly source = (symbol: string): PriceInput => this.#marks.get(symbol)!.source

  set(quote: Quote): void {
    let mark = this.#marks.get(quote.symbol)
    if (mark === undefined) {
      mark = { number: quote.close, source: quote.source.close, decimal: null }
      this.#marks.set(quote.symbol, mark)
    } else {
      mark.number = quote.close
      mark.source = quote.source.close
      mark.decimal = null
    }
    this.numbers.set(quote.symbol, quote.close)
  }

  decimal(symbol: string): Decimal | undefined {
    const mark = this.#marks.get(symbol)
    if (mark === undefined) return undefined
    mark.decimal ??= decimalOf(mark.source)
    return mark.decimal
  }

  /** The mark as a tick (its four prices equal), for pricing away from an update (a replace). */
  quote(symbol: string): Quote | undefined {
    const mark = this.#marks.get(symbol)
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
    for (const m of s) {
      marks.#marks.set(m.symbol, { number: m.price, source: m.source, decimal: null })
      marks.numbers.set(m.symbol, m.price)
    }
    return marks
  }
}
