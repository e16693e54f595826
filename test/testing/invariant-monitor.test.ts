import { describe, expect, it } from "vitest"
import { barFillModel, Decimal, type EngineOptions, type SimulationConfigInput, TradingSimulationEngine } from "../../src/index.ts"
import { InvariantMonitor, type InvariantName } from "../../src/testing/index.ts"
import { tamper } from "./tamper.ts"

const DAY = 86_400_000
const T0 = Date.UTC(2024, 0, 2, 14, 30)
const bar = (close: number) => ({ open: close, high: close * 1.01, low: close * 0.99, close })

const names = (violations: ReadonlyArray<{ readonly invariant: InvariantName }>): InvariantName[] => [...new Set(violations.map((v) => v.invariant))].sort()

/** An engine with a monitor, after a buy of 10 at 100 filled on the second update. */
const bought = (config: SimulationConfigInput = {}, options: EngineOptions = {}) => {
  const engine = new TradingSimulationEngine({ symbols: ["AAA"], slippageRate: 0.001, commissionRate: 0.001, maxPositionSize: 1, dailyStopLoss: null, ...config }, options)
  const monitor = new InvariantMonitor(engine)
  const checks = [monitor.check(engine.processMarketUpdate({ time: T0, bars: { AAA: bar(100) } }))]
  engine.submitOrder({ symbol: "AAA", side: "buy", type: "market", quantity: 10 })
  checks.push(monitor.check())
  checks.push(monitor.check(engine.processMarketUpdate({ time: T0 + 60_000, bars: { AAA: bar(100) } })))
  return { engine, monitor, checks }
}

