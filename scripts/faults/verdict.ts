/**
 * What a reopened stack gives back for each deployment, judged against what was acknowledged:
 *
 * - whole: everything equal to before the restart (status, record, model version, artifacts), and
 *   its results byte-identical to an uninterrupted run's;
 * - typed: refused with a tagged error that names the deployment, its model or artifact, or a
 *   file of the storage root;
 * - silent: resumed with less than was acknowledged, a different record or result accepted, or the
 *   deployment (or its acknowledged stop) denied as if it never was;
 * - untyped: an error without a tag, or one that names nothing the caller could act on.
 */
import { openStack, type Stack } from "./stack.ts"
import type { Expected, ExpectedDeployment } from "./expectations.ts"
import type { References } from "./reference.ts"
import { MODEL_VERSION } from "./workload.ts"

export type Outcome = "whole" | "typed" | "silent" | "untyped"

export interface DeploymentVerdict {
  readonly id: string
  readonly outcome: Outcome
  /** Acknowledged updates a resumed simulation no longer holds. */
  readonly lost: number
  /** Why it is not whole: one line per finding. */
  readonly findings: ReadonlyArray<string>
}

const tagOf = (e: unknown): string | undefined =>
  e instanceof Error && typeof (e as { _tag?: unknown })._tag === "string" ? (e as unknown as { _tag: string })._tag : undefined

const describe = (e: unknown): string => `${tagOf(e) ?? (e instanceof Error ? e.constructor.name : typeof e)}: ${e instanceof Error ? e.message : String(e)}`

/** Top-level fields of two JSON objects that differ. */
const differingFields = (a: string, b: string): string => {
  const x = JSON.parse(a) as Record<string, unknown>
  const y = JSON.parse(b) as Record<string, unknown>
  const keys = [...new Set([...Object.keys(x), ...Object.keys(y)])]
  return keys.filter((k) => JSON.stringify(x[k]) !== JSON.stringify(y[k])).join(", ")
}

type Attempt<A> = { readonly ok: true; readonly value: A } | { readonly ok: false; readonly error: unknown }
const attempt = <A>(run: () => Promise<A>): Promise<Attempt<A>> => run().then((value) => ({ ok: true as const, value }), (error: unknown) => ({ ok: false as const, error }))

/** Deployer calls whose "no such deployment" or "no results" for an acknowledged one is a denial, not a report. */
const denials: Readonly<Record<string, (d: ExpectedDeployment) => boolean>> = {
  UnknownDeploymentError: () => true,
  ResultsNotArchivedError: (d) => d.stopped !== undefined
}

class Findings {
  readonly silent: string[] = []
  readonly typed: string[] = []
  readonly untyped: string[] = []
  lost = 0
  readonly #d: ExpectedDeployment
  readonly #names: ReadonlyArray<string>

  constructor(d: ExpectedDeployment, root: string) {
    this.#d = d
    this.#names = [d.id, d.plan.modelId, ...d.artifacts, root]
  }

