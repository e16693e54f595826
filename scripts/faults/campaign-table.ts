/** The campaign's figures per fault, and the table they print as (cli-table3, no colours). */
import Table from "cli-table3"
import type { TrialResult } from "./fault.ts"

export interface FaultTally {
  readonly fault: string
  trials: number
  /** Why the fault's trials could not run here, if they could not. */
  skipped: string | undefined
  deployments: number
  acknowledged: number
  lost: number
  typed: number
  silent: number
  untyped: number
  whole: number
}

export const emptyTally = (fault: string): FaultTally => ({ fault, trials: 0, skipped: undefined, deployments: 0, acknowledged: 0, lost: 0, typed: 0, silent: 0, untyped: 0, whole: 0 })

export const addTrial = (tally: FaultTally, trial: TrialResult): void => {
  if (trial.skipped !== undefined) {
    tally.skipped = trial.skipped
    return
  }
  tally.trials += 1
  tally.acknowledged += trial.acknowledged
  for (const v of trial.verdicts) {
    tally.deployments += 1
    tally.lost += v.lost
    tally[v.outcome] += 1
  }
}

export const renderTable = (tallies: ReadonlyArray<FaultTally>): string => {
  const table = new Table({
    head: ["fault", "trials", "deploy-\nments", "acknowledged\nupdates", "acknowledged\nupdates lost", "typed\nerrors", "silent\nrollbacks", "untyped\nerrors", "whole"],
    style: { head: [], border: [], compact: true }
  })
  const sum = (f: (t: FaultTally) => number) => tallies.reduce((n, t) => n + f(t), 0)
  for (const t of tallies) {
    if (t.skipped !== undefined && t.trials === 0) table.push([t.fault, { colSpan: 8, content: `skipped: ${t.skipped}` }])
    else table.push([t.fault, t.trials, t.deployments, t.acknowledged, t.lost, t.typed, t.silent, t.untyped, t.whole])
  }
  table.push(["total", sum((t) => t.trials), sum((t) => t.deployments), sum((t) => t.acknowledged), sum((t) => t.lost), sum((t) => t.typed), sum((t) => t.silent), sum((t) => t.untyped), sum((t) => t.whole)])
  return table.toString()
}
