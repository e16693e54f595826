/**
 * Snapshots and checkpoints taken and restored at random points: README, The API: "`snapshot()`,
 * `TradingSimulationEngine.fromSnapshot` … Fed the same inputs afterwards, it ends byte-identical
 * to a run that never stopped"; DESIGN.md, Persistence: "Recovery … must give exactly the state of
 * an uninterrupted run … never a silently wrong state."
 */
import { fc, test } from "@fast-check/vitest"
import { describe, expect, it } from "vitest"
import {
  type EngineHistory,
  type EngineLiveSnapshot,
  CheckpointMarksError,
  HistoryGapError,
  type HistoryMarks,
  NO_HISTORY,
  TradingSimulationEngine
} from "../../src/engine/trading-simulation-engine.ts"
import { ValidationError } from "../../src/index.ts"
import { buy, frictionless, sell } from "./fixtures.ts"

const config = frictionless(["A"], { enableShorting: true, commissionRate: 0.001 })
const json = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T

/** A checkpoint chain as the runtime keeps one: each segment starts where the last ended. */
class Chain {
  segments: EngineHistory[] = []
  marks: HistoryMarks = NO_HISTORY
  live: EngineLiveSnapshot | null = null
  take(engine: TradingSimulationEngine): void {
    const { live, history } = json(engine.checkpoint(this.marks))
    this.segments.push(history)
    this.marks = live.history
    this.live = live
  }
  restore(): TradingSimulationEngine {
    const r = TradingSimulationEngine.fromCheckpoint(this.live!, this.segments)
    if (r instanceof HistoryGapError) throw r
    return r
  }
}

describe("a checkpoint chain carried on by an engine restored from a full snapshot", () => {
  it("refuses to go on from marks inside a whole snapshot's ended orders (their order is not kept), and a new chain restores exactly", () => {
    let e = new TradingSimulationEngine(config)
    const chain = new Chain()
    e.processMarketUpdate({ A: 100 })
    const far = e.submitOrder(buy("A", 1, { type: "limit", limitPrice: 50 }))
    e.submitOrder(buy("A", 1))
    e.processMarketUpdate({ A: 100 }) // the market order (O-000002) ends first
    chain.take(e)
    e.cancelOrder(far) // then O-000001
    e.processMarketUpdate({ A: 100 })
    // A restart from the full snapshot, then the next checkpoint of the same chain: the snapshot does not keep the
    // order the two ended in, so the orders ended since the chain's marks are not known. Refused, naming why…
    e = TradingSimulationEngine.fromSnapshot(json(e.snapshot()))
    expect(() => chain.take(e)).toThrow(CheckpointMarksError)
    // …and a new chain from the restored engine restores it exactly.
    const fresh = new Chain()
    fresh.take(e)
    expect(fresh.restore().getOrders().map((o) => `${o.id} ${o.status}`)).toEqual([`${far} cancelled`, "O-000002 filled"])
    expect(JSON.stringify(fresh.restore().snapshot())).toBe(JSON.stringify(e.snapshot()))
  })
})

type Step =
  | { readonly kind: "market"; readonly side: "buy" | "sell"; readonly qty: number }
  | { readonly kind: "limit"; readonly side: "buy" | "sell"; readonly qty: number; readonly offset: number }
  | { readonly kind: "cancel"; readonly pick: number }
  | { readonly kind: "update"; readonly price: number }
  | { readonly kind: "checkpoint" }
  | { readonly kind: "fromSnapshot" }
  | { readonly kind: "fromCheckpoint" }

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("market" as const), side: fc.constantFrom("buy" as const, "sell" as const), qty: fc.integer({ min: 1, max: 5 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("limit" as const), side: fc.constantFrom("buy" as const, "sell" as const), qty: fc.integer({ min: 1, max: 5 }), offset: fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constantFrom(-20, 20)) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("cancel" as const), pick: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("update" as const), price: fc.integer({ min: 95, max: 105 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("checkpoint" as const) }) },
  fc.record({ kind: fc.constant("fromSnapshot" as const) }),
  fc.record({ kind: fc.constant("fromCheckpoint" as const) })
)

