/**
 * Session 10 adversarial review of the working totals (src/engine/working-totals.ts): OCO groups
 * and brackets' children count once, by their largest member. Random runs of OCO groups whose
 * members are on either side, brackets, plain orders, replaces (quantity up and down), cancels,
 * volume-capped partial fills (holds that become shares), `ocoOnPartialFill` either way: at every
 * update the buying power equals an independent computation from the snapshot, and a run
 * restored from a snapshot mid-way ends byte-identical to the uninterrupted one.
 */
import { fc, test } from "@fast-check/vitest"
import { describe, expect } from "vitest"
import { Decimal, TradingSimulationEngine, ValidationError, IllegalOrderTransitionError } from "../../src/index.ts"
import type { OrderRequest } from "../../src/index.ts"

const SYMBOLS = ["AAA", "BBB"] as const
const side = fc.constantFrom("buy" as const, "sell" as const)
const member = fc.record({ side, type: fc.constantFrom("limit" as const, "stop" as const), offset: fc.integer({ min: -15, max: 15 }) })
const command = fc.oneof(
  fc.record({ kind: fc.constant("single" as const), symbol: fc.nat({ max: 1 }), side, quantity: fc.integer({ min: 1, max: 30 }), offset: fc.integer({ min: -10, max: 10 }) }),
  fc.record({ kind: fc.constant("oco" as const), symbol: fc.nat({ max: 1 }), quantity: fc.integer({ min: 1, max: 30 }), members: fc.array(member, { minLength: 2, maxLength: 3 }) }),
  fc.record({ kind: fc.constant("bracket" as const), symbol: fc.nat({ max: 1 }), side, quantity: fc.integer({ min: 1, max: 30 }) }),
  fc.record({ kind: fc.constant("replace" as const), pick: fc.nat(), quantity: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant("cancel" as const), pick: fc.nat() })
)
const move = fc.record({ open: fc.integer({ min: -8, max: 8 }), up: fc.integer({ min: 0, max: 12 }), down: fc.integer({ min: 0, max: 12 }), volume: fc.integer({ min: 10, max: 200 }) })
const step = fc.record({ commands: fc.array(command, { maxLength: 3 }), moves: fc.tuple(move, move) })
const config = fc.record({
  ocoOnPartialFill: fc.constantFrom("cancel" as const, "reduce" as const),
  partialFillCash: fc.constantFrom("reject" as const, "resize" as const),
  commissionRate: fc.constantFrom(0, 0.001),
  slippageRate: fc.constantFrom(0, 0.0003)
})

type Snap = Record<string, any>

/** Cash less each working order's hold outside groups, and each group's largest: computed from the snapshot alone. */
const independentBuyingPower = (s: Snap): Decimal => {
  const byId = new Map<string, Snap>(s.orders.map((o: Snap) => [o.context.order.id, o]))
  let free = new Decimal(s.ledger.cash)
  const largest = new Map<string, Decimal>()
  for (const id of s.working as string[]) {
    const o = byId.get(id)!
    if (!["accepted", "partiallyFilled", "pendingReplace"].includes(o.status) && o.status !== "triggered") continue
    const reservation = new Decimal(o.reservation)
    if (reservation.isZero()) continue
    const remaining = new Decimal(o.context.order.quantity).minus(o.context.filledQuantity)
    const held = remaining.equals(o.reservedFor) ? reservation : reservation.times(remaining).dividedBy(o.reservedFor)
    const link = o.context.order.orderList
    if (link === null || link.role === "entry") free = free.minus(held)
    else if (!largest.has(link.id) || largest.get(link.id)!.lessThan(held)) largest.set(link.id, held)
  }
  for (const held of largest.values()) free = free.minus(held)
  return free
}

type Step = typeof step extends fc.Arbitrary<infer T> ? T : never

