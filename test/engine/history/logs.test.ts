import fc from "fast-check"
import { describe, expect, it } from "vitest"
import type { Fill } from "../../../src/domain/fill.ts"
import { orderIdFromSeq, tradeIdFromSeq } from "../../../src/domain/ids.ts"
import type { Trade } from "../../../src/domain/trade.ts"
import { FillLog } from "../../../src/engine/history/fill-log.ts"
import { TradeLog } from "../../../src/engine/history/trade-log.ts"

const numeral = fc.oneof(
  fc.double({ min: -1e6, max: 1e6, noNaN: true }).map((x) => String(Math.round(x * 1e4) / 1e4)),
  fc.constantFrom("0", "100", "12.5", "1e-7", "1.50", "-0", "123456789012345678.5")
)
const time = fc.option(fc.integer({ min: 0, max: 4e12 }))

const engineFill = fc.record({
  orderId: fc.nat({ max: 2_000_000 }).map(orderIdFromSeq),
  symbol: fc.constantFrom("ORCL", "AAPL", "MSFT"),
  side: fc.constantFrom("buy" as const, "sell" as const),
  quantity: numeral,
  price: numeral,
  marketPrice: numeral,
  commission: numeral,
  closingQuantity: numeral,
  openingQuantity: numeral,
  time,
  updateIndex: fc.nat()
}) as fc.Arbitrary<Fill>

const engineTrade = fc.record({
  id: fc.nat({ max: 2_000_000 }).map(tradeIdFromSeq),
  symbol: fc.constantFrom("ORCL", "AAPL"),
  direction: fc.constantFrom("long" as const, "short" as const),
  open: fc.constant(false),
  entryTime: time,
  exitTime: time,
  quantity: numeral,
  entryPrice: numeral,
  exitPrice: fc.option(numeral),
  grossPnl: numeral,
  commission: numeral,
  netPnl: numeral
}) as fc.Arbitrary<Trade>

/** A record as a hand-made snapshot may hold it: keys moved, one dropped or added, a field of another type, an id of another form. */
const handMade = <T extends object>(records: fc.Arbitrary<T>) =>
  fc.tuple(records, fc.nat({ max: 5 }), fc.anything()).map(([r, how, value]) => {
    const entries = Object.entries(r)
    if (how === 0) return Object.fromEntries(entries.reverse())
    if (how === 1) return Object.fromEntries(entries.slice(1))
    if (how === 2) return { ...r, extra: value }
    if (how === 3) return { ...r, [entries[2]![0]]: value }
    if (how === 4) return { ...r, [entries[0]![0]]: "O-0000001" }
    return r
  }) as fc.Arbitrary<T>

describe.each([
  { name: "fill log", Log: FillLog, record: engineFill },
  { name: "trade log", Log: TradeLog, record: engineTrade }
] as const)("the $name", ({ Log, record }) => {
  it("gives back every record the engine made, field for field and in key order, from its columns", () => {
    fc.assert(
      fc.property(fc.array(record as fc.Arbitrary<never>, { maxLength: 400 }), (records) => {
        const log = new Log()
        for (const r of records) log.push(r)
        const restored = new Log()
        for (const r of records) restored.add(r)
        expect(restored.keptCount).toBe(0)
        expect(restored.slice()).toEqual(log.slice())
        expect(log.slice().map((r) => JSON.stringify(r))).toEqual(records.map((r) => JSON.stringify(r)))
        expect(log.slice(Math.floor(records.length / 2))).toEqual(records.slice(Math.floor(records.length / 2)))
        expect(log.keptCount).toBe(0)
        if (records.length > 0) expect(Object.isFrozen(log.at(0))).toBe(true)
      }),
      { numRuns: 60 }
    )
  })

  it("gives back a restored record exactly, in the columns when they can hold it and as it was given when they cannot", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(record, handMade(record as fc.Arbitrary<object>)) as fc.Arbitrary<never>, { maxLength: 200 }), (records) => {
        const log = new Log()
        for (const r of records) log.add(r)
        records.forEach((r, row) => {
          const back = log.at(row)
          // Either its columns wrote the same JSON, or it is the very object restored.
          if (back !== r) expect(JSON.stringify(back)).toBe(JSON.stringify(r))
        })
      }),
      { numRuns: 100 }
    )
  })

  it("keeps a record that is no object (null, undefined, a number) as it was given", () => {
    const log = new Log()
    const odd = [null, undefined, 7, "text", []]
    for (const r of odd) log.add(r as never)
    expect(log.slice()).toEqual(odd)
    expect(log.keptCount).toBe(odd.length)
  })

  it("keeps a record JSON cannot write as it was given", () => {
    const log = new Log()
    const cyclic: Record<string, unknown> = {}
    cyclic["self"] = cyclic
    log.add(cyclic as never)
    expect(log.at(0)).toBe(cyclic)
    expect(log.keptCount).toBe(1)
  })
})