describe("InvariantMonitor", () => {
  it("finds nothing wrong with a correct engine", () => {
    const { engine, checks } = bought()
    expect(engine.getFills()).toHaveLength(1)
    expect(checks.flat()).toEqual([])
  })

  it("catches a slippage model that moves the price past the slippage rate: fillPrice", () => {
    const { checks } = bought({}, { slippageModel: { adjust: (price) => price.times(1.05) } })
    expect(names(checks.flat())).toEqual(["fillPrice"])
  })

  it("catches a fee model that charges less than the rate: fillCommission", () => {
    const { checks } = bought({}, { feeModel: { commission: () => new Decimal(0) } })
    expect(names(checks.flat())).toEqual(["fillCommission"])
  })

  it("catches a fill model that fills outside the update's range: noLookAhead", () => {
    const { checks } = bought({}, { fillModel: { match: (o, q) => ({ ...barFillModel.match(o, q), fill: { price: new Decimal(90), quantity: o.remaining } }) } })
    expect(names(checks.flat())).toEqual(["noLookAhead"])
  })

  it("catches fills seen after a command rather than an update: fillOnCommand", () => {
    const engine = new TradingSimulationEngine({ symbols: ["AAA"], dailyStopLoss: null })
    const monitor = new InvariantMonitor(engine)
    engine.processMarketUpdate({ AAA: 100 })
    engine.submitOrder({ symbol: "AAA", side: "buy", type: "market", quantity: 1 })
    engine.processMarketUpdate({ AAA: 100 })
    expect(names(monitor.check())).toEqual(["fillOnCommand", "noLookAhead"])
  })

  it("catches a filled quantity that goes down, and a final order that changes: filledMonotonic, finalFrozen", () => {
    const engine = new TradingSimulationEngine({ symbols: ["AAA"], dailyStopLoss: null, slippageRate: 0, commissionRate: 0 })
    const { view, set } = tamper(engine)
    const monitor = new InvariantMonitor(view)
    monitor.check(engine.processMarketUpdate({ AAA: 100 }))
    engine.submitOrder({ symbol: "AAA", side: "buy", type: "market", quantity: 1 })
    monitor.check(engine.processMarketUpdate({ AAA: 100 }))
    set("getOrders", () => engine.getOrders().map((o) => ({ ...o, filledQuantity: "0.5", reasons: ["changed"] })))
    expect(names(monitor.check())).toEqual(["fillSums", "filledMonotonic", "filledStatus", "finalFrozen"])
  })

  it("catches a day order still working on a later day: dayOrderExpiry", () => {
    const engine = new TradingSimulationEngine({ symbols: ["AAA"], dailyStopLoss: null })
    const { view, set } = tamper(engine)
    const monitor = new InvariantMonitor(view)
    monitor.check(engine.processMarketUpdate({ time: T0, AAA: 100 }))
    engine.submitOrder({ symbol: "AAA", side: "buy", type: "limit", limitPrice: 50, quantity: 1, timeInForce: "day" })
    monitor.check(engine.processMarketUpdate({ time: T0 + 60_000, AAA: 100 }))
    const working = engine.getOrders()
    engine.processMarketUpdate({ time: T0 + DAY, AAA: 100 })
    set("getOrders", () => working)
    set("getOpenOrders", () => working)
    expect(names(monitor.check(engine.processMarketUpdate({ time: T0 + DAY + 60_000, AAA: 100 })))).toEqual(["dayOrderExpiry"])
  })

  it("catches an opening fill past its check's cap, and one after a halt the same day: positionCap, haltedNoOpening", () => {
    const engine = new TradingSimulationEngine({ symbols: ["AAA"], dailyStopLoss: null, maxPositionSize: 1 })
    const { view, emit } = tamper(engine)
    const monitor = new InvariantMonitor(view)
    monitor.check(engine.processMarketUpdate({ time: T0, AAA: 100 }))
    const id = engine.submitOrder({ symbol: "AAA", side: "buy", type: "limit", limitPrice: 100, quantity: 1 })
    expect(monitor.check(engine.processMarketUpdate({ time: T0 + 60_000, AAA: 101 }))).toEqual([])
    // Made-up events, as a buggy engine would report them: a replace whose check allowed nothing, then a halt.
    emit({ type: "orderReplaced", order: engine.getOrder(id), check: { referencePrice: "100", equity: "0", maxPositionValue: "0" } })
    emit({ type: "simulationStatusChanged", from: "running", to: "halted", reason: "made up" })
    expect(names(monitor.check(engine.processMarketUpdate({ time: T0 + 120_000, AAA: 100 })))).toEqual(["haltedNoOpening", "positionCap"])
  })

  it("catches a halt that ends within its day: haltEndsOnNewDay", () => {
    const engine = new TradingSimulationEngine({ symbols: ["AAA"] })
    const { view, emit } = tamper(engine)
    const monitor = new InvariantMonitor(view)
    monitor.check(engine.processMarketUpdate({ time: T0, AAA: 100 }))
    emit({ type: "simulationStatusChanged", from: "running", to: "halted", reason: "made up" })
    monitor.check(engine.processMarketUpdate({ time: T0 + 60_000, AAA: 100 }))
    emit({ type: "simulationStatusChanged", from: "halted", to: "running", reason: null })
    expect(names(monitor.check(engine.processMarketUpdate({ time: T0 + 120_000, AAA: 100 })))).toEqual(["haltEndsOnNewDay"])
  })

  it("catches fills that reach listeners differently from the record, or close what they cannot: fillEvents, fillShape", () => {
    const engine = new TradingSimulationEngine({ symbols: ["AAA"], dailyStopLoss: null })
    const { view, set } = tamper(engine)
    const monitor = new InvariantMonitor(view)
    monitor.check(engine.processMarketUpdate({ AAA: 100 }))
    engine.submitOrder({ symbol: "AAA", side: "buy", type: "market", quantity: 1 })
    const update = engine.processMarketUpdate({ AAA: 100 })
    set("getFills", () => engine.getFills().map((f) => ({ ...f, closingQuantity: "1", openingQuantity: "0" })))
    expect(names(monitor.check(update))).toEqual(["fillEvents", "fillShape"])
  })
})
