// Type-level: what the deployer returns and archives is a ReportInput as it is (checked by `npm run typecheck`).
import { describe, expectTypeOf, it } from "vitest"
import type { ArchivedResults, PaperTradingResults } from "../../src/deploy/paper-trading-deployer.ts"
import type { ReportInput } from "../../src/report/report-input.ts"
import { renderHtmlReport } from "../../src/report/html-report.ts"
import { renderComparisonReport } from "../../src/report/comparison-report.ts"

describe("ReportInput", () => {
  it("accepts the deployer's PaperTradingResults and ArchivedResults", () => {
    expectTypeOf<PaperTradingResults>().toExtend<ReportInput>()
    expectTypeOf<ArchivedResults>().toExtend<ReportInput>()
    expectTypeOf<ReadonlyArray<ArchivedResults>>().toExtend<Parameters<typeof renderComparisonReport>[0]>()
    expectTypeOf(renderHtmlReport).parameter(0).toEqualTypeOf<ReportInput>()
  })

  it("does not accept results without their equity curve", () => {
    expectTypeOf<Omit<PaperTradingResults, "equityCurve">>().not.toExtend<ReportInput>()
  })
})
