/**
 * Session 10 adversarial review of ExecutionModelError (src/engine/checked-models.ts): a fill,
 * slippage or fee model of the caller's that throws or returns a bad value must refuse the order
 * it was pricing or matching before any of its fill applies, and the update must go on. Attacks:
 * throwing inside an OCO group's matching, during `partialFillCash: "resize"` bisection, on a
 * fok order; values that pass the check once and change when read
 * again; Decimals that are not the engine's own; models that change the order they are given.
 */
import { Decimal as DecimalJs } from "decimal.js"
import { describe, expect, it } from "vitest"
import { barFillModel, Decimal, TradingSimulationEngine } from "../../src/index.ts"
import type { EngineOptions, FeeModel, FillModel, SlippageModel } from "../../src/index.ts"
import { bar, buy, engineOn, flat, frictionless, sell } from "./fixtures.ts"

const engineWith = engineOn(frictionless(["ACME", "BETA"]))

/** The whole state as bytes, and one restored from it: a run must survive its own snapshot. */
const bytes = (e: TradingSimulationEngine): string => JSON.stringify(e.snapshot())
const restoresSame = (e: TradingSimulationEngine, options: EngineOptions = {}): void => {
  const s = bytes(e)
  expect(bytes(TradingSimulationEngine.fromSnapshot(JSON.parse(s), options))).toBe(s)
}

/** cash = initial − Σ signed notionals − Σ commissions: the ledger agrees with the fills it recorded. */
const cashFromFills = (e: TradingSimulationEngine, initial: string): string =>
  e
    .getFills()
    .reduce((c, f) => {
      const notional = new Decimal(f.price).times(f.quantity)
      return (f.side === "buy" ? c.minus(notional) : c.plus(notional)).minus(f.commission)
    }, new Decimal(initial))
    .toString()

describe("a model that fails inside an update refuses its order, with nothing of it applied", () => {
  it("a fee model that throws during partialFillCash resize's bisection: refused (feeModel), its earlier chunk stands, nothing of this one applies", () => {
    // Throws for any quantity but the whole order (its check) or a whole chunk of 5: only bisection asks for others.
    const fees: FeeModel = {
      commission: (fill, order) => {
        if (order.spec.symbol === "ACME" && !fill.quantity.equals(5) && !fill.quantity.equals(10)) throw new Error("no quote for a part")
        return new Decimal(0)
      }
    }
    const e = engineWith({ initialCapital: "1500", partialFillCash: "resize", volumeParticipation: 0.1 }, { feeModel: fees })
    e.processMarketUpdate({ ACME: 40, BETA: 10 })
    e.submitOrder(buy("BETA", 100))
    e.processMarketUpdate({ ACME: 40, BETA: 10 })
    // 5 of 10 at 40 (volume 50), then a gap to 100: the second chunk (500) is short of the 300 cash, so resize bisects.
    const id = e.submitOrder(buy("ACME", 10))
    e.processMarketUpdate({ bars: { ACME: flat(40, 50), BETA: flat(10) } })
    expect(e.getOrder(id).filledQuantity).toBe("5")
    const before = JSON.stringify(e.snapshot().ledger)
    const beta = e.submitOrder(sell("BETA", 10))
    e.processMarketUpdate({ bars: { ACME: flat(100, 50), BETA: flat(10) } })
    expect(e.getOrder(id)).toMatchObject({ status: "rejected", rejectionCode: "feeModel", filledQuantity: "5" })
    expect(e.getOrder(beta).status).toBe("filled")
    expect(e.positionOf("ACME").toString()).toBe("5")
    // The ledger moved by BETA's sale only.
    const after = JSON.parse(JSON.stringify(e.snapshot().ledger)) as { cash: string }
    expect(new Decimal(after.cash).minus((JSON.parse(before) as { cash: string }).cash).toString()).toBe("100")
    expect(e.getPortfolio().cash.toString()).toBe(cashFromFills(e, "1500"))
    restoresSame(e, { feeModel: fees })
  })

  it("a fill model that throws for one OCO member while the group is put in path order: that member refused, its sibling cancelled, the other symbol fills", () => {
    const fills: FillModel = {
      match: (order, quote) => {
        if (order.spec.type === "stop" && order.spec.symbol === "ACME") throw new Error("no stop feed")
        return barFillModel.match(order, quote)
      }
    }
    const e = engineWith({}, { fillModel: fills })
    e.processMarketUpdate({ ACME: 100, BETA: 50 })
    e.submitOrder(buy("ACME", 10))
    e.processMarketUpdate({ ACME: 100, BETA: 50 })
    const { orderIds } = e.submitOrderList({
      kind: "oco",
      orders: [
        { symbol: "ACME", side: "sell", type: "limit", limitPrice: 110, quantity: 10 },
        { symbol: "ACME", side: "sell", type: "stop", stopPrice: 90, quantity: 10 }
      ]
    })
    const beta = e.submitOrder(buy("BETA", 10))
    e.processMarketUpdate({ bars: { ACME: bar(100, 115, 85, 100), BETA: flat(50) } })
    const [limit, stop] = orderIds.map((id) => e.getOrder(id))
    expect(stop).toMatchObject({ status: "rejected", rejectionCode: "fillModel" })
    expect(limit!.status).toBe("cancelled")
    expect(e.getOrder(beta).status).toBe("filled")
    expect(e.positionOf("ACME").toString()).toBe("10")
    restoresSame(e, { fillModel: fills })
  })

  it("fok: a slippage model that throws refuses it whole, before any chunk trades", () => {
    const slip: SlippageModel = {
      adjust: (price, order) => {
        if (order.spec.timeInForce === "fok") throw new Error("no price")
        return price
      }
    }
    const e = engineWith({}, { slippageModel: slip })
    e.processMarketUpdate({ ACME: 100, BETA: 50 })
    const fok = e.submitOrder(buy("ACME", 10, { timeInForce: "fok" }))
    e.submitOrder(buy("BETA", 10))
    e.processMarketUpdate({ ACME: 100, BETA: 50 })
    expect(e.getOrder(fok)).toMatchObject({ status: "rejected", rejectionCode: "slippageModel", filledQuantity: "0" })
    expect(e.getFills().map((f) => f.symbol)).toEqual(["BETA"])
    restoresSame(e, { slippageModel: slip })
  })
})

