import { compileMachine } from "./compiled-machine.ts"
import { type OrderContext, type OrderEvent, orderGuards, type OrderStatus, orderUpdaters } from "./order-context.ts"
import { orderMachine } from "./order.machine.ts"
import {
  type SimulationContext,
  type SimulationEvent,
  simulationGuards,
  type SimulationStatus,
  simulationUpdaters
} from "./simulation-context.ts"
import { simulationMachine } from "./simulation.machine.ts"

/** The order machine as the engine runs it: the same definition, compiled to a table. */
export const orderTable = compileMachine<OrderStatus, OrderContext, OrderEvent>(orderMachine, {
  guards: orderGuards,
  updaters: orderUpdaters
})

export const simulationTable = compileMachine<SimulationStatus, SimulationContext, SimulationEvent>(simulationMachine, {
  guards: simulationGuards,
  updaters: simulationUpdaters
})
