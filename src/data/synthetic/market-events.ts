import { PriceProcess } from "./price-process.ts"
import { RandomSource } from "./random-source.ts"
import type { SyntheticMarketModel } from "./synthetic-market-options.ts"
import { eventSlots } from "./trading-clock.ts"

/** One event of the market: a symbol trades or requotes. The process holds every symbol's price at `time`. */
export interface MarketEvent {
  readonly time: number
  /** Index into the model's symbols. */
  readonly symbol: number
  readonly process: PriceProcess
  /** The same stream the market moves with, for the event's own draws (sizes, spread). */
  readonly random: RandomSource
}

/**
 * The events behind ticks and quotes: at each Poisson arrival every symbol moves (so their
 * correlation holds), then one symbol, picked at random, has the event.
 */
export function* marketEvents(model: SyntheticMarketModel): Generator<MarketEvent> {
  const random = new RandomSource(model.seed)
  const process = new PriceProcess(model, random)
  for (const slot of eventSlots(model, (mean) => random.exponential(mean))) {
    process.beginUpdate()
    if (slot.newSession) process.gap()
    process.step(slot.years)
    yield { time: slot.time, symbol: random.below(model.symbols.length), process, random }
  }
}
