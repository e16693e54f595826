// User model modules for the isolation tests, written as real files: plain JavaScript with no
// imports, so that a worker loads one in milliseconds. Each exports `modelKind` with a
// hand-written Standard Schema for its params.
import { writeFile } from "node:fs/promises"
import { join } from "node:path"

/** A Standard Schema taking an object (or nothing) and filling in `defaults`. */
const paramsSchema = (defaults: Record<string, unknown>) => `{
  "~standard": {
    version: 1,
    vendor: "paperfloor-test",
    validate: (value) =>
      value === undefined || (value !== null && typeof value === "object" && !Array.isArray(value))
        ? { value: { ...${JSON.stringify(defaults)}, ...value } }
        : { issues: [{ message: "must be an object" }] }
  }
}`

const moduleOf = (kind: string, defaults: Record<string, unknown>, create: string) => `
export const modelKind = {
  kind: ${JSON.stringify(kind)},
  description: "an isolation test model",
  paramsSchema: ${paramsSchema(defaults)},
  create: ${create}
}
`

/**
 * Trades on everything the view offers: the cash and equity of \`portfolio()\`, \`positionOf\`, and
 * the open orders. Its orders carry Decimal quantities and prices made from the view's decimals,
 * limit prices with more digits than a float holds, so a run shows whether the view and the
 * orders cross a worker boundary exactly.
 */
export const viewTrader = moduleOf(
  "view-trader",
  { symbol: "AAA", fraction: 0.2 },
  `(params) => ({
    initialState: { n: 0, sum: "0" },
    onUpdate(state, { time, quotes, view }) {
      const quote = quotes.find((q) => q.symbol === params.symbol)
      const n = state.n + 1
      if (quote === undefined) return { state: { ...state, n } }
      const portfolio = view.portfolio()
      const position = view.positionOf(params.symbol)
      const open = view.openOrders()
      // Everything read, folded into the state: any difference in any update shows in it.
      const held = portfolio.positions.reduce((total, p) => total.plus(p.quantity.times(p.averageCost)).plus(p.marketValue), position.times(0))
      const sum = position.times(0).plus(state.sum).plus(portfolio.cash).plus(portfolio.totalValue.times(2)).plus(portfolio.buyingPower.times(3))
        .plus(position.times(5)).plus(held.times(7)).plus(open.reduce((k, o) => k + o.quantity.length + (o.limitPrice ?? "").length, 0)).plus(time / 1e12)
      const orders = []
      if (open.length === 0) {
        if (position.isZero() && n % 3 !== 0) {
          const quantity = portfolio.cash.times(params.fraction).dividedBy(quote.close).floor()
          if (quantity.greaterThan(0)) orders.push({ symbol: params.symbol, side: "buy", type: "limit", quantity, limitPrice: position.plus(quote.close).times("0.99500000000000000001234"), timeInForce: "day", tag: "entry " + n })
        } else if (position.greaterThan(0) && n % 4 === 0) {
          orders.push({ symbol: params.symbol, side: "sell", type: "market", quantity: position.dividedBy(2).ceil() })
        }
      }
      const next = { n, sum: sum.toString() }
      return n % 11 === 0 ? { state: next, targetWeights: { [params.symbol]: 0 } } : { state: next, orders }
    }
  })`
)

/** Counts updates; on the one whose close is \`loopAt\`, never returns. */
export const loopsAtPrice = moduleOf(
  "loops-at-price",
  { symbol: "AAA", loopAt: 103 },
  `(params) => ({
    initialState: 0,
    onUpdate(n, { quotes }) {
      if (quotes.some((q) => q.symbol === params.symbol && q.close === params.loopAt)) for (;;) {}
      return { state: n + 1 }
    }
  })`
)

/** On the update whose close is \`hogAt\`, allocates without end: JavaScript arrays, or (\`buffers\`) memory outside the heap. */
export const hogsAtPrice = moduleOf(
  "hogs-at-price",
  { symbol: "AAA", hogAt: 103, buffers: false },
  `(params) => ({
    initialState: 0,
    onUpdate(n, { quotes }) {
      if (quotes.some((q) => q.symbol === params.symbol && q.close === params.hogAt)) {
        const hoard = []
        for (let i = 0; ; i++) hoard.push(params.buffers ? new Uint8Array(1 << 20).fill(i & 255) : new Array(1 << 16).fill(i))
      }
      return { state: n + 1 }
    }
  })`
)

/** Writes a module into `dir` as `<name>.mjs` and returns its path. */
export const writeModule = async (dir: string, name: string, source: string): Promise<string> => {
  const path = join(dir, `${name}.mjs`)
  await writeFile(path, source)
  return path
}
