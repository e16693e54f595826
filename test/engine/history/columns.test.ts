import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { Decimal, decimalString } from "../../../src/domain/decimal.ts"
import { orderIdFromSeq } from "../../../src/domain/ids.ts"
import { ChoiceColumn, DecimalColumn, NumberColumn, SequenceIdColumn, SparseColumn } from "../../../src/engine/history/columns.ts"

/** Pushes every value, then reads every one back. */
const roundTrip = <T>(column: { push(v: T): void; at(row: number): unknown }, values: ReadonlyArray<T>): unknown[] => {
  for (const v of values) column.push(v)
  return values.map((_, row) => column.at(row))
}

describe("history columns", () => {
  it("a decimal column gives back every string it was given, digit for digit (canonical numerals, nulls and anything else)", () => {
    const canonical = fc
      .tuple(fc.bigInt({ min: -(10n ** 32n), max: 10n ** 32n }), fc.integer({ min: -35, max: 35 }))
      .map(([digits, exponent]) => decimalString(new Decimal(digits.toString()).times(new Decimal(10).pow(exponent))))
    const near = fc.oneof(
      fc.constantFrom("-0", "0.0", "00", "01", ".5", "5.", "-", "", "1e-7", "1.5e+21", "+5", "1.50", "-0.0", "٣", "1..2", "0.000000000000001", "999999999999999", "9999999999999999", "1000000000000000", "100000000000000000000000000000", "0.100000000000000000000000000001"),
      fc.string(),
      fc.stringMatching(/^-?[0-9]{0,32}(\.[0-9]{0,32})?$/)
    )
    fc.assert(
      fc.property(fc.array(fc.oneof(canonical, near, fc.constant(null)), { maxLength: 600 }), (values) => {
        expect(roundTrip(new DecimalColumn(), values)).toEqual(values)
      }),
      { numRuns: 300 }
    )
  })

  it("decimal columns fed the same few strings in turn (as a fill's go to its order and its trade) each give back their own rows", () => {
    const pool = fc.array(fc.oneof(fc.constantFrom("0", "100", "-2.5", "1.50", "12.345678901234567", "-0", null), fc.stringMatching(/^-?[1-9][0-9]{0,20}(\.[0-9]{0,12}[1-9])?$/)), { minLength: 1, maxLength: 12 })
    fc.assert(
      fc.property(pool, fc.array(fc.tuple(fc.nat({ max: 2 }), fc.nat()), { maxLength: 400 }), (texts, pushes) => {
        const columns = [new DecimalColumn(), new DecimalColumn(), new DecimalColumn()]
        const given: Array<Array<string | null>> = [[], [], []]
        for (const [c, pick] of pushes) {
          // Now and then a copy of the text rather than the same string.
          const text = texts[pick % texts.length]!
          const value = pick % 5 === 0 && text !== null ? [...text].join("") : text
          columns[c]!.push(value)
          given[c]!.push(value)
        }
        columns.forEach((column, c) => expect(given[c]!.map((_, row) => column.at(row))).toEqual(given[c]))
      }),
      { numRuns: 200 }
    )
  })

  it("a decimal column keeps canonical numerals of up to 30 digits as numbers (so a long run holds no strings)", () => {
    const column = new DecimalColumn()
    const values = ["0", "12.5", "-0.0001", "123456789012345", "1234567.89012345", "-99.99", null, "1234567890123456", "-1000000000000000000", "0.00000000000000000000000000001", "101.23456789012345", "123456789012345678901234567890", "-0.1000000000000001"]
    expect(roundTrip(column, values)).toEqual(values)
    expect(column.textCount).toBe(0)
    const others = ["1234567890123456789012345678901", "1e-7", "-0", "1.50", "-0.0"]
    for (const text of others) column.push(text)
    expect(others.map((_, i) => column.at(values.length + i))).toEqual(others)
    expect(column.textCount).toBe(others.length)
  })

  it("a Decimal pushed as it is keeps what its string would: the same numeral back, as numbers or as text alike", () => {
    // Sums, products and quotients of the engine's Decimals (what a closed trade's figures are), and the edges of the form.
    const operand = fc
      .tuple(fc.bigInt({ min: -(10n ** 34n), max: 10n ** 34n }), fc.integer({ min: -40, max: 40 }))
      .map(([digits, exponent]) => new Decimal(digits.toString()).times(new Decimal(10).pow(exponent)))
    const decimal = fc.oneof(
      operand,
      fc.tuple(operand, operand).map(([a, b]) => a.plus(b)),
      fc.tuple(operand, operand).map(([a, b]) => a.times(b)),
      fc.tuple(operand, operand).filter(([, b]) => !b.isZero()).map(([a, b]) => a.dividedBy(b)),
      fc.constantFrom("0", "-0", "1e-30", "1e-31", "1e29", "1e30", "0.000000000000000000000000000001", "999999999999999999999999999999", "-999999999999999.999999999999999", "1234567", "1e7", "0.1e-6").map((t) => new Decimal(t)),
      fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => new Decimal(x))
    )
    fc.assert(
      fc.property(fc.array(decimal, { minLength: 1, maxLength: 300 }), (values) => {
        const pushed = new DecimalColumn()
        const written = new DecimalColumn()
        for (const d of values) {
          pushed.pushDecimal(d)
          written.push(decimalString(d))
        }
        expect(values.map((_, row) => pushed.at(row))).toEqual(values.map((d) => decimalString(d)))
        expect(pushed.textCount).toBe(written.textCount)
      }),
      { numRuns: 300 }
    )
  })

  it("number, choice, sparse and id columns give back what they were given, past their first growth", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.option(fc.double({ noNaN: true, noDefaultInfinity: true })), fc.option(fc.constantFrom("buy", "sell", "ORCL", "AAPL")), fc.option(fc.string()), fc.nat({ max: 10_000_000 }), fc.string()), {
          minLength: 250,
          maxLength: 700
        }),
        (rows) => {
          expect(roundTrip(new NumberColumn(), rows.map((r) => r[0]))).toEqual(rows.map((r) => r[0]))
          expect(roundTrip(new ChoiceColumn<string>(), rows.map((r) => r[1]))).toEqual(rows.map((r) => r[1]))
          expect(roundTrip(new SparseColumn<string>(), rows.map((r) => r[2]))).toEqual(rows.map((r) => r[2]))
          const ids = rows.map((r, i) => (i % 3 === 0 ? `O-${r[4]}` : i % 3 === 1 ? `O-0${r[3]}` : orderIdFromSeq(r[3])))
          expect(roundTrip(new SequenceIdColumn("O-", orderIdFromSeq), ids)).toEqual(ids)
        }
      ),
      { numRuns: 40 }
    )
  })

  it("every column gives back its values across its chunks (the first doubles up to 4,096 rows, then a chunk of 4,096 at a time)", () => {
    const n = 3 * 4096 + 17
    const numbers = Array.from({ length: n }, (_, i) => (i % 7 === 0 ? null : i * 1.5 - 1e12))
    const decimals = Array.from({ length: n }, (_, i) => (i % 11 === 0 ? null : i % 13 === 0 ? "1.50" : `${i % 2 === 0 ? "-" : ""}${i}.${(i % 9) + 1}`))
    const choices = Array.from({ length: n }, (_, i) => (i % 5 === 0 ? null : `c${i % 300}`))
    expect(roundTrip(new NumberColumn(), numbers)).toEqual(numbers)
    expect(roundTrip(new DecimalColumn(), decimals)).toEqual(decimals)
    expect(roundTrip(new ChoiceColumn<string>(), choices)).toEqual(choices)
  })

  it("a column gives back values set far apart, in chunks made only for them (the rest are empty)", () => {
    const n = 5 * 4096 + 3
    const far = new Set([0, 300, 4095, 4096, 9000, n - 1])
    const numbers = Array.from({ length: n }, (_, i) => (far.has(i) ? i + 0.25 : null))
    const decimals = Array.from({ length: n }, (_, i) => (far.has(i) ? `-${i}.5` : i % 2 === 0 ? "0" : null))
    const choices = Array.from({ length: n }, (_, i) => (far.has(i) ? "sell" : null))
    const zeros = Array.from({ length: n }, (_, i) => (i === 9000 ? -0 : 0))
    expect(roundTrip(new NumberColumn(), numbers)).toEqual(numbers)
    expect(roundTrip(new DecimalColumn(), decimals)).toEqual(decimals)
    expect(roundTrip(new ChoiceColumn<string>(), choices)).toEqual(choices)
    expect(Object.is(roundTrip(new NumberColumn(), zeros)[9000], -0)).toBe(true)
  })

  it("a choice column past 65,534 values keeps the rest beside its places and writes every row back", () => {
    const column = new ChoiceColumn<string>()
    const values = Array.from({ length: 70_000 }, (_, i) => (i % 7 === 0 ? null : i % 3 === 0 ? "buy" : `s${i}`))
    for (const v of values) column.push(v)
    expect(column.length).toBe(values.length)
    expect(Array.from({ length: values.length }, (_, row) => column.at(row))).toEqual(values)
    // A value first seen after the set is full is kept row by row, and an old value keeps its place.
    column.push("late")
    column.push("buy")
    expect([column.at(70_000), column.at(70_001)]).toEqual(["late", "buy"])
  })
})
