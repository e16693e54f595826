import { Data } from "effect"
import { formatValue } from "../domain/errors.ts"

/** A report option or argument that breaks its rule; nothing was rendered. */
export class InvalidReportArgumentError extends Data.TaggedError("InvalidReportArgumentError")<{
  readonly field: string
  readonly value: unknown
  readonly rule: string
}> {
  override get message(): string {
    return `Report ${this.field} ${this.rule}, got ${formatValue(this.value)}`
  }
}

/** The report could not be written; no partial file is left under its name. */
export class ReportWriteError extends Data.TaggedError("ReportWriteError")<{
  readonly path: string
  readonly cause: unknown
}> {
  override get message(): string {
    const reason = this.cause instanceof Error ? this.cause.message : String(this.cause)
    return `Could not write the report ${this.path}: ${reason}`
  }
}
