import { describe, expect, it } from "vitest"
import fc from "fast-check"
import { DuplicateClientOrderIdError, IllegalOrderTransitionError, SimulationStateError, UnknownOrderError, ValidationError } from "../../src/domain/errors.ts"
import { decodeError, encodeError } from "../../src/runtime/error-codec.ts"
import { AcknowledgedInputsLostError, InvalidOperationIdError, SimulationNotRecoveredError, UnknownModelError, UnknownSimulationError } from "../../src/runtime/runtime-errors.ts"
import { StoreKeyTakenError, StoreReadError, StoreWriteError } from "../../src/runtime/store-errors.ts"

/** Through JSON text, as a stored answer or a cluster message carries it. */
const roundTrip = (e: Error & { readonly _tag: string }) => decodeError(JSON.parse(JSON.stringify(encodeError(e))))

describe("error-codec", () => {
  it("each typed error comes back as its own class, with its fields and its message", () => {
    const errors = [
      new UnknownOrderError({ orderId: "o-1" }),
      new IllegalOrderTransitionError({ orderId: "o-2" as never, status: "filled", event: "cancel" }),
      new SimulationStateError({ status: "stopped", command: "submitOrder" }),
      new DuplicateClientOrderIdError({ clientOrderId: "c-1", orderId: "o-3" as never }),
      new UnknownSimulationError({ simulationId: "s" }),
      new UnknownModelError({ kind: "nope", known: ["trend"] }),
      new AcknowledgedInputsLostError({ simulationId: "s", acknowledged: 9, held: null }),
      new SimulationNotRecoveredError({ simulationId: "s", reason: { _tag: "X", message: "why" } }),
      new InvalidOperationIdError({ operationId: "a b" })
    ]
    for (const error of errors) {
      const back = roundTrip(error)
      expect(back).toBeInstanceOf(error.constructor)
      expect(back.message).toBe(error.message)
      expect({ ...back }).toEqual({ ...error })
    }
    expect((roundTrip(new DuplicateClientOrderIdError({ clientOrderId: "c", orderId: "o" as never })) as DuplicateClientOrderIdError).code).toBe("duplicateClientOrderId")
  })

  it("property: a ValidationError with any issues survives JSON; what JSON cannot hold becomes its description", () => {
    fc.assert(
      fc.property(fc.array(fc.record({ field: fc.string(), rule: fc.string(), value: fc.jsonValue() }), { maxLength: 4 }), (issues) => {
        const error = new ValidationError({ subject: "order", issues })
        const back = roundTrip(error) as ValidationError
        expect(back).toBeInstanceOf(ValidationError)
        expect(back.issues).toEqual(JSON.parse(JSON.stringify(issues)))
      })
    )
    const hostile = roundTrip(new ValidationError({ subject: "marketUpdate", issues: [{ field: "x", rule: "r", value: { big: 10n, nan: Number.NaN, f: () => 1 } }] })) as ValidationError
    expect(hostile.issues[0]!.value).toEqual({ big: "10n", nan: "NaN", f: expect.any(String) })
  })

  it("a store error's cause crosses as its description; an unknown tag is refused, naming it", () => {
    const back = roundTrip(new StoreWriteError({ location: "postgres://h:5432/db", cause: new Error("connection refused") }))
    expect(back).toBeInstanceOf(StoreWriteError)
    expect(back.message).toContain("connection refused")
    expect(() => decodeError({ _tag: "NoSuchError" })).toThrow(/NoSuchError/)
    // A field left out (a range read has no key) stays out.
    const range = new StoreReadError({ location: "pg", cause: new Error("gone") })
    expect(roundTrip(range).message).toBe(range.message)
  })

  it("a cause that is itself a typed error crosses as its message, the whole chain; a cause of any shape makes a message, never a throw", () => {
    const nested = new StoreWriteError({ location: "pg", cause: new StoreWriteError({ location: "pg", cause: new StoreKeyTakenError({ keys: ["journal:a:3"] }) }) })
    const back = roundTrip(nested)
    expect(back.message).toBe(nested.message)
    expect(back.message).toContain(`"journal:a:3" exists already`)
    for (const cause of [Object.create(null), { toString: 1, valueOf: 1 }, { _tag: "X", nested: Object.create(null) }, 10n, Symbol("s"), null, undefined]) {
      expect(new StoreWriteError({ location: "pg", cause }).message).toMatch(/^Write to the store at pg failed/)
    }
  })
})
