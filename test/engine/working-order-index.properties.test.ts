/**
 * The working-order index (src/engine/working-order-index.ts) only spares the engine orders a bar
 * cannot fill: with it (the default fill rules) and without it (the same rules behind a fill model
 * of the caller's, for which the engine walks every working order as before), every random
 * scenario of src/testing/engine-scenario.ts (every order type, time in force and list, replaces,
 * cancels, gaps, ticks, quotes, new days) gives the same events in the same order and the same
 * snapshot.
 */
import { test } from "@fast-check/vitest"
import { describe, expect } from "vitest"
import { barFillModel, type EngineEvent, type EngineOptions, TradingSimulationEngine } from "../../src/index.ts"
import { type Scenario, scenarioArb } from "../../src/testing/index.ts"
import { playScenario } from "./play-scenario.ts"

const unindexed: EngineOptions = { fillModel: { match: (order, quote) => barFillModel.match(order, quote) } }

/** The scenario through one engine; its events (order views included) and final snapshot as JSON. */
const run = (scenario: Scenario, options: EngineOptions): { events: string; snapshot: string } => {
  const engine = new TradingSimulationEngine(scenario.config, options)
  const events: EngineEvent[] = []
  engine.onEvent((e) => events.push(e))
  playScenario(scenario, engine)
  return { events: JSON.stringify(events), snapshot: JSON.stringify(engine.snapshot()) }
}

describe("the working-order index", () => {
  test.prop([scenarioArb(60)])("changes nothing: the same events and the same end as walking every working order", (scenario) => {
    const withIndex = run(scenario, {})
    const without = run(scenario, unindexed)
    expect(withIndex.events).toBe(without.events)
    expect(withIndex.snapshot).toBe(without.snapshot)
  })
})
