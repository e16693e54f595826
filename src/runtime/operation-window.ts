import { createHash } from "node:crypto"
import { ValidationError } from "../domain/errors.ts"
import { type EncodedError, decodeError, encodeError } from "./error-codec.ts"
import type { ApplyResult } from "./simulation-instance.ts"
import type { SimulationInput } from "./simulation-input.ts"

/**
 * Operations: a submission a caller names (`submitOnce`) so that sending it again, after an answer
 * that never came (a runner that died, a connection cut), applies nothing twice. The answers of a
 * simulation's recent operations are part of its durable state: each journal record lists the
 * operations whose inputs it holds, and each snapshot the window at that point, so a torn write
 * takes an operation's answer with its inputs, and a recovered simulation knows exactly the
 * operations it applied.
 */
export const operationIdPattern = /^[A-Za-z0-9_.:-]{1,128}$/

/** Operations a simulation remembers: a caller sends an operation again only while it waits for its answer. */
export const OPERATIONS_KEPT = 1024

/** An input's result as stored. */
export type EncodedApplyResult = { readonly ok: true; readonly value?: unknown } | { readonly ok: false; readonly error: EncodedError }

/** An operation's results as stored: a count when each is a plain success (market updates), else each one. */
export type StoredResults = number | ReadonlyArray<EncodedApplyResult>

/** One remembered operation: its id, its answer, and a digest of its inputs (absent in records from before digests). */
export type StoredOperation = readonly [id: string, results: StoredResults, digest?: string]

/** What an operation's inputs are, in journal form (a refused one as null): a repeat must carry the same. */
export const digestOf = (forms: ReadonlyArray<SimulationInput | ValidationError>): string =>
  createHash("sha256").update(JSON.stringify(forms.map((f) => (f instanceof ValidationError ? null : f)))).digest("base64url").slice(0, 22)

/** The answer to an operation id sent again with other inputs: each refused, nothing applied. */
export const reusedRefusals = (operationId: string, forms: ReadonlyArray<SimulationInput | ValidationError>): ReadonlyArray<ApplyResult> =>
  forms.map((form) => ({
    ok: false as const,
    error: new ValidationError({
      subject: form instanceof ValidationError ? form.subject : form.type === "marketUpdate" ? "marketUpdate" : form.type === "replaceOrder" ? "replace" : "order",
      issues: [{ field: "operationId", rule: "was used before for other inputs: an operation id names one submission, applied once (these inputs are not applied)", value: operationId }]
    })
  }))

const plainSuccess = (r: ApplyResult): boolean => r.ok && r.value === undefined

export const encodeResults = (results: ReadonlyArray<ApplyResult>): StoredResults =>
  results.every(plainSuccess)
    ? results.length
    : results.map((r) => (r.ok ? (r.value === undefined ? { ok: true as const } : { ok: true as const, value: JSON.parse(JSON.stringify(r.value) ?? "null") as unknown }) : { ok: false as const, error: encodeError(r.error) }))

export const decodeResults = (stored: StoredResults): ReadonlyArray<ApplyResult> =>
  typeof stored === "number"
    ? Array.from({ length: stored }, () => ({ ok: true as const, value: undefined }))
    : stored.map((r) => (r.ok ? { ok: true as const, value: r.value } : { ok: false as const, error: decodeError(r.error) as Extract<ApplyResult, { ok: false }>["error"] }))

const isResult = (r: unknown): boolean =>
  r !== null && typeof r === "object" && ((r as { ok?: unknown }).ok === true ||
    ((r as { ok?: unknown }).ok === false && typeof (r as { error?: { _tag?: unknown } }).error?._tag === "string"))

/** Stored operations, or what is wrong with them. */
export const readOperations = (json: unknown): ReadonlyArray<StoredOperation> | string => {
  if (!Array.isArray(json)) return "operations that are not a list"
  for (const op of json) {
    if (!Array.isArray(op) || (op.length !== 2 && !(op.length === 3 && typeof op[2] === "string")) || typeof op[0] !== "string" || !operationIdPattern.test(op[0]))
      return "an operation that is not [id, results, digest]"
    const results: unknown = op[1]
    if (!(typeof results === "number" ? Number.isSafeInteger(results) && results >= 0 : Array.isArray(results) && results.every(isResult))) return `operation ${op[0]}'s results are unreadable`
  }
  return json as ReadonlyArray<StoredOperation>
}

/** A simulation's remembered operations, oldest first, at most OPERATIONS_KEPT. */
export class OperationWindow {
  readonly #answers = new Map<string, StoredOperation>()

  constructor(operations: ReadonlyArray<StoredOperation> = []) {
    for (const op of operations) this.add(op)
  }

  get(id: string): StoredOperation | undefined {
    return this.#answers.get(id)
  }

  add(op: StoredOperation): void {
    const id = op[0]
    this.#answers.delete(id)
    this.#answers.set(id, op)
    if (this.#answers.size > OPERATIONS_KEPT) this.#answers.delete(this.#answers.keys().next().value!)
  }

  /** As a snapshot stores it. */
  toJSON(): ReadonlyArray<StoredOperation> {
    return [...this.#answers.values()]
  }

  copy(): OperationWindow {
    return new OperationWindow(this.toJSON())
  }
}
