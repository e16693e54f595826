import { Schema } from "effect"

/** What an isolated model may use: wall time per update, and memory (its JavaScript heap plus the buffers it holds). */
export interface IsolationLimits {
  /** Per call of `onUpdate`, from sending the update to its worker until its answer (1–60,000). */
  readonly timeBudgetMs: number
  /** The worker's heap and buffers together (16–65,536). */
  readonly memoryBoundMb: number
}

export const defaultIsolationLimits: IsolationLimits = { timeBudgetMs: 1000, memoryBoundMb: 256 }

const ranges: Readonly<Record<keyof IsolationLimits, readonly [min: number, max: number, unit: string]>> = {
  timeBudgetMs: [1, 60_000, "milliseconds"],
  memoryBoundMb: [16, 65_536, "MB"]
}

const isLimit = (key: string): key is keyof IsolationLimits => Object.hasOwn(ranges, key)

/**
 * Limits as a caller gives them, either left out for its default. Checked field by field on the
 * object as given, so a misspelt field is refused rather than dropped (a nested struct's excess
 * fields would be).
 */
export const IsolationLimitsInput = Schema.Record(Schema.String, Schema.Unknown).check(
  Schema.makeFilter((limits) =>
    Object.entries(limits).flatMap(([key, value]): Array<Schema.FilterIssue> => {
      if (!isLimit(key)) return [{ path: [key], issue: "is not a known field" }]
      const [min, max, unit] = ranges[key]
      return typeof value === "number" && Number.isInteger(value) && value >= min && value <= max
        ? []
        : [{ path: [key], issue: `must be a whole number of ${unit} from ${min} to ${max}` }]
    })
  )
)

/** Complete limits from checked input (see `IsolationLimitsInput`): defaults for what is left out. */
export const isolationLimitsOf = (input: Partial<IsolationLimits> | Readonly<Record<string, unknown>> | undefined): IsolationLimits => {
  const given = (key: keyof IsolationLimits) => {
    const value: unknown = input?.[key]
    return typeof value === "number" ? value : defaultIsolationLimits[key]
  }
  return { timeBudgetMs: given("timeBudgetMs"), memoryBoundMb: given("memoryBoundMb") }
}
