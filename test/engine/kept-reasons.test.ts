import { execFileSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const program = fileURLToPath(new URL("./programs/refused-orders.ts", import.meta.url))

describe("a refused order's reason", () => {
  it("is kept in one piece: the run keeps under 500 bytes per refused order (891 when kept as built), not the pieces its reason was written from", () => {
    const out = JSON.parse(execFileSync(process.execPath, ["--expose-gc", program], { encoding: "utf8" }).trim().split("\n").pop()!) as {
      refused: number
      fills: number
      bytesPerOrder: number
    }
    expect(out.fills).toBe(0)
    expect(out.refused).toBeGreaterThan(19_990)
    // The reason (about 300 characters) as the risk rule built it, from templates and numerals written limb by limb, was
    // a tree of its pieces of about 1.4 KB, kept for the rest of the run; flattened, it takes its characters.
    expect(out.bytesPerOrder).toBeLessThan(500)
  }, 120_000)
})
