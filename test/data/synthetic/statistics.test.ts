import { describe, expect, it } from "vitest"
import { type SyntheticBar, type SyntheticMarketOptions, syntheticBars, syntheticQuotes } from "../../../src/data/synthetic/index.ts"

// Fixed seeds, many steps and loose bounds: each check is several standard errors wide, so it
// fails on a wrong model (a missing √dt, a wrong sign, a dropped term), not on an unlucky draw.

const mean = (xs: ReadonlyArray<number>): number => xs.reduce((a, b) => a + b, 0) / xs.length
const sd = (xs: ReadonlyArray<number>): number => {
  const m = mean(xs)
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1))
}
const correlation = (xs: ReadonlyArray<number>, ys: ReadonlyArray<number>): number => {
  const mx = mean(xs)
  const my = mean(ys)
  let sxy = 0
  let sxx = 0
  let syy = 0
  xs.forEach((x, i) => {
    sxy += (x - mx) * (ys[i]! - my)
    sxx += (x - mx) ** 2
    syy += (ys[i]! - my) ** 2
  })
  return sxy / Math.sqrt(sxx * syy)
}
const within = (actual: number, expected: number, relative: number): void => {
  expect(actual).toBeGreaterThan(expected * (1 - relative))
  expect(actual).toBeLessThan(expected * (1 + relative))
}

/** Each symbol's close-to-close log returns. */
const returnsBySymbol = (bars: ReadonlyArray<SyntheticBar>): Map<string, number[]> => {
  const closes = new Map<string, number[]>()
  for (const bar of bars) (closes.get(bar.symbol) ?? closes.set(bar.symbol, []).get(bar.symbol)!).push(bar.close)
  return new Map([...closes].map(([symbol, c]) => [symbol, c.slice(1).map((x, i) => Math.log(x / c[i]!))]))
}
const returnsOf = (options: SyntheticMarketOptions, bars: number, symbol = "SYN"): number[] =>
  returnsBySymbol(syntheticBars(options).take(bars * (options.symbols?.length ?? 1))).get(symbol)!

const DAILY = Math.sqrt(252)

