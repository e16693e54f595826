// The process the market-feed resume test SIGKILLs: it feeds `minutes(total)` to a deployment in
// the store at `root`, printing each progress as a JSON line, and hangs after `hangAfter` updates
// have been read, so the kill always lands mid-feed.
import { feedMarketUpdates } from "../../src/deploy/market-feed.ts"
import type { MarketUpdateInput } from "../../src/domain/market-update.ts"
import { minutes, openStack } from "./market-feed-fixtures.ts"

const [root, id, total, hangAfter] = process.argv.slice(2)
const updates = minutes(Number(total))

async function* source(): AsyncGenerator<MarketUpdateInput> {
  for (const [i, u] of updates.entries()) {
    if (i === Number(hangAfter)) await new Promise(() => {})
    yield u
  }
}

// The hang must not let the process end on its own.
setInterval(() => {}, 1000)
const { paper } = openStack(root!)
await feedMarketUpdates(paper, id!, source(), { batchSize: 50, batchWindowMs: 1, onProgress: (p) => process.stdout.write(`${JSON.stringify(p)}\n`) })
