import type { TradingSimulationEngine } from "./trading-simulation-engine.ts"

/**
 * V8 keeps an object's hidden class (its map) only while some object of that class lives: the
 * maps an engine's objects take as their fields are added are held weakly. When a simulation is
 * collected its maps go with it, the next simulation's objects get new ones, and every inline
 * cache on the update and order paths sees one more map per collected simulation: after a handful
 * it goes megamorphic, and a process that runs simulations one after another (the testing kit's
 * properties, a server's deployments, a batch of backtests) ran its updates 2.5 to 5 times slower
 * from about the sixth. One small engine that lives as long as the module, having done once what
 * every run does (marked a bar, accepted, filled and ended orders, closed a trade, kept resting
 * orders, lists and a trailing stop, and a position), holds those maps, so that every later
 * engine's objects share them; and so does its last update's quote, with the exact prices a fill
 * reads into it.
 */
const kept: unknown[] = []

// Prices with fractions, as most are: a field's map records whether it has held only small integers or doubles too.
const bar = { open: 10.25, high: 10.75, low: 9.5, close: 10.5, volume: 1000.5 }

export const keepShapes = (Engine: typeof TradingSimulationEngine): void => {
  const engine = new Engine({ symbols: ["SHAPE"], initialCapital: 100_000, commissionRate: 0.001, updateFrequency: "1d" })
  let time = 0
  const update = () => engine.processMarketUpdate({ time: (time += 86_400_000), bars: { SHAPE: bar } })
  update()
  engine.submitOrder({ symbol: "SHAPE", side: "buy", type: "market", quantity: 20 })
  update()
  engine.submitOrder({ symbol: "SHAPE", side: "sell", type: "market", quantity: 10 })
  engine.submitOrder({ symbol: "SHAPE", side: "buy", type: "limit", quantity: 1, limitPrice: 1, timeInForce: "gtc" })
  // Lists and trailing stops that rest, far from the market: their objects' classes live on too.
  engine.submitOrderList({ kind: "bracket", entry: { symbol: "SHAPE", side: "buy", type: "limit", quantity: 1, limitPrice: 1 }, takeProfit: { limitPrice: 20 }, stopLoss: { stopPrice: 0.5 } })
  engine.submitOrderList({ kind: "oco", orders: [{ symbol: "SHAPE", side: "buy", type: "limit", quantity: 1, limitPrice: 1 }, { symbol: "SHAPE", side: "buy", type: "stop", quantity: 1, stopPrice: 20 }] })
  engine.submitOrder({ symbol: "SHAPE", side: "buy", type: "trailingStop", quantity: 1, trailAmount: 5 })
  update()
  engine.submitOrder({ symbol: "SHAPE", side: "sell", type: "market", quantity: 10 })
  engine.submitOrder({ symbol: "SHAPE", side: "buy", type: "market", quantity: 10 })
  kept.push(engine, update())
}
