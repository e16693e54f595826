import type { SimulationConfig } from "../domain/simulation-config.ts"
import type { EngineHistory } from "../engine/trading-simulation-engine.ts"
import type { InstanceLiveSnapshot, InstanceSnapshot } from "./simulation-instance.ts"
import type { ModelSpec } from "./model-catalog.ts"
import type { StoredOperation } from "./operation-window.ts"

/** What the store keeps about a simulation besides its journal and snapshots. */
export interface SimulationRecord {
  readonly id: string
  readonly config: SimulationConfig
  readonly model: ModelSpec
  /** Set when the supervisor gave up restarting a failing model: the cause. Only an explicit restart input revives it. */
  readonly gaveUp?: string
  /** The operation that created it (`create` with an operation id): that creation sent again succeeds. */
  readonly createdBy?: string
}

export const SNAPSHOT_FORMAT = 1

export interface SnapshotRecord {
  readonly formatVersion: typeof SNAPSHOT_FORMAT
  /** The journal entry this snapshot includes: replay resumes at seq + 1. */
  readonly seq: number
  /**
   * The simulation without its history, which is in the history records up to `seq` (engine
   * format 3); or, in stores written before history records, the whole simulation (engine format 2).
   */
  readonly instance: InstanceLiveSnapshot | InstanceSnapshot
  /** The operations the simulation remembers at `seq` (see operation-window.ts); absent when none. */
  readonly operations?: ReadonlyArray<StoredOperation>
}

/** The history a simulation made up to the snapshot at `seq`, since the one before it. Never rewritten. */
export interface HistoryRecord {
  readonly seq: number
  readonly history: EngineHistory
}
