import { Data } from "effect"

/** The runner could not listen where it was told to (the port is taken, the host is not this machine's). */
export class RunnerListenError extends Data.TaggedError("RunnerListenError")<{
  /** `host:port` */
  readonly address: string
  readonly reason: string
}> {
  override get message(): string {
    return `the runner cannot listen on ${this.address}: ${this.reason}`
  }
}

/** A socket server's failure to open, as the runner's own error: Effect's says only "Open". */
export const listenFailure = (address: string, error: unknown): RunnerListenError | undefined => {
  const tag = (error as { readonly _tag?: unknown } | null)?._tag
  if (tag !== "SocketServerError") return undefined
  const cause = (error as { readonly cause?: unknown }).cause
  const code = (cause as { readonly code?: unknown } | null)?.code
  const reason = cause instanceof Error ? (typeof code === "string" ? `${code}: ${cause.message}` : cause.message) : String(cause)
  return new RunnerListenError({ address, reason })
}
