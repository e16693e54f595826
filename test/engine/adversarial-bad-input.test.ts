/**
 * Hostile input against every command: a call either succeeds, or throws one of the engine's
 * tagged errors and leaves the whole simulation as it was (its snapshot, byte for byte).
 * README "Errors": "Bad input never changes anything. It throws a tagged error … that names the
 * field, the rule and the value".
 */
import { fc, test } from "@fast-check/vitest"
import { describe, expect, it } from "vitest"
import {
  DuplicateClientOrderIdError,
  IllegalOrderTransitionError,
  SimulationStateError,
  type TradingSimulationEngine,
  UnknownOrderError,
  ValidationError
} from "../../src/index.ts"
import { bar, buy, engineOn, frictionless, MONDAY, sell } from "./fixtures.ts"

const engine = engineOn(frictionless(["ACME", "BETA"], { enableShorting: true, volumeParticipation: 0.5, instruments: { BETA: { tickSize: "0.05", lotSize: 5 } } }))

const weird = fc.constantFrom<unknown>(
  undefined,
  null,
  0,
  -1,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  1e16,
  1e-30,
  "",
  " 1",
  "1e400",
  "0x10",
  "abc",
  "-0",
  -0,
  [],
  {},
  [1],
  true,
  "ACME",
  "buy",
  "limit",
  "trailingStop",
  "gtd",
  "2024-01-01T15:00:00Z",
  new Date(Number.NaN),
  10n,
  Symbol("s"),
  "1".repeat(60),
  "0.0000000000000000000000000000000000000000001"
)
const maybe = <T>(good: fc.Arbitrary<T>) => fc.oneof({ weight: 3, arbitrary: good }, { weight: 1, arbitrary: weird })

const orderArb = fc.record(
  {
    symbol: maybe(fc.constantFrom("ACME", "BETA")),
    side: maybe(fc.constantFrom("buy", "sell")),
    type: maybe(fc.constantFrom("market", "limit", "stop", "stopLimit", "trailingStop")),
    quantity: maybe(fc.constantFrom(1, 5, 10, "2.5")),
    limitPrice: maybe(fc.constantFrom(99, 100, "100.05", 101)),
    stopPrice: maybe(fc.constantFrom(95, 105, "100.10")),
    trailAmount: maybe(fc.constantFrom(1, 2)),
    trailPercent: maybe(fc.constantFrom(1, 50, 100)),
    trailReference: maybe(fc.constantFrom(100, 50)),
    timeInForce: maybe(fc.constantFrom("day", "gtc", "ioc", "fok", "gtd", "opg", "cls")),
    expireAt: maybe(fc.constantFrom(MONDAY + 3_600_000, "2024-01-02T00:00:00Z")),
    clientOrderId: maybe(fc.constantFrom("a", "b", "O-000001"))
  },
  { requiredKeys: [] }
)
const replaceArb = fc.record(
  { quantity: maybe(fc.constantFrom(1, 20, "7.5")), limitPrice: maybe(fc.constantFrom(98, "100.05")), stopPrice: maybe(fc.constantFrom(90, 110)), trailAmount: maybe(fc.constantFrom(3)) },
  { requiredKeys: [] }
)
const barArb = fc.record(
  {
    open: maybe(fc.constantFrom(100, 101)),
    high: maybe(fc.constantFrom(103, 99)),
    low: maybe(fc.constantFrom(97, 102)),
    close: maybe(fc.constantFrom(100, 98)),
    volume: maybe(fc.constantFrom(10, 0, 3.5))
  },
  { requiredKeys: [] }
)
const updateArb = fc.oneof(
  fc.record({ time: maybe(fc.constantFrom(MONDAY, MONDAY + 60_000)), bars: fc.dictionary(maybe(fc.constantFrom("ACME", "BETA")) as fc.Arbitrary<string>, barArb as fc.Arbitrary<unknown>, { maxKeys: 2 }) }, { requiredKeys: ["bars"] }),
  fc.record({ quotes: fc.record({ ACME: fc.record({ bid: maybe(fc.constantFrom(99, 100.5)), ask: maybe(fc.constantFrom(100, 101)) }, { requiredKeys: [] }) }, { requiredKeys: [] }) }),
  fc.dictionary(maybe(fc.constantFrom("ACME", "BETA")) as fc.Arbitrary<string>, maybe(fc.constantFrom(100, 95)), { maxKeys: 2 })
)
const listArb = fc.oneof(
  fc.record({ kind: maybe(fc.constant("oco")), orders: fc.array(orderArb, { maxLength: 3 }) }, { requiredKeys: [] }),
  fc.record({ kind: maybe(fc.constantFrom("bracket", "oto")), entry: orderArb, takeProfit: maybe(fc.record({ limitPrice: maybe(fc.constant(110)), type: maybe(fc.constant("limit")) }, { requiredKeys: [] })), stopLoss: maybe(fc.record({ stopPrice: maybe(fc.constant(90)), type: maybe(fc.constantFrom("stop", "trailingStop")), trailAmount: maybe(fc.constant(2)) }, { requiredKeys: [] })) }, { requiredKeys: [] })
)
const commandArb = fc.oneof(
  fc.record({ kind: fc.constant("submit" as const), order: orderArb }),
  fc.record({ kind: fc.constant("list" as const), list: listArb }),
  fc.record({ kind: fc.constant("replace" as const), target: fc.nat(5), changes: replaceArb }),
  fc.record({ kind: fc.constant("cancel" as const), target: fc.nat(5), reason: fc.option(weird, { nil: undefined }) }),
  fc.record({ kind: fc.constant("update" as const), update: updateArb })
)

