// Adversarial review (session 10): the kit's arbitraries under their documented and hostile
// options, and the README's checkStrategy example run as written.
import { execFileSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { TradingSimulationEngine } from "../../src/index.ts"
import { marketArb, ohlcvBarArb, orderRequestArb, orderStreamArb, pricePathArb, simulationConfigArb, syntheticMarketArb } from "../../src/testing/index.ts"

const ROOT = resolve(import.meta.dirname, "../..")
const sample = <T>(arb: fc.Arbitrary<T>, numRuns = 20): T[] => fc.sample(arb, { seed: 1, numRuns })

describe("the README's checkStrategy example (holds)", () => {
  it("runs as written (imports pointed at the sources) and prints what the README shows", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8")
    const section = readme.slice(readme.indexOf("### `checkStrategy(model, options)`"))
    const code = /```ts\n([\s\S]*?)```/.exec(section)![1]!
    const printed = /prints[^\n]*\n[^`]*```\n([\s\S]*?)```/.exec(section)![1]!
    const dir = mkdtempSync(join(tmpdir(), "adv10b-readme-"))
    // A user's project beside paperfloor: fast-check resolves from its node_modules.
    symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"))
    const file = join(dir, "check-my-strategy.ts")
    writeFileSync(file, code.replace('from "paperfloor/testing"', `from ${JSON.stringify(join(ROOT, "src/testing/index.ts"))}`).replace('from "paperfloor"', `from ${JSON.stringify(join(ROOT, "src/index.ts"))}`))
    try {
      expect(execFileSync(join(ROOT, "node_modules/.bin/node"), [file], { cwd: dir, encoding: "utf8" })).toBe(printed)
    } finally {
      rmSync(dir, { recursive: true })
    }
  })
})

describe("arbitraries: every output a valid input, documented options honoured (holds)", () => {
  it("configs from simulationConfigArb over an arbitrary of symbol lists are all accepted", () => {
    const symbols = fc.uniqueArray(fc.constantFrom("AAA", "BRK.B", "BTC/USD", "X"), { minLength: 1, maxLength: 3 })
    for (const config of sample(simulationConfigArb({ symbols }), 100)) expect(new TradingSimulationEngine(config).status).toBeDefined()
  })

  it("orderRequestArb: every request is accepted by an engine that has already seen a later market (gtd included)", () => {
    const engine = new TradingSimulationEngine({ symbols: ["AAA", "BBB"] })
    engine.processMarketUpdate({ time: Date.UTC(2025, 5, 2, 14, 30), prices: { AAA: 100, BBB: 100 } })
    for (const request of sample(orderRequestArb(), 200)) engine.submitOrder(request)
    expect(engine.getOrders()).toHaveLength(200)
  })

  it("orderRequestArb at extreme prices (0.0001, 1e9): still accepted", () => {
    const engine = new TradingSimulationEngine({ symbols: ["AAA", "BBB"] })
    for (const price of [0.0001, 1e9]) for (const request of sample(orderRequestArb({ price }), 100)) engine.submitOrder(request)
  })

  it("syntheticMarketArb with hostile symbols [] refuses with a typed error naming symbols", () => {
    expect(() => sample(syntheticMarketArb({ symbols: [] }), 1)).toThrow(/symbols must be/)
  })

  it("simulationConfigArb with symbols [] refuses with a ValidationError naming symbols", () => {
    expect(() => sample(simulationConfigArb({ symbols: [] }), 1).map((c) => new TradingSimulationEngine(c))).toThrow(/symbols must name at least one symbol/)
  })
})

describe("arbitraries: documented options and hostile ones (known defects)", () => {
  // Found by the session 10 adversarial review (fixed): MarketOptions extends PricePathOptions, whose
  // `start` is "the price before the first step"; marketArb ignores it (each path starts at a random
  // 1–2000), so marketArb({ start: 100 }) opens anywhere.
  it("marketArb honours its start option", () => {
    for (const market of sample(marketArb({ symbols: ["AAA"], start: 100, maxSegments: 1 }))) {
      const first = (market[0] as { bars: Record<string, { open: number }> }).bars["AAA"]!.open
      expect(first).toBeGreaterThan(50)
      expect(first).toBeLessThan(200)
    }
  })

  // Found by the session 10 adversarial review (fixed): marketArb({ symbols: [] }) makes markets with no
  // update at all (its doc: "each carrying at least one symbol"), silently. Expected: a typed error naming symbols.
  it("marketArb with symbols [] is refused, naming symbols", () => {
    expect(() => sample(marketArb({ symbols: [] }), 1)).toThrow(/symbols/)
  })

  // Found by the session 10 adversarial review (fixed): updatesPerDay -3 makes times that go backwards
  // (the engine refuses the second update); 0 or NaN drop every time (null). Expected: refused, naming updatesPerDay.
  it("marketArb with updatesPerDay -3 is refused, naming updatesPerDay", () => {
    expect(() => sample(marketArb({ symbols: ["AAA"], updatesPerDay: -3 }), 1)).toThrow(/updatesPerDay/)
  })

  // Found by the session 10 adversarial review (fixed): a start of NaN gives paths and bars of NaN
  // (written as null), against "positive, finite". Expected: refused, naming start.
  it("pricePathArb and ohlcvBarArb with start NaN are refused, naming start", () => {
    expect(() => sample(pricePathArb({ start: Number.NaN }), 1)).toThrow(/start/)
    expect(() => sample(ohlcvBarArb({ start: Number.NaN }), 1)).toThrow(/start/)
  })

  // Found by the session 10 adversarial review (fixed): maxSegments 0 (or below minSegments, or NaN)
  // throws fast-check's untyped "fc.integer maximum value should be equal or greater than the
  // minimum one", naming no option of the kit. Expected: a typed error naming maxSegments.
  it("marketArb with maxSegments 0 is refused, naming maxSegments", () => {
    expect(() => sample(marketArb({ symbols: ["AAA"], maxSegments: 0 }), 1)).toThrow(/maxSegments/)
  })

  // Found by the session 10 adversarial review (fixed): orderRequestArb({ symbols: [] }) throws
  // fast-check's "fc.constantFrom expects at least one parameter"; { price: NaN } makes orders
  // priced "NaN" or null. Expected: typed errors naming symbols and price.
  it("orderRequestArb with symbols [] is refused, naming symbols", () => {
    expect(() => sample(orderRequestArb({ symbols: [] }), 1)).toThrow(/symbols/)
  })

  it("orderRequestArb with price NaN is refused, naming price", () => {
    expect(() => sample(orderRequestArb({ price: Number.NaN }), 20)).toThrow(/price/)
  })

  // Found by the session 10 adversarial review (fixed): orderStreamArb({ maxLength: -1 }) throws fast-check's
  // untyped integer-bounds error. Expected: a typed error naming maxLength.
  it("orderStreamArb with maxLength -1 is refused, naming maxLength", () => {
    expect(() => sample(orderStreamArb({ maxLength: -1 }), 1)).toThrow(/maxLength/)
  })

  // Found by the session 10 adversarial review (fixed): syntheticMarketArb({ minLength: -1 }) makes empty
  // markets (its doc: "Updates in a market (default 1 to 60)"); maxLength below minLength throws
  // fast-check's untyped bounds error. Expected: refused, naming minLength.
  it("syntheticMarketArb with minLength -1 is refused, naming minLength", () => {
    expect(() => sample(syntheticMarketArb({ minLength: -1, maxLength: 3 }), 3)).toThrow(/minLength/)
  })
})