  /** A call failed: a denial, a typed report, or an error that says nothing usable. */
  failed(call: string, error: unknown, deployerCall: boolean): void {
    const tag = tagOf(error)
    const line = `${call}: ${describe(error)}`
    if (tag !== undefined && deployerCall && denials[tag]?.(this.#d) === true) this.silent.push(`denied: ${line}`)
    else if (tag !== undefined && this.#names.some((n) => (error as Error).message.includes(n))) this.typed.push(line)
    else this.untyped.push(line)
  }

  /** A value came back: it must be the expected one. */
  compare(call: string, actual: string, expected: string): void {
    if (actual !== expected) this.silent.push(`${call} accepted a different value (fields: ${differingFields(actual, expected) || "nested"})`)
  }

  verdict(): DeploymentVerdict {
    const outcome: Outcome = this.silent.length > 0 ? "silent" : this.untyped.length > 0 ? "untyped" : this.typed.length > 0 ? "typed" : "whole"
    const findings = outcome === "silent" ? this.silent : outcome === "untyped" ? this.untyped : this.typed
    return { id: this.#d.id, outcome, lost: this.lost, findings }
  }
}

const judgeOne = async (stack: Stack, d: ExpectedDeployment, expected: Expected, references: References, listed: Attempt<ReadonlyArray<{ readonly id: string }>>, root: string) => {
  const f = new Findings(d, root)
  const { paper, deployments, registry, store } = stack
  if (!listed.ok) f.failed("listSimulations", listed.error, true)
  else if (!listed.value.some((r) => r.id === d.id)) f.silent.push("listSimulations leaves it out: the deployment is forgotten")

  const status = await attempt(() => paper.getSimulationStatus(d.id))
  if (!status.ok) f.failed("getSimulationStatus", status.error, true)
  else {
    const s = status.value
    if (s.updates < d.updates.length) {
      f.lost += d.updates.length - s.updates
      f.silent.push(`resumed with ${s.updates} updates, ${d.updates.length} acknowledged`)
    }
    if (d.stopped !== undefined && s.state !== "stopped") f.silent.push(`its acknowledged stop is lost: resumed ${s.state}`)
    if (f.silent.length === 0) f.compare("getSimulationStatus", JSON.stringify(s), d.status)
  }

  const record = await attempt(() => deployments.getDeployment(d.id))
  // The manager keeps records only: for a deleted record it can only say so; the deployer's calls above name the loss.
  if (!record.ok) f.failed("getDeployment", record.error, false)
  else f.compare("getDeployment", JSON.stringify(record.value), d.record)

  // The results: the acknowledged stop's, read back; else a stop now, which must end as the uninterrupted run does.
  const reference = d.uncertain ? undefined : await references(d.plan, d.updates)
  if (d.stopped !== undefined) {
    if (reference !== undefined && d.stopped !== reference) f.silent.push(`its acknowledged results differ from an uninterrupted run's (fields: ${differingFields(d.stopped, reference)})`)
    const results = await attempt(() => paper.getResults(d.id))
    if (!results.ok) f.failed("getResults", results.error, true)
    else f.compare("getResults", JSON.stringify(results.value), d.stopped)
  } else {
    const results = await attempt(() => paper.stopSimulation(d.id))
    if (!results.ok) f.failed("stopSimulation", results.error, true)
    else if (reference !== undefined) f.compare("stopSimulation (against an uninterrupted run)", JSON.stringify(results.value), reference)
  }

  const model = await attempt(() => registry.getModelVersion(d.plan.modelId, MODEL_VERSION))
  if (!model.ok) f.failed("getModelVersion", model.error, false)
  else f.compare("getModelVersion", JSON.stringify(model.value), expected.models.get(d.plan.modelId)!)

  for (const sha of d.artifacts) {
    const artifact = await attempt(() => store.get(sha))
    const want = expected.artifacts.get(sha)!
    if (!artifact.ok) f.failed(`artifact get ${sha.slice(0, 12)}…`, artifact.error, false)
    else {
      f.compare(`artifact ref ${sha.slice(0, 12)}…`, JSON.stringify(artifact.value.ref), want.ref)
      if (artifact.value.content.toString("base64") !== want.content) f.silent.push(`artifact ${sha.slice(0, 12)}… accepted with different content`)
    }
  }
  return f.verdict()
}

/** Opens a stack over `root` and judges every expected deployment; closes it again. */
export const judgeRoot = async (root: string, expected: Expected, references: References): Promise<ReadonlyArray<DeploymentVerdict>> => {
  const stack = openStack(root)
  try {
    const listed = await attempt(() => stack.paper.listSimulations())
    const verdicts: DeploymentVerdict[] = []
    for (const d of expected.deployments) verdicts.push(await judgeOne(stack, d, expected, references, listed, root))
    return verdicts
  } finally {
    await stack.paper.close()
  }
}
