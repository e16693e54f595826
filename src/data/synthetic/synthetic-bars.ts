import { PriceProcess } from "./price-process.ts"
import { RandomSource } from "./random-source.ts"
import { type SyntheticMarketOptions, syntheticMarketModel } from "./synthetic-market-options.ts"
import { SyntheticSeries } from "./synthetic-series.ts"
import { barSlots, SESSIONS_PER_YEAR } from "./trading-clock.ts"

/** One symbol's OHLCV bar: prices on the tick grid, low > 0, open and close within [low, high], volume a whole number ≥ 0. */
export interface SyntheticBar {
  /** ms since the epoch: the bar's start (UTC midnight for daily bars). */
  readonly time: number
  readonly symbol: string
  readonly open: number
  readonly high: number
  readonly low: number
  readonly close: number
  readonly volume: number
}

/**
 * OHLCV bars of a seeded synthetic market: at each bar time one bar per symbol, in the order of
 * `symbols`. Each bar is read off a path of `intrabarSteps` steps; the first bar of a session
 * opens after the overnight gap. A symbol in a flat stretch has open = high = low = close = the
 * previous close. Throws a `SyntheticMarketError` for bad options.
 */
export const syntheticBars = (options: SyntheticMarketOptions): SyntheticSeries<SyntheticBar> => {
  const model = syntheticMarketModel(options)
  return new SyntheticSeries(function* () {
    const { symbols, grid, intrabarSteps, volume, flat } = model
    const n = symbols.length
    const random = new RandomSource(model.seed)
    const process = new PriceProcess(model, random)
    const log = process.logPrices
    const open = new Float64Array(n)
    const high = new Float64Array(n)
    const low = new Float64Array(n)
    for (const slot of barSlots(model)) {
      process.beginUpdate()
      if (slot.newSession) process.gap()
      open.set(log)
      high.set(log)
      low.set(log)
      for (let k = 0; k < intrabarSteps; k++) {
        process.step(slot.years / intrabarSteps)
        for (let i = 0; i < n; i++) {
          if (log[i]! > high[i]!) high[i] = log[i]!
          else if (log[i]! < low[i]!) low[i] = log[i]!
        }
      }
      // A bar's share of a session's volume: its share of the session's trading time.
      const meanVolume = volume.mean * slot.years * SESSIONS_PER_YEAR
      for (let i = 0; i < n; i++) {
        const o = grid.round(Math.exp(open[i]!))
        const c = grid.round(Math.exp(log[i]!))
        const scale = process.flat[i] === 1 ? flat!.volumeFraction : 1
        yield {
          time: slot.time,
          symbol: symbols[i]!,
          open: o,
          // Rounding is monotone; the max and min only guard against an exp that is not, by an ulp.
          high: Math.max(o, c, grid.round(Math.exp(high[i]!))),
          low: Math.min(o, c, grid.round(Math.exp(low[i]!))),
          close: c,
          volume: Math.round(meanVolume * scale * random.noise(volume.dispersion))
        }
      }
    }
  })
}