/** A fill model that misbehaves only for ACME, so BETA shows whether the update went on. */
const acmeOnly = (bad: (good: ReturnType<FillModel["match"]>) => unknown): FillModel => ({
  match: (order, quote) => {
    const r = barFillModel.match(order, quote)
    return (order.spec.symbol === "ACME" && r.fill !== null ? bad(r) : r) as ReturnType<FillModel["match"]>
  }
})

/** Submits ACME and BETA buys and runs one update; what it threw, if anything. */
const runBoth = (options: EngineOptions) => {
  const e = engineWith({}, options)
  e.processMarketUpdate({ ACME: 100, BETA: 50 })
  const acme = e.submitOrder(buy("ACME", 10))
  const beta = e.submitOrder(buy("BETA", 10))
  let thrown: unknown = null
  try {
    e.processMarketUpdate({ ACME: 100, BETA: 50 })
  } catch (error) {
    thrown = error
  }
  return { e, acme, beta, thrown }
}

/** A getter that answers `first` once, then `later`: it passes the check, then the engine reads it again. */
const once = <T>(first: T, later: unknown): (() => T) => {
  let reads = 0
  return () => (reads++ === 0 ? first : later) as T
}

describe("values a model's getters would change after the check", () => {
  // Found by the session 10 adversarial review: the engine checked the match the model returned and handed the same object
  // on, so a getter read again gave another value and the update threw half applied. A model's return is now read once,
  // into values of the engine's own: what was checked is what trades.
  it("a match whose fill.price getter answers a price once and undefined after: the fill is at the price read, the update goes on", () => {
    const model = acmeOnly((r) => {
      const price = once(r.fill!.price, undefined)
      return { triggered: r.triggered, fill: { get price() { return price() }, quantity: r.fill!.quantity } }
    })
    const { e, acme, beta, thrown } = runBoth({ fillModel: model })
    expect(thrown).toBeNull()
    expect(e.getOrder(acme).status).toBe("filled")
    expect(e.getOrder(beta).status).toBe("filled")
    expect(e.getPortfolio().cash.toString()).toBe(cashFromFills(e, "100000"))
  })

  it("a match whose fill getter answers a fill once and undefined after: the fill read is the one that trades", () => {
    const model = acmeOnly((r) => {
      const fill = once(r.fill, undefined)
      return { triggered: r.triggered, get fill() { return fill() } }
    })
    const { e, acme, beta, thrown } = runBoth({ fillModel: model })
    expect(thrown).toBeNull()
    expect(e.getOrder(acme).status).toBe("filled")
    expect(e.getOrder(beta).status).toBe("filled")
  })

  /** An object decimal.js's `isDecimal` takes for a Decimal (it reads `toStringTag`), with none of a Decimal's digits. */
  const lookalike = (text: string) => ({ toStringTag: "[object Decimal]", isFinite: () => true, isNegative: () => false, isZero: () => false, isPositive: () => true, toString: () => text })

  // Found by the session 10 adversarial review: such an object passed the price rule and the engine's arithmetic threw out of
  // processMarketUpdate, half applied. It is now taken by what it writes (as a Decimal of another decimal.js copy is), or refused.
  it("a slippage model returning an object that only says it is a Decimal: taken by what it writes when that is a decimal", () => {
    const { e, acme, beta, thrown } = runBoth({ slippageModel: { adjust: (p, o) => (o.spec.symbol === "ACME" ? lookalike("100") : p) as Decimal } })
    expect(thrown).toBeNull()
    expect(e.getOrder(acme)).toMatchObject({ status: "filled", averageFillPrice: "100" })
    expect(e.getOrder(beta).status).toBe("filled")
  })

  it.each([["slippageModel"], ["feeModel"]] as const)("%s returning an object that only says it is a Decimal, and writes no decimal: refused, the update goes on", (model) => {
    const bad = lookalike("[object Object]")
    const options = model === "slippageModel" ? { slippageModel: { adjust: (p: Decimal, o: { spec: { symbol: string } }) => (o.spec.symbol === "ACME" ? bad : p) as Decimal } } : { feeModel: { commission: (_f: unknown, o: { spec: { symbol: string } }) => (o.spec.symbol === "ACME" ? bad : new Decimal(0)) as Decimal } }
    const { e, acme, beta, thrown } = runBoth(options)
    expect(thrown).toBeNull()
    expect(e.getOrder(acme).rejectionCode).toBe(model)
    expect(e.getOrder(beta).status).toBe("filled")
  })

  it("a fill quantity getter that turns bad after the check: the quantity read trades (and the update goes on)", () => {
    const model = acmeOnly((r) => {
      const quantity = once(r.fill!.quantity, new Decimal(-5))
      return { triggered: r.triggered, fill: { price: r.fill!.price, get quantity() { return quantity() } } }
    })
    const { e, acme, beta, thrown } = runBoth({ fillModel: model })
    expect(thrown).toBeNull()
    expect(e.getOrder(acme).filledQuantity).toBe("10")
    expect(e.getOrder(beta).status).toBe("filled")
    expect(e.getPortfolio().cash.toString()).toBe(cashFromFills(e, "100000"))
  })
})

