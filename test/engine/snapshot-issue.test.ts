/**
 * A snapshot the engine cannot read is refused naming the first field out of shape
 * (src/engine/snapshot-issue.ts): every snapshot the engine writes is in shape, and a leaf of one
 * made unreadable is named by its path.
 */
import { fc, test } from "@fast-check/vitest"
import { describe, expect } from "vitest"
import { snapshotIssue } from "../../src/engine/snapshot-issue.ts"
import { TradingSimulationEngine, ValidationError } from "../../src/index.ts"
import { type Scenario, scenarioArb } from "../../src/testing/index.ts"
import { playScenario } from "./play-scenario.ts"

const snapshotOf = (scenario: Scenario): Record<string, unknown> =>
  JSON.parse(JSON.stringify(playScenario(scenario, new TradingSimulationEngine(scenario.config)).snapshot())) as Record<string, unknown>

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

describe("a restore checks an open order whole, and keeps only what the simulation's context has", () => {
  const base = () => {
    const e = new TradingSimulationEngine({ symbols: ["A"], dailyStopLoss: null })
    e.processMarketUpdate({ A: 100 })
    e.submitOrder({ symbol: "A", side: "buy", type: "limit", quantity: 5, limitPrice: 90 })
    e.processMarketUpdate({ A: 100 })
    return e
  }
  const fieldOf = (change: (s: Record<string, any>) => void): string => {
    const s = JSON.parse(JSON.stringify(base().snapshot())) as Record<string, any>
    change(s)
    try {
      TradingSimulationEngine.fromSnapshot(s as never)
    } catch (e) {
      if (e instanceof ValidationError) return e.issues[0]!.field
      throw e
    }
    return "restored"
  }

  test("an open order's quantity as a number is refused naming it", () => {
    expect(fieldOf((s) => (s.orders[0].context.order.quantity = 5))).toBe("orders[0].context.order.quantity")
  })

  test("an open order's filled quantity that is no decimal is refused naming it", () => {
    expect(fieldOf((s) => (s.orders[0].context.filledQuantity = "five"))).toBe("orders[0].context.filledQuantity")
  })

  test("a halt reason that is not text is refused naming it", () => {
    expect(fieldOf((s) => (s.simulation.context.haltReason = { why: "no" }))).toBe("simulation.context.haltReason")
  })

  test("a key the simulation's context does not have (a cycle) is not kept: the restored engine snapshots as the original", () => {
    const original = base()
    const s = JSON.parse(JSON.stringify(original.snapshot())) as Record<string, any>
    s.simulation.context.self = s.simulation.context
    expect(JSON.stringify(TradingSimulationEngine.fromSnapshot(s as never).snapshot())).toBe(JSON.stringify(original.snapshot()))
  })
})
