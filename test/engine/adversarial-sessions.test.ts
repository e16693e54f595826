/**
 * Random runs on the New York calendar (pre-market, the 15:59 close bar, after hours, weekends)
 * with every time in force, order type and list, partial fills and quotes, which the project's
 * scenario generator (no calendar) does not reach. Checked: the portfolio adds up exactly after
 * every update; no order fills more than its quantity; nothing trades outside a session; and a
 * restore from a JSON snapshot at a random step ends byte-identical to the uninterrupted run.
 */
import { fc, test } from "@fast-check/vitest"
import { describe, expect, it } from "vitest"
import {
  Decimal,
  DuplicateClientOrderIdError,
  IllegalOrderTransitionError,
  type OrderListRequest,
  type OrderRequest,
  type SimulationConfigInput,
  SimulationStateError,
  TradingSimulationEngine,
  UnknownOrderError,
  ValidationError
} from "../../src/index.ts"

/** Monday 2024-01-08, 13:00 UTC: 08:00 in New York, before the open. */
const START = Date.UTC(2024, 0, 8, 13, 0)
const MIN = 60_000

type Move = "minute" | "halfHour" | "toClose" | "afterHours" | "nextMorning" | "nextOpen" | "weekend"
const nextTime = (t: number, move: Move): number => {
  const day = Math.floor(t / 86_400_000) * 86_400_000
  switch (move) {
    case "minute":
      return t + MIN
    case "halfHour":
      return t + 30 * MIN
    case "toClose":
      return Math.max(t + MIN, day + (20 * 60 + 59) * MIN) // 15:59 New York (winter)
    case "afterHours":
      return Math.max(t + MIN, day + 22 * 60 * MIN)
    case "nextMorning":
      return day + 86_400_000 + 13 * 60 * MIN
    case "nextOpen":
      return day + 86_400_000 + (14 * 60 + 30) * MIN
    case "weekend":
      return day + 3 * 86_400_000 + (14 * 60 + 30) * MIN
  }
}

interface Update {
  readonly move: Move
  readonly shape: "bar" | "tick" | "quote"
  readonly open: number
  readonly up: number
  readonly down: number
  readonly close: number
  readonly volume: number | null
}
const updateArb: fc.Arbitrary<Update> = fc.record({
  move: fc.constantFrom<Move>("minute", "minute", "halfHour", "toClose", "afterHours", "nextMorning", "nextOpen", "weekend"),
  shape: fc.constantFrom("bar" as const, "bar" as const, "tick" as const, "quote" as const),
  open: fc.integer({ min: 95, max: 105 }),
  up: fc.nat(3),
  down: fc.nat(3),
  close: fc.integer({ min: 95, max: 105 }),
  volume: fc.option(fc.constantFrom(10, 40, 200), { nil: null })
})

const tifs = ["day", "gtc", "ioc", "fok", "gtd", "opg", "cls"] as const
interface Command {
  readonly kind: "submit" | "bracket" | "oco" | "cancel"
  readonly side: "buy" | "sell"
  readonly type: "market" | "limit" | "stop" | "stopLimit" | "trailingStop"
  readonly offset: number
  readonly quantity: number
  readonly tif: (typeof tifs)[number]
  readonly pick: number
}
const commandArb: fc.Arbitrary<Command> = fc.record({
  kind: fc.constantFrom("submit" as const, "submit" as const, "bracket" as const, "oco" as const, "cancel" as const),
  side: fc.constantFrom("buy" as const, "sell" as const),
  type: fc.constantFrom("market" as const, "limit" as const, "stop" as const, "stopLimit" as const, "trailingStop" as const),
  offset: fc.integer({ min: -4, max: 4 }),
  quantity: fc.integer({ min: 1, max: 30 }),
  tif: fc.constantFrom(...tifs),
  pick: fc.nat()
})
const stepArb = fc.record({ commands: fc.array(commandArb, { maxLength: 2 }), update: updateArb })
const configArb: fc.Arbitrary<SimulationConfigInput> = fc.record({
  volumeParticipation: fc.constantFrom(undefined, 0.25),
  ocoOnPartialFill: fc.constantFrom("cancel" as const, "reduce" as const),
  dailyStopLoss: fc.constantFrom(null, 0.01),
  commissionRate: fc.constantFrom(0, 0.001),
  minimumCommission: fc.constantFrom(0, 1)
})

const TYPED = [ValidationError, UnknownOrderError, IllegalOrderTransitionError, SimulationStateError, DuplicateClientOrderIdError]

const orderOf = (c: Command, mark: number, timeNow: number): OrderRequest => {
  // opg and cls take no stops; gtd needs an expiry.
  const type = (c.tif === "opg" || c.tif === "cls") && c.type !== "market" && c.type !== "limit" ? "limit" : c.type
  const away = c.side === "buy" ? 1 : -1
  const base = { symbol: "ACME", side: c.side, quantity: c.quantity, timeInForce: c.tif, ...(c.tif === "gtd" ? { expireAt: timeNow + 45 * MIN } : {}) } as const
  switch (type) {
    case "market":
      return { ...base, type }
    case "limit":
      return { ...base, type, limitPrice: mark + c.offset }
    case "stop":
      return { ...base, type, stopPrice: mark + away * (Math.abs(c.offset) + 1) }
    case "stopLimit":
      return { ...base, type, stopPrice: mark + away * (Math.abs(c.offset) + 1), limitPrice: mark + away * (Math.abs(c.offset) + 1) + c.offset }
    case "trailingStop":
      return { ...base, type, trailAmount: Math.abs(c.offset) + 1 }
  }
}

