import { symbolRuleBroken } from "../../domain/simulation-config.ts"
import { parseTime, type TimeInput } from "../../domain/time.ts"
import { choleskyOfCorrelation } from "./correlation.ts"
import { PriceGrid, tickDecimals } from "./price-grid.ts"
import { SyntheticMarketError } from "./synthetic-market-error.ts"

/** A symbol of a synthetic market, beyond its name. */
export interface SyntheticSymbol {
  readonly symbol: string
  /** The first price (default 100), at most 5e11 ticks; prices stay between one tick and that. */
  readonly price?: number
  /** Multiplies every regime's volatility for this symbol (default 1). */
  readonly volatilityScale?: number
}

/** A state of the market: the volatility and drift of every symbol's log price while it lasts. */
export interface VolatilityRegime {
  /** Annualised standard deviation of log returns (0.2 = 20 %); a year is 252 sessions. */
  readonly volatility: number
  /** Annualised drift of the price (default 0): log prices move by (drift − volatility²/2) per year. */
  readonly drift?: number
  /**
   * Mean number of updates (bars, or tick and quote events) the market stays in this regime
   * before it switches to another one picked at random (default 100). Unused with one regime.
   */
  readonly meanDuration?: number
}

/** Log sizes of jumps: normal, or double-exponential (Kou: up with some probability, each side exponential). */
export type JumpSize =
  | { readonly distribution: "normal"; readonly mean: number; readonly stdDev: number }
  | { readonly distribution: "doubleExponential"; readonly upProbability: number; readonly upMean: number; readonly downMean: number }

export interface JumpOptions {
  /** Expected jumps per symbol per year; they arrive as a Poisson process, independently per symbol. */
  readonly intensity: number
  /** The log size of one jump (default normal with mean 0 and standard deviation 0.05). */
  readonly size?: JumpSize
}

/** Stretches where a symbol's price does not move at all: a halt, a holiday market, an illiquid name. */
export interface FlatStretchOptions {
  /** Chance per update that a symbol that is moving starts a flat stretch. */
  readonly probability: number
  /** Mean length of a stretch in updates (default 10); lengths are geometric. */
  readonly meanLength?: number
  /** Volume (bars) and trade sizes (ticks) during a stretch, as a fraction of the usual (default 0; a trade is at least 1). */
  readonly volumeFraction?: number
}

/** A log-normal size: its mean and the standard deviation of its logarithm. */
export interface SizeOptions {
  readonly mean: number
  /** Default 0.5. */
  readonly dispersion?: number
}

export interface SpreadOptions {
  /** The spread in basis points of the mid (default 5), scaled by the regime's volatility over the first regime's. */
  readonly bps?: number
  /** Standard deviation of the spread's log-normal noise (default 0.25). */
  readonly jitter?: number
}

/** A trading session's open and close, `HH:MM` in UTC; weekends have none. */
export interface SessionHours {
  readonly open: string
  readonly close: string
}

/**
 * A seeded synthetic market: geometric Brownian motion for any number of correlated symbols, with
 * volatility regimes, Poisson jumps, overnight gaps and flat stretches. Only `seed` is required;
 * the same options give the same series, record for record.
 */
export interface SyntheticMarketOptions {
  /** Any safe integer. */
  readonly seed: number
  /** The symbols (default one, `SYN`, at 100). */
  readonly symbols?: ReadonlyArray<string | SyntheticSymbol>
  /** Correlations of the symbols' returns: symmetric, unit diagonal, positive definite (default: independent). */
  readonly correlation?: ReadonlyArray<ReadonlyArray<number>>
  /** The regimes the market switches between, starting in the first (default one: 20 % volatility, no drift). */
  readonly regimes?: ReadonlyArray<VolatilityRegime>
  /** Jumps in log price (default none). */
  readonly jumps?: JumpOptions
  /** Standard deviation of the log return from a session's close to the next session's open (default 0: no gaps). Gaps are correlated like returns. */
  readonly overnightGap?: number
  /** Flat stretches (default none). */
  readonly flat?: FlatStretchOptions
  /** Prices are whole ticks of this size (default 0.01; 1e-6 to 1000, at most 6 decimals). */
  readonly tickSize?: number
  /** The series starts at the first bar or event at or after this time (default 2024-01-02). */
  readonly start?: TimeInput
  /** Bars: `"1d"`, one per weekday stamped at UTC midnight (default), or a number of minutes within each session. */
  readonly interval?: "1d" | number
  /** Session hours in UTC (default 14:30–21:00, the US equity session in winter). */
  readonly session?: SessionHours
  /** Steps of the price path inside one bar, from which its high and low come (default 10). */
  readonly intrabarSteps?: number
  /** Bars: shares per whole session (default mean 1 000 000); a bar gets its share of the session. */
  readonly volume?: SizeOptions
  /** Ticks and quotes: mean events per session minute, over all symbols (default 10); arrivals are Poisson. */
  readonly eventsPerMinute?: number
  /** Ticks: shares per trade (default mean 100, dispersion 1). */
  readonly tradeSize?: SizeOptions
  /** Quotes: shares at the bid and at the ask (default mean 500). */
  readonly quoteSize?: SizeOptions
  /** Quotes: the spread model. */
  readonly spread?: SpreadOptions
}

