import type { Quote } from "../domain/market-update.ts"

/** Up to this many quotes, a symbol's is looked for in a loop; past it, in a map. */
const FEW_QUOTES = 8

/**
 * The update's quote for a symbol, asked for every pending and working order. One per engine,
 * pointed at each update's quotes in turn: a lookup made per update (a closure, a map) was an
 * allocation on every update that had an order. The map over many quotes is built when first
 * asked, and kept, cleared, for the next update.
 */
export class QuoteFinder {
  #quotes: ReadonlyArray<Quote> = []
  readonly #bySymbol = new Map<string, Quote>()
  /** Whether `#bySymbol` holds the current quotes. */
  #mapped = false

  /** Looks in `quotes` from now on. */
  use(quotes: ReadonlyArray<Quote>): void {
    if (quotes === this.#quotes) return
    this.#quotes = quotes
    if (this.#mapped) this.#bySymbol.clear()
    this.#mapped = false
  }

  /** The first quote of the symbol, or undefined. */
  find(symbol: string): Quote | undefined {
    const quotes = this.#quotes
    if (quotes.length <= FEW_QUOTES) {
      for (let i = 0; i < quotes.length; i++) if (quotes[i]!.symbol === symbol) return quotes[i]
      return undefined
    }
    if (!this.#mapped) {
      for (const quote of quotes) if (!this.#bySymbol.has(quote.symbol)) this.#bySymbol.set(quote.symbol, quote)
      this.#mapped = true
    }
    return this.#bySymbol.get(symbol)
  }
}
