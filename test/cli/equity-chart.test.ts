import { describe, expect, it } from "vitest"
import { overlaidEquityChart } from "../../src/cli/equity-chart.ts"
import { curveOf, longCurve, sampleInput } from "../report/fixtures.ts"

const ESC = "\u001b"
const plain = { width: 40, height: 6, color: false }

describe("overlaidEquityChart", () => {
  const doubled = sampleInput({ deploymentId: "paper-a-1", equityCurve: curveOf([100_000, 150_000, 200_000]) })
  const flat = sampleInput({ deploymentId: "paper-b-1", equityCurve: curveOf([100_000, 100_000, 100_000]) })

  it("draws every run as growth of 1 on one axis, with a legend", () => {
    const lines = overlaidEquityChart([doubled, flat], plain).split("\n")
    expect(lines[0]).toMatch(/^Equity, growth of 1, each run over its own period/)
    // The axis spans both runs: from the flat run's 1.00× to the doubled run's 2.00×.
    expect(lines[1]).toMatch(/^\s+2\.00×/)
    expect(lines.at(-3)).toMatch(/^\s+1\.00×/)
    expect(lines.slice(-2)).toEqual(["  ── paper-a-1", "  ── paper-b-1"])
    expect(lines.join("\n")).not.toContain(ESC)
  })

  it("colours the lines and the legend only when asked", () => {
    const text = overlaidEquityChart([doubled, flat], { ...plain, color: true })
    expect(text).toContain(`${ESC}[34m`)
    expect(text).toContain(`${ESC}[31m`)
    expect(text).not.toContain("lines told apart by colour")
  })

  it("samples a long curve down to the width", () => {
    const chart = overlaidEquityChart([sampleInput({ equityCurve: longCurve(100_000) })], plain).split("\n")
    for (const row of chart.slice(1, -1)) expect(row.length).toBeLessThanOrEqual(12 + plain.width)
  })

  it("draws nothing for runs without points, and leaves out a run it cannot draw", () => {
    expect(overlaidEquityChart([sampleInput({ equityCurve: [] })], plain)).toBe("")
    // An archive edited by hand, say: a value that is no number.
    const broken = { ...doubled, deploymentId: "paper-nan-1", equityCurve: curveOf([100_000, Number.NaN]) }
    expect(overlaidEquityChart([doubled, broken], plain)).not.toContain("paper-nan-1")
  })

  it("shows a hostile id as visible escapes", () => {
    expect(overlaidEquityChart([sampleInput({ deploymentId: `x${ESC}]0;owned\u0007` })], plain)).toContain("x\\u001b]0;owned\\u0007")
  })
})