export interface ResolvedRegime {
  readonly volatility: number
  readonly drift: number
  /** Chance per update of leaving the regime. */
  readonly switchProbability: number
}

export interface ResolvedSize {
  readonly mean: number
  readonly dispersion: number
}

/** The options checked and with their defaults: what the generators run on. */
export interface SyntheticMarketModel {
  readonly seed: number
  readonly symbols: ReadonlyArray<string>
  readonly startPrices: ReadonlyArray<number>
  readonly volatilityScales: ReadonlyArray<number>
  readonly cholesky: ReadonlyArray<Float64Array>
  readonly regimes: ReadonlyArray<ResolvedRegime>
  readonly jumps: { readonly intensity: number; readonly size: JumpSize } | null
  readonly overnightGap: number
  readonly flat: { readonly probability: number; readonly meanLength: number; readonly volumeFraction: number } | null
  readonly grid: PriceGrid
  /** ms since the epoch. */
  readonly start: number
  readonly interval: "1d" | number
  /** Minutes after UTC midnight. */
  readonly sessionOpen: number
  readonly sessionClose: number
  readonly intrabarSteps: number
  readonly volume: ResolvedSize
  readonly eventsPerMinute: number
  readonly tradeSize: ResolvedSize
  readonly quoteSize: ResolvedSize
  readonly spread: { readonly bps: number; readonly jitter: number }
}

interface Range {
  readonly min: number
  readonly max: number
  /** The minimum itself is not allowed. */
  readonly above?: boolean
  readonly integer?: boolean
}

const fail = (field: string, rule: string, value: unknown): never => {
  throw new SyntheticMarketError({ field, rule, value })
}

const numberIn = (field: string, value: unknown, range: Range): number => {
  const { min, max, above = false, integer = false } = range
  if (typeof value === "number" && Number.isFinite(value) && (above ? value > min : value >= min) && value <= max && (!integer || Number.isInteger(value)))
    return value
  return fail(field, `must be ${integer ? "an integer" : "a finite number"} ${above ? `above ${min} and at most` : `from ${min} to`} ${max}`, value)
}

const isRecord = (u: unknown): u is Record<string, unknown> => u !== null && typeof u === "object" && !Array.isArray(u)

/** An object of options whose every key is one of `keys`: a misspelt option fails instead of being ignored. */
const record = (field: string, value: unknown, keys: ReadonlyArray<string>): Record<string, unknown> => {
  if (!isRecord(value)) return fail(field, "must be an object", value)
  for (const key of Object.keys(value)) if (!keys.includes(key)) fail(field === "(options)" ? key : `${field}.${key}`, `is not a known option (${keys.join(", ")})`, value[key])
  return value
}

const list = (field: string, value: unknown, minLength: number): ReadonlyArray<unknown> =>
  Array.isArray(value) && value.length >= minLength ? value : fail(field, `must be an array of at least ${minLength}`, value)

const VOLATILITY: Range = { min: 0, max: 10 }
const DRIFT: Range = { min: -10, max: 10 }
const FRACTION: Range = { min: 0, max: 1 }
const DISPERSION: Range = { min: 0, max: 3 }
const LOG_JUMP: Range = { min: -2, max: 2 }
const LOG_JUMP_MEAN: Range = { min: 0, max: 2, above: true }
const HHMM = /^(?:([01]\d|2[0-3]):([0-5]\d)|(24):(00))$/

