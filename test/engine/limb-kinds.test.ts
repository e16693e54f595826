import { execFileSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const program = fileURLToPath(new URL("./programs/orders-every-update.ts", import.meta.url))

describe("the digits of the engine's decimals", () => {
  it("stay arrays of small integers: compiled code converts none of them on the order path, whatever Decimals other code made", () => {
    // Without baseline code: V8's trace of a conversion made there can abort the process (a check in its printer).
    const trace = execFileSync(process.execPath, ["--no-sparkplug", "--trace-elements-transitions", program], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 })
    expect(trace).toContain("the simulation starts")
    expect(trace).toMatch(/^\d{4,} fills \(and some of our own\)$/m)
    // A Decimal's digits (decimal.js's `d`) are an array of small integers. The engine made a small integer's through
    // decimal.js's `[v]` (decimalOf, its constants, its config), which makes arrays of doubles once any double has passed it;
    // limb arrays of both kinds then had optimised code convert each small-integer one it read to doubles, a call into the
    // runtime and a new array, about 15 an order (307,165 over this run).
    const simulation = trace.slice(trace.indexOf("the simulation starts"))
    const converted = simulation.split("\n").filter((line) => line.includes("SMI_ELEMENTS -> PACKED_DOUBLE_ELEMENTS") && /\/(src|node_modules\/decimal\.js)\//.test(line))
    expect(converted.length, converted.slice(0, 5).join("\n")).toBeLessThanOrEqual(20)
  }, 120_000)
})
