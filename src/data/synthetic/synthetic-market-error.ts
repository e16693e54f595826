import { Data } from "effect"
import { formatValue } from "../../domain/errors.ts"

/** A synthetic market's option that breaks a rule; nothing was generated. */
export class SyntheticMarketError extends Data.TaggedError("SyntheticMarketError")<{
  /** The option's path, e.g. `regimes[1].volatility` or `correlation[0][2]`. */
  readonly field: string
  readonly rule: string
  readonly value: unknown
}> {
  override get message(): string {
    return `synthetic market: ${this.field} ${this.rule} (got ${formatValue(this.value)})`
  }
}
