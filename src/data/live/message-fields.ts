/** The field rules the layouts' message schemas share. */
import { Schema } from "effect"
import type { DecimalInput } from "../../domain/decimal.ts"
import type { PriceInput } from "../../domain/market-update.ts"
import { symbolRuleBroken } from "../../domain/simulation-config.ts"

/** A filter whose failure reads as the rule it states ("must be …"). */
export const rule = <A>(test: (a: A) => boolean, message: string) => Schema.makeFilter<A>((a) => (test(a) ? undefined : message))

/** A symbol a simulation can trade. */
export const SymbolField = Schema.String.check(Schema.makeFilter(symbolRuleBroken))

/** A size or a volume. */
export const SizeField = Schema.Number.check(rule((n) => Number.isFinite(n) && n >= 0, "must be a finite number of at least 0"))

/** A price the schemas took (they also admit a Decimal, which JSON never holds) as the engine takes it. */
export const priceInput = (p: DecimalInput): PriceInput => (typeof p === "object" ? p.toString() : p)
