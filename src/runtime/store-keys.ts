/**
 * The store's key layout. Sequence numbers are zero-padded so that key order is numeric order.
 *   meta:<id>                 the simulation's record (config, model)
 *   journal:<id>:<seq>        one batch of inputs, the first numbered <seq>
 *   snapshot:<id>:<seq>       the simulation after input <seq>, without its history
 *   history:<id>:<seq>        the history made up to that snapshot since the one before it
 */
const pad = (seq: number): string => String(seq).padStart(12, "0")

// ";" sorts right after ":", so [prefix + ":", prefix + ";") spans exactly one prefix.
const span = (prefix: string) => ({ gte: `${prefix}:`, lt: `${prefix};` })

export const simulationIdPattern = /^[A-Za-z0-9_.-]{1,64}$/

export const keys = {
  meta: (id: string) => `meta:${id}`,
  allMeta: span("meta"),
  journal: (id: string, seq: number) => `journal:${id}:${pad(seq)}`,
  journalFrom: (id: string, seq: number) => ({ gte: `journal:${id}:${pad(seq)}`, lt: `journal:${id};` }),
  journalBefore: (id: string, seq: number) => ({ gte: `journal:${id}:`, lt: `journal:${id}:${pad(seq)}` }),
  snapshot: (id: string, seq: number) => `snapshot:${id}:${pad(seq)}`,
  snapshotsOf: (id: string) => span(`snapshot:${id}`),
  history: (id: string, seq: number) => `history:${id}:${pad(seq)}`,
  historyOf: (id: string) => span(`history:${id}`),
  seqOf: (key: string): number => Number(key.slice(key.lastIndexOf(":") + 1))
} as const