interface Step {
  readonly commands: ReadonlyArray<Command>
  readonly update: Update
}
const run = (config: SimulationConfigInput, steps: ReadonlyArray<Step>, cut: number | null) => {
  const fullConfig: SimulationConfigInput = { symbols: ["ACME"], calendar: "XNYS", initialCapital: "100000", maxPositionSize: 1, slippageRate: 0, enableShorting: true, ...config }
  let e = new TradingSimulationEngine(fullConfig)
  let t = START
  let mark = 100
  e.processMarketUpdate({ time: t, prices: { ACME: mark } })
  steps.forEach((step, s) => {
    if (s === cut) e = TradingSimulationEngine.fromSnapshot(JSON.parse(JSON.stringify(e.snapshot())))
    for (const c of step.commands) {
      try {
        if (c.kind === "submit") e.submitOrder(orderOf(c, mark, t))
        else if (c.kind === "oco") {
          const first = orderOf({ ...c, type: "limit", tif: "gtc" }, mark, t)
          const second = orderOf({ ...c, type: "stop", tif: "gtc" }, mark, t)
          e.submitOrderList({ kind: "oco", orders: [{ ...first, limitPrice: mark - (c.side === "buy" ? 2 : -2) }, second] })
        } else if (c.kind === "bracket") {
          const entry = orderOf({ ...c, tif: c.tif === "opg" || c.tif === "cls" ? c.tif : "day" }, mark, t)
          const up = c.side === "buy" ? 1 : -1
          const list: OrderListRequest = { kind: "bracket", entry, takeProfit: { limitPrice: mark + up * 5 }, stopLoss: c.offset % 2 === 0 ? { stopPrice: mark - up * 5 } : { type: "trailingStop", trailAmount: 3 } }
          e.submitOrderList(list)
        } else {
          const open = e.getOpenOrders()
          if (open.length > 0) e.cancelOrder(open[c.pick % open.length]!.id)
        }
      } catch (thrown) {
        if (!TYPED.some((T) => thrown instanceof T)) throw thrown
      }
    }
    const u = step.update
    t = nextTime(t, u.move)
    const high = Math.max(u.open, u.close) + u.up
    const low = Math.min(u.open, u.close) - u.down
    const before = e.getFills().length
    const result =
      u.shape === "bar"
        ? e.processMarketUpdate({ time: t, bars: { ACME: { open: u.open, high, low, close: u.close, ...(u.volume === null ? {} : { volume: u.volume }) } } })
        : u.shape === "tick"
          ? e.processMarketUpdate({ time: t, prices: { ACME: u.close } })
          : e.processMarketUpdate({ time: t, quotes: { ACME: { bid: u.close - 1, ask: u.close + 1 } } })
    mark = u.close
    if (result.session?.inSession === false) expect(e.getFills().length, `a fill outside the session at ${new Date(t).toISOString()}`).toBe(before)
    // The portfolio adds up exactly.
    const p = e.getPortfolio()
    const held = p.positions.reduce((sum, pos) => sum.plus(new Decimal(pos.quantity).times(pos.marketPrice)), new Decimal(0))
    expect(p.totalValue.toString(), `step ${s}`).toBe(p.cash.plus(held).toString())
    for (const o of e.getOrders()) expect(new Decimal(o.filledQuantity).lessThanOrEqualTo(o.quantity), o.id).toBe(true)
  })
  return e
}

describe("random runs on the New York calendar", () => {
  test.prop([configArb, fc.array(stepArb, { minLength: 1, maxLength: 30 }), fc.nat()], { numRuns: 120 })(
    "invariants hold after every update, and a mid-run restore ends byte-identical",
    (config, steps, at) => {
      const whole = JSON.stringify(run(config, steps, null).snapshot())
      expect(JSON.stringify(run(config, steps, at % steps.length).snapshot())).toBe(whole)
    }
  )
})

it("the runs are not vacuous: a fixed-seed sample fills day, gtc, opg, cls and bracket children, and expires day and gtd orders", () => {
  const seen = new Set<string>()
  for (const [config, steps] of fc.sample(fc.tuple(configArb, fc.array(stepArb, { minLength: 1, maxLength: 30 })), { seed: 20261201, numRuns: 60 })) {
    for (const o of run(config, steps, null).getOrders()) {
      if (o.status === "filled") seen.add(`${o.timeInForce} filled`)
      if (o.status === "expired") seen.add(`${o.timeInForce} expired`)
      if (o.status === "filled" && o.orderList !== null && o.orderList.role !== "entry") seen.add(`${o.orderList.kind} child filled`)
    }
  }
  for (const wanted of ["day filled", "gtc filled", "opg filled", "cls filled", "bracket child filled", "day expired", "gtd expired"]) expect([...seen]).toContain(wanted)
})
