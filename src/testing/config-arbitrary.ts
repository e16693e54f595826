import fc from "fast-check"
import type { SimulationConfigInput } from "../domain/simulation-config.ts"

/** A fraction in [min, max], either a round per-mille (shrinks well) or an arbitrary double. */
const fraction = (min: number, max: number): fc.Arbitrary<number> =>
  fc.oneof(
    { weight: 2, arbitrary: fc.integer({ min: Math.round(min * 1000), max: Math.round(max * 1000) }).map((n) => n / 1000) },
    { weight: 1, arbitrary: fc.double({ min, max, noNaN: true, noDefaultInfinity: true }) }
  )

export interface ConfigArbitraryOptions {
  /** The symbols: fixed, or an arbitrary of them. Default ["AAA", "BBB"]. */
  readonly symbols?: ReadonlyArray<string> | fc.Arbitrary<ReadonlyArray<string>>
}

/**
 * Valid simulation configs: shorting on or off, position limits from 5 % to all of equity, a
 * daily stop-loss or none, commissions (with or without a minimum), slippage, and initial capital
 * as a whole number or as cents in a decimal string, and each option of trailing stops, OCO
 * groups and the intrabar path. Every one is accepted by the engine.
 */
export const simulationConfigArb = (options: ConfigArbitraryOptions = {}): fc.Arbitrary<SimulationConfigInput> => {
  const symbols = options.symbols ?? ["AAA", "BBB"]
  return fc.record({
    symbols: symbols instanceof fc.Arbitrary ? symbols : fc.constant(symbols),
    enableShorting: fc.boolean(),
    maxPositionSize: fc.oneof({ weight: 2, arbitrary: fc.constant(1) }, { weight: 3, arbitrary: fraction(0.05, 1) }),
    dailyStopLoss: fc.oneof({ weight: 1, arbitrary: fc.constant(null) }, { weight: 3, arbitrary: fraction(0.01, 0.1) }),
    commissionRate: fc.oneof({ weight: 1, arbitrary: fc.constant(0) }, { weight: 3, arbitrary: fraction(0, 0.01) }),
    minimumCommission: fc.constantFrom(0, 1),
    slippageRate: fc.oneof({ weight: 1, arbitrary: fc.constant(0) }, { weight: 3, arbitrary: fraction(0, 0.01) }),
    initialCapital: fc.oneof(
      { weight: 3, arbitrary: fc.integer({ min: 1_000, max: 1_000_000 }) },
      // Cents as a decimal string, e.g. "25000.37".
      { weight: 1, arbitrary: fc.integer({ min: 100_000, max: 100_000_000 }).map((c) => `${Math.floor(c / 100)}.${String(c % 100).padStart(2, "0")}`) }
    ),
    trailBy: fc.constantFrom("extremes" as const, "close" as const),
    ocoOnPartialFill: fc.constantFrom("cancel" as const, "reduce" as const),
    intrabarPath: fc.constantFrom("adaptive" as const, "queue" as const)
  })
}
