import { Result, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { decodeOrFail } from "../../src/domain/validation.ts"

const throwing = (): never => {
  throw new Error("a getter that throws")
}

const schema = Schema.Struct({
  name: Schema.String,
  limits: Schema.optionalKey(Schema.Struct({ rate: Schema.Number })),
  tags: Schema.optionalKey(Schema.Array(Schema.String))
})
const decode = decodeOrFail(schema, "config")

const issuesOf = (input: unknown) => {
  const result = decode(input)
  if (Result.isSuccess(result)) throw new Error("expected a refusal")
  return result.failure.issues.map((i) => ({ field: i.field, rule: i.rule }))
}

describe("decodeOrFail", () => {
  it("refuses a part that cannot be read naming its path and what it threw, never throwing it", () => {
    expect(issuesOf({ name: "a", limits: { get rate(): number { return throwing() } } })).toEqual([
      { field: "limits.rate", rule: "could not be read (a getter that throws)" }
    ])
    expect(issuesOf({ name: "a", tags: ["x", new Proxy({}, { ownKeys: throwing })] })).toEqual([{ field: "tags.1", rule: "could not be read (a getter that throws)" }])
    const { proxy, revoke } = Proxy.revocable({}, {})
    revoke()
    expect(issuesOf(proxy)).toEqual([{ field: "(input)", rule: "could not be read (Cannot perform 'IsArray' on a proxy that has been revoked)" }])
    const result = decode(proxy)
    if (Result.isSuccess(result)) throw new Error("expected a refusal")
    expect(result.failure.message).toBe("Invalid config: (input) could not be read (Cannot perform 'IsArray' on a proxy that has been revoked) (got nothing)")
  })

  it("validates what it read once: a getter that answers differently later is taken at its first answer", () => {
    let reads = 0
    const input = {
      get name() {
        reads += 1
        return reads === 1 ? "first" : 2
      }
    }
    expect(decode(input)).toEqual(Result.succeed({ name: "first" }))
    expect(reads).toBe(1)
  })

  it("refuses unknown fields nested inside known ones, valid otherwise or not", () => {
    expect(issuesOf({ name: "a", limits: { rate: 1, burst: 2 } })).toEqual([{ field: "limits.burst", rule: "is not a known field" }])
    expect(issuesOf({ name: "a", colour: "red" })).toEqual([{ field: "colour", rule: "is not a known field" }])
  })

  it("says what an object of another class threw while it was decoded", () => {
    class Hostile {
      get name(): string {
        return throwing()
      }
    }
    expect(issuesOf(new Hostile())).toEqual([{ field: "(input)", rule: "could not be decoded (a getter that throws)" }])
  })
})