describe("a Decimal that is not the engine's own", () => {
  // Another decimal.js clone: 3 digits, exponent notation from 10 up (a library of the caller's with its own settings).
  const Other = DecimalJs.clone({ precision: 3, toExpPos: 1 })
  const slip: SlippageModel = { adjust: (price) => new Other(price.toString()) as unknown as Decimal }

  // Found by the session 10 adversarial review (fixed): the engine keeps the model's Decimal as it is, so its settings leak: the
  // fill's price and the position's average cost are written "1.00123e+2", and a run restored from a snapshot (which re-reads
  // them as the engine's own) is no longer byte-identical to the uninterrupted one.
  it("a slippage model returning another clone's Decimal: records are written in plain notation, and a restored run stays byte-identical", () => {
    const e = engineWith({}, { slippageModel: slip })
    e.processMarketUpdate({ ACME: 100.123 })
    e.submitOrder(buy("ACME", 7))
    e.processMarketUpdate({ ACME: 100.123 })
    expect(e.getFills()[0]!.price).toBe("100.123")
    const restored = TradingSimulationEngine.fromSnapshot(JSON.parse(bytes(e)), { slippageModel: slip })
    for (const run of [e, restored]) {
      run.submitOrder(sell("ACME", 3))
      run.processMarketUpdate({ ACME: 101.777 })
    }
    expect(bytes(restored)).toBe(bytes(e))
  })

  it("a slippage model returning another clone's Decimal: the ledger still equals the fills", () => {
    const e = engineWith({}, { slippageModel: slip })
    e.processMarketUpdate({ ACME: 100.123 })
    e.submitOrder(buy("ACME", 7))
    e.processMarketUpdate({ ACME: 100.123 })
    expect(e.getPortfolio().cash.toString()).toBe(cashFromFills(e, "100000"))
  })
})

describe("a model that changes the order it is given", () => {
  // Found by the session 10 adversarial review (fixed): models get the engine's own OrderEntry, whose spec is a plain mutable
  // object; a fill model that sets spec.quantity = "999" on a 10-share order gets a fill recorded as 999 while the
  // ledger moved 10 (cash ≠ Σ fills). Expected: the order handed to a model cannot be changed, or a change has no effect.
  it("a fill model that writes the order's spec.quantity: the fill records what the ledger applied", () => {
    const model: FillModel = {
      match: (order, quote) => {
        if (order.spec.symbol === "ACME") {
          try {
            ;(order.spec as { quantity: string }).quantity = "999"
          } catch {
            // A frozen spec is the right answer.
          }
        }
        return barFillModel.match(order, quote)
      }
    }
    const { e, acme } = runBoth({ fillModel: model })
    expect(e.getFills().find((f) => f.symbol === "ACME")?.quantity).toBe(e.getOrder(acme).filledQuantity)
    expect(e.getPortfolio().cash.toString()).toBe(cashFromFills(e, "100000"))
    expect(e.getOrder(acme).quantity).toBe("10")
  })
})
