// The sequencer alone: arrival order in, the sequence out. Properties over reordered, duplicated
// and lossy arrivals; the rules for feeds without sequence numbers.
import { fc, test } from "@fast-check/vitest"
import { describe, expect, it } from "vitest"
import type { FeedMessage } from "../../../src/data/live/feed-message.ts"
import { FeedSequencer, type SequencerOutput } from "../../../src/data/live/feed-sequencer.ts"

const numbered = (seq: number, channel = "c"): FeedMessage => ({
  kind: "trade",
  symbol: "AAPL",
  time: seq * 1000,
  seq,
  channel,
  identity: "",
  update: { time: seq * 1000, prices: { AAPL: seq } }
})

const timed = (time: number, identity: string, kind: FeedMessage["kind"] = "trade"): FeedMessage => ({
  kind,
  symbol: "AAPL",
  time,
  seq: null,
  channel: `${kind}:AAPL`,
  identity,
  update: { time, prices: { AAPL: 1 } }
})

const run = (sequencer: FeedSequencer, arrivals: ReadonlyArray<FeedMessage>, now = () => 0) => {
  const out: SequencerOutput[] = []
  for (const m of arrivals) sequencer.accept(m, now(), out)
  return out
}
const seqs = (out: ReadonlyArray<SequencerOutput>) => out.flatMap((o) => (o.type === "message" ? [o.message.seq] : []))
const gaps = (out: ReadonlyArray<SequencerOutput>) => out.flatMap((o) => (o.type === "gap" ? [[o.from, o.to]] : []))

/**
 * 1…n arriving shuffled so that no message is overtaken by `window` or more later ones (each gets
 * a key i + u, u in [0, window)), message 1 first; and copies of some arriving after their original.
 */
const arrivals = fc
  .record({ n: fc.integer({ min: 1, max: 80 }), window: fc.integer({ min: 1, max: 8 }) })
  .chain(({ n, window }) =>
    fc.record({
      n: fc.constant(n),
      window: fc.constant(window),
      jitter: fc.array(fc.double({ min: 0, max: window, maxExcluded: true, noNaN: true }), { minLength: n, maxLength: n }),
      copies: fc.array(fc.record({ of: fc.integer({ min: 1, max: n }), later: fc.nat({ max: 20 }) }), { maxLength: 20 })
    })
  )
  .map(({ n, window, jitter, copies }) => {
    const order = Array.from({ length: n }, (_, i) => i + 1).sort((a, b) => (a === 1 ? -1 : b === 1 ? 1 : a + jitter[a - 1]! - (b + jitter[b - 1]!)))
    for (const { of, later } of copies) order.splice(Math.min(order.length, order.indexOf(of) + 1 + later), 0, of)
    return { n, window, order, copies: copies.length }
  })

describe("FeedSequencer with sequence numbers", () => {
  test.prop([arrivals])("reordered (within the window) and duplicated arrivals come out as 1…n exactly, every copy counted", ({ n, window, order, copies }) => {
    const sequencer = new FeedSequencer({ reorderWindow: window, reorderTimeoutMs: 1000 })
    const out = run(sequencer, order.map((s) => numbered(s)))
    expect(seqs(out)).toEqual(Array.from({ length: n }, (_, i) => i + 1))
    expect(gaps(out)).toEqual([])
    expect(sequencer.duplicates).toBe(copies)
    expect(sequencer.late).toBe(0)
    expect(sequencer.held).toBe(0)
    expect(sequencer.positions()).toEqual({ c: n })
  })

  test.prop([
    fc.integer({ min: 3, max: 60 }).chain((n) => fc.record({ n: fc.constant(n), lost: fc.uniqueArray(fc.integer({ min: 2, max: n - 1 }), { maxLength: n }), window: fc.integer({ min: 1, max: 5 }) }))
  ])("lost messages: the rest come out in order, and each run of missing numbers is one gap", ({ n, lost, window }) => {
    const sequencer = new FeedSequencer({ reorderWindow: window, reorderTimeoutMs: 1000 })
    const kept = Array.from({ length: n }, (_, i) => i + 1).filter((s) => !lost.includes(s))
    const out = run(sequencer, kept.map((s) => numbered(s)))
    sequencer.flush(0, out)
    expect(seqs(out)).toEqual(kept)
    const runs: number[][] = []
    for (let i = 1; i < kept.length; i++) if (kept[i]! > kept[i - 1]! + 1) runs.push([kept[i - 1]! + 1, kept[i]! - 1])
    expect(gaps(out)).toEqual(runs)
    // A lost message turning up after its gap is late; one passed on already is a duplicate.
    run(sequencer, [...lost.map((s) => numbered(s)), numbered(1)])
    expect(sequencer.late).toBe(lost.length)
    expect(sequencer.duplicates).toBe(1)
  })

  it("holds a message ahead of its turn until the missing one comes, or until the timeout, then reports the gap", () => {
    const sequencer = new FeedSequencer({ reorderWindow: 10, reorderTimeoutMs: 500 })
    const out: SequencerOutput[] = []
    sequencer.accept(numbered(1), 0, out)
    sequencer.accept(numbered(3), 100, out)
    sequencer.accept(numbered(4), 200, out)
    expect(seqs(out)).toEqual([1])
    expect(sequencer.nextDeadline()).toBe(600)
    sequencer.expire(599, out)
    expect(seqs(out)).toEqual([1])
    sequencer.expire(600, out)
    expect(out.slice(1)).toEqual([{ type: "gap", channel: "c", from: 2, to: 2 }, { type: "message", message: numbered(3) }, { type: "message", message: numbered(4) }])
    expect(sequencer.nextDeadline()).toBeNull()
  })

  it("an unusable message takes its place, so the ones after it are not held", () => {
    const sequencer = new FeedSequencer({ reorderWindow: 10, reorderTimeoutMs: 500 })
    const out: SequencerOutput[] = []
    sequencer.accept(numbered(1), 0, out)
    sequencer.accept(numbered(3), 0, out)
    sequencer.acceptUnusable("c", 2, 0, out)
    expect(seqs(out)).toEqual([1, 3])
    expect(sequencer.held).toBe(0)
  })

  it("channels are independent; the first message of a channel starts it", () => {
    const sequencer = new FeedSequencer({ reorderWindow: 10, reorderTimeoutMs: 500 })
    const out = run(sequencer, [numbered(7, "a"), numbered(1, "b"), numbered(8, "a"), numbered(3, "b"), numbered(2, "b")])
    expect(out.map((o) => (o.type === "message" ? `${o.message.channel}${o.message.seq}` : "gap"))).toEqual(["a7", "b1", "a8", "b2", "b3"])
    expect(sequencer.positions()).toEqual({ a: 8, b: 3 })
  })
})

describe("FeedSequencer without sequence numbers (ordered by time, per stream)", () => {
  it("drops an identical message at the same time as a duplicate, passes a different one, drops an earlier one as late", () => {
    const sequencer = new FeedSequencer({ reorderWindow: 10, reorderTimeoutMs: 500 })
    const out = run(sequencer, [timed(1, "a"), timed(2, "b"), timed(2, "b"), timed(2, "c"), timed(1, "d"), timed(3, "b"), timed(1, "q", "quote")])
    expect(out.map((o) => (o.type === "message" ? `${o.message.time}${o.message.identity}` : "gap"))).toEqual(["1a", "2b", "2c", "3b", "1q"])
    expect(sequencer.duplicates).toBe(1)
    expect(sequencer.late).toBe(1)
  })
})
