import type { TradingSimulationEngine } from "../../src/index.ts"

/** A simple moving average over the last `length` values, kept with a ring buffer and a running sum. */
export class SimpleMovingAverage {
  readonly length: number
  readonly #ring: Float64Array
  #count = 0
  #sum = 0

  constructor(length: number) {
    this.length = length
    this.#ring = new Float64Array(length)
  }

  /** Adds a value; returns the average, or NaN until `length` values have been seen. */
  push(value: number): number {
    const i = this.#count % this.length
    this.#sum += value - this.#ring[i]!
    this.#ring[i] = value
    this.#count += 1
    return this.#count >= this.length ? this.#sum / this.length : Number.NaN
  }
}

/** Both averages and their previous values; NaN until the slow window is full. */
export interface AveragePair {
  readonly fast: number
  readonly slow: number
  readonly previousFast: number
  readonly previousSlow: number
}

// Comparisons with NaN are false, so no cross is seen until both averages have a previous value.
export const crossedUp = (p: AveragePair): boolean => p.previousFast <= p.previousSlow && p.fast > p.slow
export const crossedDown = (p: AveragePair): boolean => p.previousFast >= p.previousSlow && p.fast < p.slow

/**
 * The crossover's indicator state, fed one close per bar. The benchmark's peers use it too, so
 * every runner sees bit-identical averages (a near-tie could otherwise flip a signal).
 */
export class CrossoverSignal implements AveragePair {
  fast = Number.NaN
  slow = Number.NaN
  previousFast = Number.NaN
  previousSlow = Number.NaN
  readonly #fast: SimpleMovingAverage
  readonly #slow: SimpleMovingAverage

  constructor(fastLength: number, slowLength: number) {
    this.#fast = new SimpleMovingAverage(fastLength)
    this.#slow = new SimpleMovingAverage(slowLength)
  }

  update(close: number): void {
    this.previousFast = this.fast
    this.previousSlow = this.slow
    const fast = this.#fast.push(close)
    const slow = this.#slow.push(close)
    this.fast = Number.isNaN(slow) ? Number.NaN : fast
    this.slow = slow
  }
}

export interface CrossoverParams {
  readonly fast: number
  readonly slow: number
  readonly quantity: number
}

export const defaultCrossoverParams: CrossoverParams = { fast: 10, slow: 30, quantity: 100 }

/**
 * Long-only moving-average crossover: after each close, buy `quantity` at market when the fast
 * average crosses above the slow one while flat; sell the position when it crosses below while
 * long. Market orders fill at the next bar's open.
 */
export class MovingAverageCrossover {
  readonly symbol: string
  readonly params: CrossoverParams
  readonly #signal: CrossoverSignal

  constructor(symbol: string, params: CrossoverParams = defaultCrossoverParams) {
    this.symbol = symbol
    this.params = params
    this.#signal = new CrossoverSignal(params.fast, params.slow)
  }

  /** Call after the engine has processed the bar whose close this is. */
  onClose(engine: TradingSimulationEngine, close: number): void {
    this.#signal.update(close)
    const up = crossedUp(this.#signal)
    if (!up && !crossedDown(this.#signal)) return
    const position = engine.positionOf(this.symbol)
    if (up && position.isZero()) engine.submitOrder({ symbol: this.symbol, side: "buy", type: "market", quantity: this.params.quantity })
    else if (!up && position.greaterThan(0)) engine.submitOrder({ symbol: this.symbol, side: "sell", type: "market", quantity: position })
  }
}
