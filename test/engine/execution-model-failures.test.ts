/**
 * Fill, slippage and fee models are the caller's code, called while a market update is applied.
 * One that throws, or returns what is not a price, a quantity or a commission, must not leave the
 * update half applied: the order it was pricing or matching is refused with an
 * ExecutionModelError's reason (its code names the model), and everything else in the update goes
 * on. Outside an update (replaceOrder) the error goes to the caller and the order stays as it was.
 */
import { describe, expect, it } from "vitest"
import { barFillModel, Decimal, ExecutionModelError, TradingSimulationEngine } from "../../src/index.ts"
import type { EngineOptions, FeeModel, FillModel, SlippageModel } from "../../src/index.ts"
import { buy, engineOn, frictionless } from "./fixtures.ts"

const engineWith = engineOn(frictionless(["ACME", "BETA"]))

/** A model that misbehaves only for orders of `symbol`, so the other symbol shows the update went on. */
const onlyFor = <T>(symbol: string, bad: T, good: T) => (order: { readonly spec: { readonly symbol: string } }) => (order.spec.symbol === symbol ? bad : good)

const fees = (bad: (() => unknown) | unknown): FeeModel => ({
  commission: (_fill, order) => onlyFor<() => unknown>("ACME", typeof bad === "function" ? (bad as () => unknown) : () => bad, () => new Decimal(1))(order)() as Decimal
})
const slippage = (bad: unknown): SlippageModel => ({
  adjust: (price, order) => (order.spec.symbol === "ACME" ? (typeof bad === "function" ? (bad as () => unknown)() : bad) : price) as Decimal
})
const fills = (bad: unknown): FillModel => ({
  match: (order, quote) => (order.spec.symbol === "ACME" ? (typeof bad === "function" ? (bad as () => unknown)() : bad) : barFillModel.match(order, quote)) as ReturnType<FillModel["match"]>
})

const boom = () => {
  throw new Error("model down")
}

const run = (options: EngineOptions) => {
  const e = engineWith({}, options)
  e.processMarketUpdate({ ACME: 100, BETA: 50 })
  const acme = e.submitOrder(buy("ACME", 10))
  const beta = e.submitOrder(buy("BETA", 10))
  e.processMarketUpdate({ ACME: 100, BETA: 50 })
  return { e, acme: e.getOrder(acme), beta: e.getOrder(beta) }
}

describe("a fill, slippage or fee model that throws inside a market update", () => {
  it.each([
    ["feeModel", { feeModel: fees(boom) }],
    ["slippageModel", { slippageModel: slippage(boom) }],
    ["fillModel", { fillModel: fills(boom) }]
  ] as const)("%s: the order it priced is refused with what it threw; the update is applied whole", (model, options) => {
    const { e, acme, beta } = run(options)
    expect(acme).toMatchObject({ status: "rejected", rejectionCode: model })
    expect(acme.reasons.join()).toContain("model down")
    expect(beta.status).toBe("filled")
    expect(e.positionOf("BETA").toString()).toBe("10")
    expect(e.positionOf("ACME").toString()).toBe("0")
    // The run goes on, and a snapshot restores to the same state.
    e.processMarketUpdate({ ACME: 101, BETA: 51 })
    expect(JSON.stringify(TradingSimulationEngine.fromSnapshot(JSON.parse(JSON.stringify(e.snapshot()))).snapshot())).toBe(JSON.stringify(e.snapshot()))
  })

  it("a fill model that throws for a working order (accepted on an earlier update) refuses it then, keeping its earlier fills", () => {
    let failing = false
    const model: FillModel = {
      match: (order, quote) => {
        if (failing && order.spec.symbol === "ACME") throw new Error("feed gone")
        const r = barFillModel.match(order, quote)
        // Half of what the bar offers, so the order keeps working.
        return r.fill === null ? r : { triggered: r.triggered, fill: { price: r.fill.price, quantity: new Decimal(5) } }
      }
    }
    const e = engineWith({}, { fillModel: model })
    e.processMarketUpdate({ ACME: 100, BETA: 50 })
    const id = e.submitOrder(buy("ACME", 20))
    e.processMarketUpdate({ ACME: 100, BETA: 50 })
    expect(e.getOrder(id)).toMatchObject({ status: "partiallyFilled", filledQuantity: "5" })
    failing = true
    e.processMarketUpdate({ ACME: 100, BETA: 50 })
    expect(e.getOrder(id)).toMatchObject({ status: "rejected", filledQuantity: "5", rejectionCode: "fillModel" })
    expect(e.positionOf("ACME").toString()).toBe("5")
  })
})

describe("a model that returns what is not a price, a quantity or a commission", () => {
  it.each([
    ["feeModel", { feeModel: fees(-1) }, "a Decimal"],
    ["feeModel", { feeModel: fees(new Decimal(-1)) }, "at least 0"],
    ["feeModel", { feeModel: fees(new Decimal(NaN)) }, "finite"],
    ["slippageModel", { slippageModel: slippage(undefined) }, "a Decimal"],
    ["slippageModel", { slippageModel: slippage(new Decimal(0)) }, "above 0"],
    ["slippageModel", { slippageModel: slippage(new Decimal(Infinity)) }, "finite"],
    ["fillModel", { fillModel: fills(null) }, "an object"],
    ["fillModel", { fillModel: fills({ triggered: "yes", fill: null }) }, "triggered"],
    ["fillModel", { fillModel: fills({ triggered: true, fill: { price: 100, quantity: new Decimal(1) } }) }, "fill.price"],
    ["fillModel", { fillModel: fills({ triggered: true, fill: { price: new Decimal(100), quantity: new Decimal(-3) } }) }, "fill.quantity"],
    ["fillModel", { fillModel: fills({ triggered: true, fill: { price: new Decimal(0), quantity: new Decimal(3) } }) }, "fill.price"]
  ] as const)("%s returning a bad value (%#): the order is refused naming what was wrong (%s)", (model, options, rule) => {
    const { e, acme, beta } = run(options as EngineOptions)
    expect(acme).toMatchObject({ status: "rejected", rejectionCode: model })
    expect(acme.reasons.join()).toContain(rule)
    expect(beta.status).toBe("filled")
    expect(e.getFills().map((f) => f.symbol)).toEqual(["BETA"])
  })
})

describe("outside an update", () => {
  it("replaceOrder: a fee model that throws is an ExecutionModelError to the caller, and the order stays as it was", () => {
    let failing = false
    const model: FeeModel = {
      commission: () => {
        if (failing) throw new Error("fees down")
        return new Decimal(0)
      }
    }
    const e = engineWith({}, { feeModel: model })
    e.processMarketUpdate({ ACME: 100, BETA: 50 })
    const id = e.submitOrder(buy("ACME", 10, { type: "limit", limitPrice: 90 }))
    e.processMarketUpdate({ ACME: 100, BETA: 50 })
    const before = JSON.stringify(e.snapshot())
    failing = true
    let thrown: unknown
    try {
      e.replaceOrder(id, { quantity: 20 })
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(ExecutionModelError)
    expect(thrown).toMatchObject({ _tag: "ExecutionModelError", model: "feeModel", orderId: id })
    expect((thrown as Error).message).toContain("fees down")
    expect(JSON.stringify(e.snapshot())).toBe(before)
  })
})
