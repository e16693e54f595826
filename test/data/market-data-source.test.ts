import { Cause, Effect, Exit, Stream } from "effect"
import { describe, expect, it } from "vitest"
import { BadRowError } from "../../src/data/data-errors.ts"
import { fromRecords, marketDataSource, readAll } from "../../src/data/market-data-source.ts"

describe("marketDataSource", () => {
  it("reads anew each time: iterable, batches and stream; the summary is the last finished read's", async () => {
    let reads = 0
    const source = fromRecords("n", function* () {
      reads++
      yield* [1, 2, 3, 4, 5]
    }, { batchSize: 2 })
    expect(source.summary).toBeUndefined()
    expect(await readAll(source)).toEqual([1, 2, 3, 4, 5])
    const batches = []
    for await (const batch of source.batches()) batches.push(batch)
    expect(batches).toEqual([[1, 2], [3, 4], [5]])
    expect(await Effect.runPromise(Stream.runCollect(source.stream))).toEqual([1, 2, 3, 4, 5])
    expect(reads).toBe(3)
    expect(source.summary).toEqual({ source: "n", records: 5, skipped: 0, skippedByReason: {}, firstSkipped: [] })
  })

  it("stops reading when the consumer stops: the read's generator is closed", async () => {
    let closed = false
    const source = marketDataSource("s", () => ({
      batches: (async function* () {
        try {
          for (let i = 0; ; i++) yield [i]
        } finally {
          closed = true
        }
      })(),
      summary: (records) => ({ source: "s", records, skipped: 0, skippedByReason: {}, firstSkipped: [] })
    }))
    for await (const n of source) if (n === 3) break
    expect(closed).toBe(true)
    closed = false
    expect(await Effect.runPromise(Stream.runCollect(Stream.take(source.stream, 2)))).toEqual([0, 1])
    expect(closed).toBe(true)
  })

  it("in the stream, a data error is a typed failure and anything else a defect", async () => {
    const failing = (error: unknown) =>
      marketDataSource("f", () => ({
        batches: (async function* () {
          yield [1]
          throw error
        })(),
        summary: () => {
          throw new Error("not reached")
        }
      }))
    const bad = new BadRowError({ source: "f", line: 2, field: "close", reason: "not-a-number", rule: "a finite number > 0", value: "x" })
    expect(await Effect.runPromise(Effect.flip(Stream.runCollect(failing(bad).stream)))).toBe(bad)
    const exit = await Effect.runPromiseExit(Stream.runCollect(failing(new TypeError("a bug")).stream))
    expect(Exit.isFailure(exit) && Cause.hasDies(exit.cause)).toBe(true)
  })
})
