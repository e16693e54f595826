/**
 * Records keyed by symbols, as the built-in models keep their per-symbol state and build their
 * target weights. A symbol comes from the caller (a config, a market update, a stored state read
 * back from JSON), so a plain object must not answer for it: `symbols["constructor"]` would be
 * Object, and `weights["__proto__"] = 0.1` would set a prototype instead of a weight.
 */

/** A symbol's own entry; undefined where the record has none (never what every object inherits). */
export const entryOf = <T>(record: Readonly<Record<string, T>>, symbol: string): T | undefined =>
  Object.hasOwn(record, symbol) ? record[symbol] : undefined

/** A record to add symbols to, starting with `from`'s entries: without a prototype, so every key is just a key. */
export const symbolRecord = <T>(from?: Readonly<Record<string, T>>): Record<string, T> =>
  Object.assign(Object.create(null) as Record<string, T>, from)