/** Feeds the inputs of `steps` (restores and checkpoints apart) to `e`. */
const feed = (e: TradingSimulationEngine, step: Step): void => {
  if (step.kind === "market") e.submitOrder((step.side === "buy" ? buy : sell)("A", step.qty))
  else if (step.kind === "limit") e.submitOrder((step.side === "buy" ? buy : sell)("A", step.qty, { type: "limit", limitPrice: 100 + step.offset }))
  else if (step.kind === "cancel") {
    const open = e.getOpenOrders()
    if (open.length > 0) e.cancelOrder(open[step.pick % open.length]!.id)
  } else if (step.kind === "update") e.processMarketUpdate({ A: step.price })
}

describe("restores at random points, through either API, end as the uninterrupted run", () => {
  const replay = (steps: ReadonlyArray<Step>) => {
    const straight = new TradingSimulationEngine(config)
    let restored = new TradingSimulationEngine(config)
    let chain = new Chain()
    straight.processMarketUpdate({ A: 100 })
    restored.processMarketUpdate({ A: 100 })
    chain.take(restored)
    for (const step of steps) {
      if (step.kind === "checkpoint") chain.take(restored)
      else if (step.kind === "fromSnapshot") {
        restored = TradingSimulationEngine.fromSnapshot(json(restored.snapshot()))
        // As the runtime does after a whole snapshot: a new chain (an old one cannot go on from inside its ended orders).
        chain = new Chain()
      }
      else if (step.kind === "fromCheckpoint") {
        chain.take(restored)
        restored = chain.restore()
      } else {
        feed(straight, step)
        feed(restored, step)
      }
    }
    chain.take(restored)
    const expected = JSON.stringify(straight.snapshot())
    expect(JSON.stringify(restored.snapshot())).toBe(expected)
    expect(JSON.stringify(chain.restore().snapshot())).toBe(expected)
  }
  test.prop([fc.array(stepArb, { minLength: 1, maxLength: 40, size: "max" })], { numRuns: 200 })("snapshot and checkpoint chain, mixed", replay)
})

describe("fromSnapshot reads only what it can restore", () => {
  // README, The API: a snapshot is "the whole simulation as plain JSON (format-versioned)";
  // Errors: bad input "throws a tagged error … that names the field, the rule and the value".
  // DESIGN.md, Persistence: "never a silently wrong state".
  const snapshotted = () => {
    const e = new TradingSimulationEngine(config)
    e.processMarketUpdate({ A: 100 })
    e.submitOrder(buy("A", 10))
    e.processMarketUpdate({ A: 100 })
    e.submitOrder(buy("A", 5, { type: "limit", limitPrice: 90 }))
    e.processMarketUpdate({ A: 100 })
    return e
  }
  const refusal = (snapshot: unknown): string => {
    try {
      TradingSimulationEngine.fromSnapshot(snapshot as never)
    } catch (e) {
      if (e instanceof ValidationError) return e.issues.map((i) => i.field).join(", ")
      return `untyped ${String(e)}`
    }
    return "accepted"
  }
  it("a snapshot of another format version is refused, naming formatVersion", () => {
    const snapshot = json(snapshotted().snapshot()) as unknown as Record<string, unknown>
    expect(refusal({ ...snapshot, formatVersion: 99 })).toBe("formatVersion")
  })
  it("a checkpoint's live state (format 3, no history) given to fromSnapshot is refused, naming formatVersion", () => {
    expect(refusal(json(snapshotted().checkpoint(NO_HISTORY)).live)).toBe("formatVersion")
  })
  it("a malformed field is a ValidationError naming it, not a TypeError or a DecimalError", () => {
    const snapshot = json(snapshotted().snapshot()) as unknown as { ledger: { cash: string }; orders: unknown }
    expect(refusal({ ...snapshot, ledger: { ...snapshot.ledger, cash: "abc" } })).toBe("ledger.cash")
    expect(refusal({ ...snapshot, orders: undefined })).toBe("orders")
  })
})
