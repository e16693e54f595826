/**
 * A snapshot the engine cannot read is refused naming the first field out of shape
 * (src/engine/snapshot-issue.ts): every snapshot the engine writes is in shape, and a leaf of one
 * made unreadable is named by its path.
 */
import { fc, test } from "@fast-check/vitest"
import { describe, expect } from "vitest"
import { snapshotIssue } from "../../src/engine/snapshot-issue.ts"
import { type OrderId, TradingSimulationEngine, ValidationError } from "../../src/index.ts"
import { basePrice, listRequest, materializeMarket, pickOrder, replaceChanges, type Scenario, scenarioArb, submitRequest } from "../../src/testing/index.ts"

/** The scenario run through an engine, commands that the order's state refuses skipped. */
const snapshotOf = (scenario: Scenario): Record<string, unknown> => {
  const engine = new TradingSimulationEngine(scenario.config)
  const last = new Map(engine.config.symbols.map((s, i) => [s, basePrice(scenario, i)]))
  const lastPrice = (symbol: string) => last.get(symbol)!
  const ids: OrderId[] = []
  const updates = materializeMarket(scenario)
  scenario.steps.forEach((step, s) => {
    for (const command of step.commands) {
      try {
        if (command.kind === "submit") ids.push(engine.submitOrder(submitRequest(engine, command, lastPrice)))
        else if (command.kind === "submitList") ids.push(...engine.submitOrderList(listRequest(engine, command, lastPrice)).orderIds)
        else {
          const id = pickOrder(engine, command.target, ids)
          if (id === undefined) continue
          if (command.kind === "cancel") engine.cancelOrder(id)
          else engine.replaceOrder(id, replaceChanges(engine, engine.getOrder(id), command, lastPrice(engine.getOrder(id).symbol)))
        }
      } catch {
        // A command its order's state refuses: the scenario goes on.
      }
    }
    const update = updates[s]!
    engine.processMarketUpdate(update.input)
    for (const [symbol, q] of update.quotes) last.set(symbol, Number(q.close))
  })
  return JSON.parse(JSON.stringify(engine.snapshot())) as Record<string, unknown>
}

/** Every path to a string leaf whose value the engine reads as a decimal. */
const decimalLeaves = (value: unknown, path: string, out: string[]): string[] => {
  if (typeof value === "string" && /^-?\d+(\.\d+)?$/.test(value) && path !== "" && !path.startsWith("config")) out.push(path)
  else if (Array.isArray(value)) value.forEach((v, i) => decimalLeaves(v, `${path}[${i}]`, out))
  else if (typeof value === "object" && value !== null) for (const [k, v] of Object.entries(value)) decimalLeaves(v, path === "" ? k : `${path}.${k}`, out)
  return out
}

const setAt = (root: Record<string, unknown>, path: string, value: unknown): void => {
  const keys = path.match(/[^.[\]]+/g)!
  let node = root as Record<string, unknown>
  for (const k of keys.slice(0, -1)) node = node[k] as Record<string, unknown>
  node[keys.at(-1)!] = value
}

describe("a snapshot out of shape", () => {
  test.prop([scenarioArb(40)])("every snapshot the engine writes is in shape", (scenario) => {
    expect(snapshotIssue(snapshotOf(scenario))).toBeNull()
  })

  test.prop([scenarioArb(40), fc.nat(), fc.constantFrom("abc", "", null, 12, "1e5x")])(
    "a decimal the engine reads, made unreadable, is refused naming its path (or read as it is), never thrown untyped",
    (scenario, pick, bad) => {
      const snapshot = snapshotOf(scenario)
      const leaves = decimalLeaves(snapshot, "", [])
      fc.pre(leaves.length > 0)
      const path = leaves[pick % leaves.length]!
      setAt(snapshot, path, bad)
      let thrown: unknown = null
      try {
        TradingSimulationEngine.fromSnapshot(snapshot as never)
      } catch (e) {
        thrown = e
      }
      // Some fields (an id that looks like a number) are only text: then it may restore.
      if (thrown === null) return
      expect(thrown).toBeInstanceOf(ValidationError)
      const field = (thrown as ValidationError).issues[0]!.field
      expect(field, `${path} was named ${field}`).toBe(path)
    }
  )
})
