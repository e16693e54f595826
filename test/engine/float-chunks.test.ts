import { describe, expect, it } from "vitest"
import { chunkIndex, chunkLength, chunkStart, newChunk, zeroChunk } from "../../src/engine/float-chunks.ts"

describe("float chunks", () => {
  it("lay chunks end to end, each value in exactly one", () => {
    expect(chunkStart(0)).toBe(0)
    for (let c = 0; c < 12; c++) expect(chunkStart(c + 1)).toBe(chunkStart(c) + chunkLength(c))
    for (let i = 0; i < 300_000; i++) {
      const c = chunkIndex(i)
      expect(chunkStart(c) <= i && i < chunkStart(c) + chunkLength(c)).toBe(true)
    }
  })

  it("double from 1,024 values to 32,768, then stay", () => {
    expect([0, 1, 2, 3, 4, 5, 6, 20].map(chunkLength)).toEqual([1_024, 2_048, 4_096, 8_192, 16_384, 32_768, 32_768, 32_768])
  })

  it("come filled", () => {
    expect(zeroChunk(0).every((v) => Object.is(v, 0))).toBe(true)
    expect(newChunk(1).every(Number.isNaN)).toBe(true)
    expect([zeroChunk(7).length, newChunk(7).length]).toEqual([32_768, 32_768])
  })
})