const symbolsOf = (value: unknown, grid: PriceGrid) => {
  const entries = list("symbols", value ?? ["SYN"], 1).map((entry, i) => {
    const field = `symbols[${i}]`
    const spec = typeof entry === "string" ? { symbol: entry } : record(field, entry, ["symbol", "price", "volatilityScale"])
    const symbol = spec["symbol"]
    const rule = typeof symbol === "string" ? symbolRuleBroken(symbol) : "must be a string"
    if (rule !== undefined) fail(`${field}${typeof entry === "string" ? "" : ".symbol"}`, rule, symbol)
    return {
      symbol: symbol as string,
      price: numberIn(`${field}.price`, spec["price"] ?? 100, { min: 0, max: grid.maxPrice, above: true }),
      volatilityScale: numberIn(`${field}.volatilityScale`, spec["volatilityScale"] ?? 1, { min: 0, max: 10 })
    }
  })
  const seen = new Set<string>()
  entries.forEach((e, i) => {
    if (seen.has(e.symbol)) fail(`symbols[${i}]`, "must not repeat a symbol", e.symbol)
    seen.add(e.symbol)
  })
  return entries
}

const regimesOf = (value: unknown): ReadonlyArray<ResolvedRegime> =>
  list("regimes", value ?? [{ volatility: 0.2 }], 1).map((entry, i) => {
    const r = record(`regimes[${i}]`, entry, ["volatility", "drift", "meanDuration"])
    return {
      volatility: numberIn(`regimes[${i}].volatility`, r["volatility"], VOLATILITY),
      drift: numberIn(`regimes[${i}].drift`, r["drift"] ?? 0, DRIFT),
      switchProbability: 1 / numberIn(`regimes[${i}].meanDuration`, r["meanDuration"] ?? 100, { min: 1, max: 1e12 })
    }
  })

const jumpSizeOf = (value: unknown): JumpSize => {
  const s = record("jumps.size", value ?? { distribution: "normal", mean: 0, stdDev: 0.05 }, ["distribution", "mean", "stdDev", "upProbability", "upMean", "downMean"])
  switch (s["distribution"]) {
    case "normal":
      return {
        distribution: "normal",
        mean: numberIn("jumps.size.mean", s["mean"], LOG_JUMP),
        stdDev: numberIn("jumps.size.stdDev", s["stdDev"], { min: 0, max: 2 })
      }
    case "doubleExponential":
      return {
        distribution: "doubleExponential",
        upProbability: numberIn("jumps.size.upProbability", s["upProbability"], FRACTION),
        upMean: numberIn("jumps.size.upMean", s["upMean"], LOG_JUMP_MEAN),
        downMean: numberIn("jumps.size.downMean", s["downMean"], LOG_JUMP_MEAN)
      }
    default:
      return fail("jumps.size.distribution", 'must be "normal" or "doubleExponential"', s["distribution"])
  }
}

const jumpsOf = (value: unknown): SyntheticMarketModel["jumps"] => {
  if (value === undefined) return null
  const j = record("jumps", value, ["intensity", "size"])
  return { intensity: numberIn("jumps.intensity", j["intensity"], { min: 0, max: 1000 }), size: jumpSizeOf(j["size"]) }
}

const flatOf = (value: unknown): SyntheticMarketModel["flat"] => {
  if (value === undefined) return null
  const f = record("flat", value, ["probability", "meanLength", "volumeFraction"])
  return {
    probability: numberIn("flat.probability", f["probability"], FRACTION),
    meanLength: numberIn("flat.meanLength", f["meanLength"] ?? 10, { min: 1, max: 1e12 }),
    volumeFraction: numberIn("flat.volumeFraction", f["volumeFraction"] ?? 0, FRACTION)
  }
}

const sizeOf = (field: string, value: unknown, defaults: ResolvedSize, min: number): ResolvedSize => {
  const s = record(field, value ?? defaults, ["mean", "dispersion"])
  return {
    mean: numberIn(`${field}.mean`, s["mean"] ?? defaults.mean, { min, max: 1e12 }),
    dispersion: numberIn(`${field}.dispersion`, s["dispersion"] ?? defaults.dispersion, DISPERSION)
  }
}

