// The supervisor's typed errors as they cross between runner and client: a runner sends an error's
// tag and fields (error-codec.ts), the client rebuilds the same class, so a caller of the cluster
// supervisor matches on the same `_tag`s and `instanceof`s as with the in-process one.
import { Schema } from "effect"
import { decodeError, type EncodedError, encodeError } from "../error-codec.ts"

/** An error of the simulation's runner, as sent: `error` is `{ _tag, ...fields }` (JSON). */
export class RemoteSimulationError extends Schema.TaggedError<RemoteSimulationError>()("RemoteSimulationError", { error: Schema.Unknown }) {}

export const toRemote = (error: Error & { readonly _tag: string }): RemoteSimulationError => new RemoteSimulationError({ error: encodeError(error) })

export const fromRemote = (remote: RemoteSimulationError): Error & { readonly _tag: string } => decodeError(remote.error as EncodedError)