describe("the market moves as configured", () => {
  it("daily log returns have the configured volatility (within 15 %)", () => {
    within(sd(returnsOf({ seed: 1, regimes: [{ volatility: 0.25 }] }, 3_000)) * DAILY, 0.25, 0.15)
    within(sd(returnsOf({ seed: 2, regimes: [{ volatility: 0.6, drift: 0.1 }] }, 3_000)) * DAILY, 0.6, 0.15)
    within(sd(returnsOf({ seed: 3, symbols: [{ symbol: "SYN", volatilityScale: 2 }], regimes: [{ volatility: 0.1 }] }, 3_000)) * DAILY, 0.2, 0.15)
  })

  it("intraday returns scale with the square root of the bar's share of a session", () => {
    // 13 bars of 30 minutes in a 6.5-hour session: each is 1/13 of a day's variance.
    const r = returnsOf({ seed: 4, regimes: [{ volatility: 0.3 }], interval: 30 }, 13 * 400)
    within(sd(r) * DAILY * Math.sqrt(13), 0.3, 0.15)
  })

  it("the drift shows in the mean log return: (drift − volatility²/2) a year", () => {
    const r = returnsOf({ seed: 5, regimes: [{ volatility: 0.05, drift: 0.4 }] }, 5_000)
    within(mean(r) * 252, 0.4 - 0.05 ** 2 / 2, 0.15)
  })

  it("correlated symbols have the configured correlation of returns", () => {
    const symbols = ["A", "B", "C"]
    const target = [
      [1, 0.7, -0.4],
      [0.7, 1, -0.1],
      [-0.4, -0.1, 1]
    ]
    const returns = returnsBySymbol(syntheticBars({ seed: 6, symbols, correlation: target, regimes: [{ volatility: 0.3 }] }).take(3 * 4_000))
    for (const [i, j] of [[0, 1], [0, 2], [1, 2]] as const) {
      const rho = correlation(returns.get(symbols[i]!)!, returns.get(symbols[j]!)!)
      expect(Math.abs(rho - target[i]![j]!)).toBeLessThan(0.05)
    }
    // Independent by default.
    const free = returnsBySymbol(syntheticBars({ seed: 6, symbols }).take(3 * 4_000))
    expect(Math.abs(correlation(free.get("A")!, free.get("B")!))).toBeLessThan(0.05)
  })

  it("jumps arrive at the configured intensity per year", () => {
    // Small diffusion and clear jumps: every jump stands out, and its size says how many there
    // were. The drift takes back what the jumps add, so the price stays far from the grid's ends.
    const jumps = { intensity: 12, size: { distribution: "normal", mean: 0.1, stdDev: 0.005 } } as const
    const r = returnsOf({ seed: 7, tickSize: 0.0001, regimes: [{ volatility: 0.01, drift: -12 * 0.1 }], jumps }, 252 * 40)
    const count = r.reduce((n, x) => n + (Math.abs(x) > 0.05 ? Math.round(x / 0.1) : 0), 0)
    within(count / 40, 12, 0.15)
    // None when the intensity is 0.
    const none = returnsOf({ seed: 7, tickSize: 0.0001, regimes: [{ volatility: 0.01 }], jumps: { ...jumps, intensity: 0 } }, 2_000)
    expect(none.filter((x) => Math.abs(x) > 0.05)).toEqual([])
  })

  it("double-exponential jumps go up with the configured probability and add their variance", () => {
    const size = { distribution: "doubleExponential", upProbability: 0.3, upMean: 0.05, downMean: 0.05 } as const
    // The drift takes back the jumps' mean, 20 · (0.3 − 0.7) · 0.05 a year.
    const r = returnsOf({ seed: 8, tickSize: 0.0001, regimes: [{ volatility: 0.005, drift: 0.4 }], jumps: { intensity: 20, size } }, 252 * 80)
    // Beyond ten daily standard deviations of the diffusion: 94 % of the jumps.
    const big = r.filter((x) => Math.abs(x) > 0.003)
    within(big.filter((x) => x > 0).length / big.length, 0.3, 0.15)
    // Variance per year: σ² + λ·E[J²], with E[J²] = 2·mean² for an exponential of either side.
    within(sd(r) ** 2 * 252, 0.005 ** 2 + 20 * 2 * 0.05 ** 2, 0.15)
  })

  it("overnight gaps open each session away from the last close; within a session each bar opens at the last close", () => {
    const bars = syntheticBars({ seed: 9, regimes: [{ volatility: 0.05 }], overnightGap: 0.02, interval: 60 }).take(7 * 1_000)
    const gaps: number[] = []
    bars.forEach((bar, i) => {
      if (i === 0) return
      const previous = bars[i - 1]!
      if (bar.time - previous.time === 3_600_000) expect(bar.open).toBe(previous.close)
      else gaps.push(Math.log(bar.open / previous.close))
    })
    expect(gaps).toHaveLength(999)
    within(sd(gaps), 0.02, 0.15)
    // Daily bars: every bar opens after a gap.
    const daily = syntheticBars({ seed: 9, regimes: [{ volatility: 0.05 }], overnightGap: 0.02 }).take(2_000)
    within(sd(daily.slice(1).map((bar, i) => Math.log(bar.open / daily[i]!.close))), 0.02, 0.15)
  })

  it("regimes switch with the configured mean durations, and volatility clusters", () => {
    // Drifts of volatility²/2 leave log prices without a trend, far from the grid's ends over a long run.
    const regimes = [
      { volatility: 0.1, drift: 0.005, meanDuration: 90 },
      { volatility: 0.8, drift: 0.32, meanDuration: 10 }
    ]
    // 90 % of the time in the calm regime: variance 0.9·0.1² + 0.1·0.8².
    const r = returnsOf({ seed: 10, tickSize: 0.0001, regimes }, 40_000)
    within(sd(r) * DAILY, Math.sqrt(0.9 * 0.01 + 0.1 * 0.64), 0.15)
    const absolute = r.map(Math.abs)
    expect(correlation(absolute.slice(1), absolute.slice(0, -1))).toBeGreaterThan(0.2)
    const single = returnsOf({ seed: 10, regimes: [{ volatility: 0.3 }] }, 20_000).map(Math.abs)
    expect(Math.abs(correlation(single.slice(1), single.slice(0, -1)))).toBeLessThan(0.05)
  })

  it("flat stretches hold the price, with no volume, for the configured mean length", () => {
    const bars = syntheticBars({ seed: 11, flat: { probability: 0.02, meanLength: 8 } }).take(20_000)
    const flat = bars.map((bar) => bar.volume === 0)
    bars.forEach((bar, i) => {
      if (!flat[i]) return
      expect([bar.open, bar.high, bar.low]).toEqual([bar.close, bar.close, bar.close])
      if (i > 0) expect(bar.open).toBe(bars[i - 1]!.close)
    })
    // Moving for 1 / 0.02 = 50 updates on average, then flat for 8.
    within(flat.filter(Boolean).length / bars.length, 8 / 58, 0.15)
    const runs = flat.reduce<number[]>((acc, f, i) => (f ? (flat[i - 1] ? (acc[acc.length - 1]!++, acc) : [...acc, 1]) : acc), [])
    within(mean(runs), 8, 0.15)
    // A small volume when asked for.
    const thin = syntheticBars({ seed: 11, flat: { probability: 0.02, meanLength: 8, volumeFraction: 0.001 } }).take(20_000)
    const thinFlat = thin.filter((bar, i) => flat[i])
    expect(mean(thinFlat.map((b) => b.volume))).toBeGreaterThan(0)
    expect(mean(thinFlat.map((b) => b.volume))).toBeLessThan(0.01 * mean(thin.map((b) => b.volume)))
  })

  it("spreads are the configured basis points of the mid, wider in a more volatile regime", () => {
    const spreadBps = (options: SyntheticMarketOptions): number[] =>
      syntheticQuotes(options).take(5_000).map((q) => ((q.ask - q.bid) / ((q.ask + q.bid) / 2)) * 10_000)
    within(mean(spreadBps({ seed: 12, spread: { bps: 20, jitter: 0 } })), 20, 0.1)
    within(mean(spreadBps({ seed: 12, spread: { bps: 20, jitter: 0.5 } })), 20, 0.15)
    const regimes = [
      { volatility: 0.2, meanDuration: 500 },
      { volatility: 0.6, meanDuration: 500 }
    ]
    const spreads = spreadBps({ seed: 13, regimes, spread: { bps: 20, jitter: 0 } })
    expect(spreads.filter((s) => s < 25).length).toBeGreaterThan(1_000)
    expect(spreads.filter((s) => s > 50).length).toBeGreaterThan(1_000)
  })
})
