// The Effect runtime on its own: a supervised simulation in a LevelDB store that survives a
// restart. Run it twice: the second run recovers the simulation and carries on from where the
// first stopped.   node examples/supervised-runtime.ts [store-directory]
import { Effect, Layer, Stream } from "effect"
import type { TradingModel } from "../src/index.ts"
import { LevelDbStore, ModelCatalog, SimulationSupervisor } from "../src/runtime/index.ts"

/** Buys 10 shares when the price is under 100 and flat, sells them above 105. State: nothing. */
const meanReversion: TradingModel<null> = {
  initialState: null,
  onUpdate: (state, { quotes, view }) => {
    const price = quotes.find((q) => q.symbol === "AAPL")?.close
    const position = view.positionOf("AAPL")
    if (price === undefined) return { state }
    if (price < 100 && position.isZero()) return { state, orders: [{ symbol: "AAPL", side: "buy", type: "market", quantity: 10 }] }
    if (price > 105 && position.greaterThan(0)) return { state, orders: [{ symbol: "AAPL", side: "sell", type: "market", quantity: position }] }
    return { state }
  }
}

const directory = process.argv[2] ?? ".paperfloor/example-runtime"
const runtime = SimulationSupervisor.layer({ snapshotEvery: 100 }).pipe(
  Layer.provide(Layer.merge(LevelDbStore.layer({ directory }), ModelCatalog.layer({ meanReversion: () => meanReversion as TradingModel })))
)

const program = Effect.gen(function* () {
  const supervisor = yield* SimulationSupervisor
  // Print every fill as it becomes durable.
  yield* Stream.fromPubSub(supervisor.events).pipe(
    Stream.runForEach(({ simulationId, event }) =>
      event.type === "orderFilled" ? Effect.sync(() => console.log(`${simulationId}: ${event.fill.side} ${event.fill.quantity} at ${event.fill.price}`)) : Effect.void
    ),
    Effect.forkScoped
  )
  const recovered = supervisor.recovered.find((r) => r.id === "demo")
  if (recovered === undefined) {
    yield* supervisor.create({ id: "demo", config: { symbols: ["AAPL"], updateFrequency: "1h" }, model: { kind: "meanReversion" } })
    yield* supervisor.send("demo", { type: "start" })
    console.log(`created simulation "demo" in ${directory}`)
  } else console.log(`recovered simulation "demo" from ${directory} at journal entry ${recovered.seq}`)
  const done = yield* supervisor.inspect("demo", (s) => s.engine.updateCount)
  const start = Date.UTC(2024, 0, 2, 14) + done * 3_600_000
  for (let i = 0; i < 50; i++)
    yield* supervisor.send("demo", { type: "marketUpdate", update: { time: start + i * 3_600_000, prices: { AAPL: 102 + 5 * Math.sin((done + i) / 4) } } })
  const portfolio = yield* supervisor.inspect("demo", (s) => s.engine.getPortfolio())
  console.log(`after ${done + 50} updates: equity ${portfolio.totalValue.toFixed(2)}, cash ${portfolio.cash.toFixed(2)}`)
})

await Effect.runPromise(Effect.scoped(Effect.provide(program, runtime)))
