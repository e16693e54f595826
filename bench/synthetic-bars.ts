import { Xoshiro128StarStar } from "../src/data/synthetic/xoshiro128-star-star.ts"
import type { BenchBar } from "./bars.ts"

const dayMs = 86_400_000

/**
 * A seeded random walk of daily bars whose prices are full-precision doubles (17 significant
 * digits, as a feed of computed prices gives them), not the few decimals of a real price list:
 * every Decimal the engine makes of them is long, which is the costly case for exact money.
 */
export const makeFullPrecisionBars = (count: number, seed = 11): BenchBar[] => {
  const random = Xoshiro128StarStar.fromSeed(seed)
  const bars: BenchBar[] = []
  let close = 100
  for (let i = 0; i < count; i++) {
    const open = close
    // A daily move of about ±2 %, pulled back towards 100 so that a long series stays tradable,
    // and wicks of up to 1 % beyond the body.
    close = open * Math.exp((random.nextDouble() - 0.5) * 0.04 - 0.002 * Math.log(open / 100))
    const high = Math.max(open, close) * (1 + random.nextDouble() * 0.01)
    const low = Math.min(open, close) * (1 - random.nextDouble() * 0.01)
    bars.push({ time: i * dayMs, open, high, low, close, volume: 1_000_000 })
  }
  return bars
}
