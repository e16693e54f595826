/**
 * The campaign's randomness: a small seeded generator (mulberry32), and seeds derived from the
 * campaign's seed and a trial's name, so that one trial can be run again on its own.
 */
export interface SeededRandom {
  /** A float in [0, 1). */
  readonly next: () => number
  /** An integer in [min, max]. */
  readonly int: (min: number, max: number) => number
  readonly pick: <A>(items: ReadonlyArray<A>) => A
}

export const seededRandom = (seed: number): SeededRandom => {
  let state = seed | 0
  const next = () => {
    state = (state + 0x6d2b79f5) | 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1))
  const pick = <A>(items: ReadonlyArray<A>): A => {
    if (items.length === 0) throw new Error("nothing to pick from")
    return items[int(0, items.length - 1)]!
  }
  return { next, int, pick }
}

/** A seed for `labels` under `seed` (FNV-1a over both), the same on every run. */
export const deriveSeed = (seed: number, ...labels: ReadonlyArray<string | number>): number => {
  let hash = 0x811c9dc5 ^ seed
  for (const char of labels.join("\u0000")) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193)
  return hash >>> 0
}
