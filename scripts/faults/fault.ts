/** A fault of the campaign: a name, how many trials by default, and how one trial runs. */
import type { Expected } from "./expectations.ts"
import type { References } from "./reference.ts"
import type { SeededRandom } from "./seeded-random.ts"
import type { DeploymentVerdict } from "./verdict.ts"

export interface CampaignContext {
  /** The healthy root the file faults copy and damage, and what it acknowledged; built once, on first use. */
  readonly healthy: () => Promise<{ readonly root: string; readonly expected: Expected }>
  readonly references: References
}

export interface TrialResult {
  /** What the trial did, to reproduce it by hand. */
  readonly what: string
  /** Set when the trial could not run here (and why): it counts nothing. */
  readonly skipped?: string
  readonly verdicts: ReadonlyArray<DeploymentVerdict>
  /** Updates acknowledged to the deployments judged. */
  readonly acknowledged: number
  /** What else happened that a reader should know (calls refused, calls failing after a fault was removed). */
  readonly notes: ReadonlyArray<string>
}

export interface Fault {
  readonly name: string
  readonly trials: number
  /** Runs one trial in `directory` (fresh, its own); `random` is the trial's. */
  readonly run: (context: CampaignContext, random: SeededRandom, directory: string) => Promise<TrialResult>
}
