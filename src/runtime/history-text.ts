import type { RestoredHistory, StoredPoints } from "../engine/trading-simulation-engine.ts"
import type { EquityCurveSnapshot } from "../engine/equity-curve.ts"

/** A history record as recovery reads it: its equity points may be left as text (`StoredPoints`). */
export interface RestoredHistoryRecord {
  readonly seq: number
  readonly history: RestoredHistory
}

// A history record is `{"seq":…,"history":{"from":…,"to":…,"orders":…,"fills":…,"trades":…,"equityCurve":{…}}}`:
// the equity points come last, and are most of its bytes.
const CURVE_KEY = ',"equityCurve":'
const CURVE_START = `${CURVE_KEY}{"times":[`

/**
 * A history record's JSON parsed but for its equity points, which stay text until first read: a
 * recovered simulation replays and checkpoints without them. The checksum has proved the text is
 * what was written; a text not laid out as above is parsed whole.
 */
export const parseHistoryRecord = (json: string): unknown => {
  // The last: a string inside the record holds its quotes escaped, so only a key matches.
  const at = json.lastIndexOf(CURVE_START)
  if (at < 0 || !json.endsWith("]}}}")) return JSON.parse(json)
  const points = json.slice(at + CURVE_KEY.length, -2)
  // Numbers and nulls only after the key: the one brace is the curve's own.
  if (points.indexOf("}") !== points.length - 1) return JSON.parse(json)
  let head: { readonly seq: number; readonly history?: Partial<Omit<RestoredHistory, "equityCurve">> }
  try {
    head = JSON.parse(`${json.slice(0, at)}}}`) as typeof head
  } catch {
    return JSON.parse(json)
  }
  const from = head.history?.from
  const to = head.history?.to
  if (typeof from?.updates !== "number" || typeof to?.updates !== "number") return JSON.parse(json)
  const stored: StoredPoints = { length: to.updates - from.updates, read: () => JSON.parse(points) as EquityCurveSnapshot }
  return { seq: head.seq, history: { ...(head.history as Omit<RestoredHistory, "equityCurve">), equityCurve: stored } } satisfies RestoredHistoryRecord
}
