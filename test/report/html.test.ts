import { fc, test } from "@fast-check/vitest"
import { describe, expect, it } from "vitest"
import { displayJson, escapeHtml, inlineRawText, jsonForScript } from "../../src/report/html.ts"

describe("jsonForScript", () => {
  test.prop([fc.jsonValue(), fc.string({ unit: "grapheme" })])("has no <, >, & or U+2028/2029, and parses back to the value", (value, text) => {
    for (const v of [value, { text, value }, `${text}</script><!--\u2028\u2029&`]) {
      const out = jsonForScript(v)
      expect(out).not.toMatch(/[<>&\u2028\u2029]/)
      expect(JSON.parse(out)).toEqual(JSON.parse(JSON.stringify(v)))
    }
  })
})

describe("escapeHtml", () => {
  test.prop([fc.string({ unit: "grapheme" })])("leaves no markup character and reads back as the text", (text) => {
    const out = escapeHtml(text)
    expect(out).not.toMatch(/[<>"']/)
    const decoded = out.replace(/&(lt|gt|quot|#39|amp);/g, (_, e: string) => ({ lt: "<", gt: ">", quot: '"', "#39": "'", amp: "&" })[e]!)
    expect(decoded).toBe(text)
  })
})

describe("inlineRawText", () => {
  it("keeps library code from closing its element", () => {
    expect(inlineRawText('s="</script>";t="</SCRIPT"', "script")).toBe('s="<\\/script>";t="<\\/SCRIPT"')
    expect(inlineRawText("a{content:'</style>'}", "style")).toBe("a{content:'<\\/style>'}")
  })
})

describe("displayJson", () => {
  it("shows params that are not JSON too", () => {
    const cyclic: Record<string, unknown> = {}
    cyclic["self"] = cyclic
    expect(displayJson({ a: 1 })).toBe('{\n  "a": 1\n}')
    expect(displayJson(undefined)).toBe("(none)")
    expect(displayJson({ n: 10n })).toBe('{\n  "n": "10"\n}')
    expect(displayJson(cyclic)).toBe("[object Object]")
  })
})
