import { compileMachine } from "./compiled-machine.ts"
import { type OrderContext, type OrderEvent, orderImplementations, type OrderStatus } from "./order-context.ts"
import { orderMachine } from "./order.machine.ts"
import { type SimulationContext, type SimulationEvent, simulationImplementations, type SimulationStatus, type SimulationTag } from "./simulation-context.ts"
import { simulationMachine } from "./simulation.machine.ts"

/** The order machine as the engine runs it: the same definition and implementations, compiled to a table. */
export const orderTable = compileMachine<OrderStatus, OrderContext, OrderEvent>(orderMachine, orderImplementations)

export const simulationTable = compileMachine<SimulationStatus, SimulationContext, SimulationEvent>(simulationMachine, simulationImplementations)

/** The statuses with a tag of the simulation machine's, e.g. those in which orders trade. */
export const simulationStatusesTagged = (tag: SimulationTag): ReadonlySet<SimulationStatus> => simulationTable.tagged(tag)