const spreadOf = (value: unknown): SyntheticMarketModel["spread"] => {
  const s = record("spread", value ?? {}, ["bps", "jitter"])
  return {
    bps: numberIn("spread.bps", s["bps"] ?? 5, { min: 0, max: 10_000, above: true }),
    jitter: numberIn("spread.jitter", s["jitter"] ?? 0.25, DISPERSION)
  }
}

const gridOf = (value: unknown): PriceGrid => {
  const tickSize = numberIn("tickSize", value ?? 0.01, { min: 1e-6, max: 1000 })
  const decimals = tickDecimals(tickSize, 6)
  return decimals === null ? fail("tickSize", "must have at most 6 decimals", tickSize) : new PriceGrid(tickSize, decimals)
}

const minutesOf = (field: string, value: unknown): number => {
  const m = typeof value === "string" ? HHMM.exec(value) : null
  if (m === null) return fail(field, "must be a UTC time HH:MM from 00:00 to 24:00", value)
  return Number(m[1] ?? m[3]) * 60 + Number(m[2] ?? m[4])
}

const OPTION_KEYS: ReadonlyArray<keyof SyntheticMarketOptions> = [
  "seed",
  "symbols",
  "correlation",
  "regimes",
  "jumps",
  "overnightGap",
  "flat",
  "tickSize",
  "start",
  "interval",
  "session",
  "intrabarSteps",
  "volume",
  "eventsPerMinute",
  "tradeSize",
  "quoteSize",
  "spread"
]

/** Checks a synthetic market's options and fills in the defaults; throws a `SyntheticMarketError` naming the field and rule. */
export const syntheticMarketModel = (options: SyntheticMarketOptions): SyntheticMarketModel => {
  const o = record("(options)", options, OPTION_KEYS)
  const seed = o["seed"]
  if (!Number.isSafeInteger(seed)) fail("seed", "must be a safe integer", seed)
  const grid = gridOf(o["tickSize"])
  const symbols = symbolsOf(o["symbols"], grid)
  const session = record("session", o["session"] ?? { open: "14:30", close: "21:00" }, ["open", "close"])
  const sessionOpen = minutesOf("session.open", session["open"])
  const sessionClose = minutesOf("session.close", session["close"])
  if (sessionClose <= sessionOpen) fail("session.close", `must be after session.open (${String(session["open"])})`, session["close"])
  const interval = o["interval"] === "1d" || o["interval"] === undefined ? "1d" : numberIn("interval", o["interval"], { min: 1, max: sessionClose - sessionOpen, integer: true })
  const start = parseTime(o["start"] ?? "2024-01-02")
  if (!Number.isFinite(start)) fail("start", "must be ms since the epoch, an ISO-8601 string or a Date", o["start"])
  const identity = symbols.map((_, i) => symbols.map((_, j) => (i === j ? 1 : 0)))
  return {
    seed: seed as number,
    symbols: symbols.map((s) => s.symbol),
    // A first price off the tick grid starts on its nearest tick, within the grid's range.
    startPrices: symbols.map((s) => grid.round(s.price)),
    volatilityScales: symbols.map((s) => s.volatilityScale),
    cholesky: choleskyOfCorrelation(o["correlation"] ?? identity, symbols.length),
    regimes: regimesOf(o["regimes"]),
    jumps: jumpsOf(o["jumps"]),
    overnightGap: numberIn("overnightGap", o["overnightGap"] ?? 0, { min: 0, max: 1 }),
    flat: flatOf(o["flat"]),
    grid,
    start,
    interval,
    sessionOpen,
    sessionClose,
    intrabarSteps: numberIn("intrabarSteps", o["intrabarSteps"] ?? 10, { min: 1, max: 10_000, integer: true }),
    volume: sizeOf("volume", o["volume"], { mean: 1_000_000, dispersion: 0.5 }, 0),
    eventsPerMinute: numberIn("eventsPerMinute", o["eventsPerMinute"] ?? 10, { min: 0, max: 60_000, above: true }),
    tradeSize: sizeOf("tradeSize", o["tradeSize"], { mean: 100, dispersion: 1 }, 1),
    quoteSize: sizeOf("quoteSize", o["quoteSize"], { mean: 500, dispersion: 0.5 }, 1),
    spread: spreadOf(o["spread"])
  }
}