const play = (e: TradingSimulationEngine, steps: ReadonlyArray<Step>, from: number, to: number, prices: number[], onStep: (i: number) => void): void => {
  for (let i = from; i < to; i++) {
    const s = steps[i]!
    for (const c of s.commands) {
      try {
        if (c.kind === "single") {
          const p = prices[c.symbol]!
          e.submitOrder({ symbol: SYMBOLS[c.symbol]!, side: c.side, type: "limit", quantity: c.quantity, limitPrice: p + c.offset })
        } else if (c.kind === "oco") {
          const p = prices[c.symbol]!
          const orders = c.members.map((m): OrderRequest => {
            const price = Math.max(1, p + m.offset)
            return m.type === "limit"
              ? { symbol: SYMBOLS[c.symbol]!, side: m.side, type: "limit", quantity: c.quantity, limitPrice: price }
              : { symbol: SYMBOLS[c.symbol]!, side: m.side, type: "stop", quantity: c.quantity, stopPrice: price }
          })
          e.submitOrderList({ kind: "oco", orders })
        } else if (c.kind === "bracket") {
          const p = prices[c.symbol]!
          const up = c.side === "buy" ? 1 : -1
          e.submitOrderList({
            kind: "bracket",
            entry: { symbol: SYMBOLS[c.symbol]!, side: c.side, type: "market", quantity: c.quantity },
            takeProfit: { limitPrice: p + 5 * up },
            stopLoss: { stopPrice: p - 5 * up }
          })
        } else {
          const open = e.getOpenOrders()
          if (open.length === 0) continue
          const o = open[c.pick % open.length]!
          if (c.kind === "cancel") e.cancelOrder(o.id)
          else e.replaceOrder(o.id, { quantity: c.quantity })
        }
      } catch (error) {
        if (!(error instanceof ValidationError || error instanceof IllegalOrderTransitionError)) throw error
      }
    }
    const bars: Record<string, { open: number; high: number; low: number; close: number; volume: number }> = {}
    s.moves.forEach((m, k) => {
      const open = Math.max(20, prices[k]! + m.open)
      const high = open + m.up
      const low = Math.max(1, open - m.down)
      const close = Math.round((high + low) / 2)
      bars[SYMBOLS[k]!] = { open, high, low, close, volume: m.volume }
      prices[k] = close
    })
    e.processMarketUpdate({ bars })
    onStep(i)
  }
}

describe("fill groups counted once, by their largest member", () => {
  test.prop([config, fc.array(step, { minLength: 2, maxLength: 14 }), fc.nat()], { numRuns: 60 })(
    "buying power equals an independent computation at every update, and a run restored mid-way ends byte-identical",
    (cfg, steps, cut) => {
      const make = () =>
        new TradingSimulationEngine({ initialCapital: "20000", maxPositionSize: 1, dailyStopLoss: null, volumeParticipation: 0.1, symbols: [...SYMBOLS], ...cfg })
      const e = make()
      e.processMarketUpdate({ AAA: 100, BBB: 100 })
      const prices = [100, 100]
      const at = 1 + (cut % (steps.length - 1))
      let restored: TradingSimulationEngine | null = null
      let restoredPrices: number[] = []
      play(e, steps, 0, steps.length, prices, (i) => {
        const s = JSON.parse(JSON.stringify(e.snapshot())) as Snap
        // Shorts move buying power by their market value: the independent sum is for long-only accounts.
        if (!s.ledger.positions.some((p: Snap) => p.quantity.startsWith("-")))
          expect(e.getPortfolio().buyingPower.toString(), `update ${i}`).toBe(independentBuyingPower(s).toString())
        if (i === at - 1) {
          restored = TradingSimulationEngine.fromSnapshot(s as never)
          restoredPrices = [...prices]
        }
      })
      const r = restored as TradingSimulationEngine | null
      if (r === null) return
      play(r, steps, at, steps.length, restoredPrices, () => {})
      expect(JSON.stringify(r.snapshot())).toBe(JSON.stringify(e.snapshot()))
      expect(r.getPortfolio().buyingPower.toString()).toBe(e.getPortfolio().buyingPower.toString())
    }
  )
})
