import type { EngineEvent, TradingSimulationEngine } from "../../src/index.ts"

/**
 * A view of an engine with some of its methods replaced, as a buggy engine would show its books;
 * `emit` delivers made-up events to whoever subscribed through the view.
 */
export const tamper = (engine: TradingSimulationEngine, overrides: Partial<Record<keyof TradingSimulationEngine, unknown>> = {}) => {
  const listeners: Array<(e: EngineEvent) => void> = []
  const view = new Proxy(engine, {
    get(target, prop) {
      if (prop in overrides) return overrides[prop as keyof TradingSimulationEngine]
      if (prop === "onEvent")
        return (l: (e: EngineEvent) => void) => {
          listeners.push(l)
          return target.onEvent(l)
        }
      const value = Reflect.get(target, prop, target) as unknown
      return typeof value === "function" ? value.bind(target) : value
    }
  })
  return { view, emit: (e: EngineEvent) => listeners.forEach((l) => l(e)), set: (key: keyof TradingSimulationEngine, value: unknown) => (overrides[key] = value) }
}