const TYPED = [ValidationError, UnknownOrderError, IllegalOrderTransitionError, SimulationStateError, DuplicateClientOrderIdError]

/** A started engine with a long position and working orders of several kinds, so that commands have something to act on. */
const seeded = (): TradingSimulationEngine => {
  const e = engine()
  e.processMarketUpdate({ time: MONDAY, bars: { ACME: bar(100, 101, 99, 100, 100), BETA: bar(100, 101, 99, 100, 100) } })
  e.submitOrder(buy("ACME", 10))
  e.submitOrder(sell("BETA", 5, { type: "limit", limitPrice: 120 }))
  e.submitOrderList({ kind: "bracket", entry: buy("ACME", 4, { type: "limit", limitPrice: 90 }), takeProfit: { limitPrice: 110 }, stopLoss: { type: "trailingStop", trailAmount: 3 } })
  e.processMarketUpdate({ time: MONDAY + 1000, bars: { ACME: bar(100, 101, 99, 100, 100), BETA: bar(100, 101, 99, 100, 100) } })
  return e
}

describe("every refused call is a typed error and changes nothing", () => {
  test.prop([fc.array(commandArb, { minLength: 1, maxLength: 12 })], { numRuns: 150 })("random commands, half of them hostile", (commands) => {
    const e = seeded()
    for (const command of commands) {
      const before = JSON.stringify(e.snapshot())
      const ids = e.getOrders().map((o) => o.id)
      try {
        if (command.kind === "submit") e.submitOrder(command.order as never)
        else if (command.kind === "list") e.submitOrderList(command.list as never)
        else if (command.kind === "replace") e.replaceOrder((ids[command.target % ids.length] ?? "O-999") as never, command.changes as never)
        else if (command.kind === "cancel") e.cancelOrder((ids[command.target % ids.length] ?? "O-999") as never, command.reason as never)
        else e.processMarketUpdate(command.update as never)
      } catch (thrown) {
        expect(
          TYPED.some((T) => thrown instanceof T),
          `${command.kind} threw an untyped ${String(thrown)}`
        ).toBe(true)
        expect(JSON.stringify(e.snapshot()), `${command.kind} was refused but changed the engine`).toBe(before)
        // (An empty symbol key names no field: its own test below.)
        if (thrown instanceof ValidationError) expect(thrown.issues.filter((i) => i.value !== "").every((i) => i.field.length > 0 && i.rule.length > 0)).toBe(true)
      }
    }
  })
})

describe("an empty symbol key", () => {
  // Found by the property above (shrunk to this one update). README, Errors: a ValidationError
  // "names the field, the rule and the value"; the issue for an empty key names no field at all
  // ("" for prices, "bars." for bars), where an unreadable part is named "(update)".
  it("is refused naming a field, not the empty string", () => {
    const e = seeded()
    const fields = (update: unknown): string[] => {
      try {
        e.processMarketUpdate(update as never)
      } catch (thrown) {
        if (thrown instanceof ValidationError) return thrown.issues.map((i) => i.field)
        throw thrown
      }
      return ["accepted"]
    }
    for (const field of [...fields({ "": 100 }), ...fields({ bars: { "": bar(1, 1, 1, 1) } })]) {
      expect(field).not.toBe("")
      expect(field.endsWith(".")).toBe(false)
    }
  })
})
