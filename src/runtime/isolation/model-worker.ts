// A model's worker thread: imports the module, builds the model with `create`, then answers one
// `onUpdate` call per message. It waits for requests and the main thread for answers on a shared
// signal (Atomics.wait) rather than through event loops: a round trip then takes microseconds.
// The thread returns to its event loop only to pass on what the model wrote to the console (a
// model is a pure reducer: it has no timers or I/O of its own). Started by the isolation host.
import { createHash } from "node:crypto"
import { readFile } from "node:fs/promises"
import { setTimeout as sleep } from "node:timers/promises"
import { pathToFileURL } from "node:url"
import { receiveMessageOnPort, workerData } from "node:worker_threads"
import type { TradingModel } from "../../engine/trading-model.ts"
import { modelCall, sendableOutput, thrownOf, type UpdateRequest, type ViewAnswer, type ViewRequest, type WorkerAnswer, type WorkerStart } from "./model-wire.ts"
import { receiveFromMain, Slot, wake } from "./worker-signal.ts"

const start = workerData as WorkerStart
const { port, signal } = start

const describe = (e: unknown): string => {
  const thrown = thrownOf(e)
  return "text" in thrown ? thrown.text : `${thrown.name}: ${thrown.message}`
}

const answer = (message: WorkerAnswer): void => {
  try {
    port.postMessage(message)
  } catch (e) {
    // Something in the output cannot be cloned (a function in an order, say).
    port.postMessage({ type: "unsendable", reason: describe(e) } satisfies WorkerAnswer)
  }
  wake(signal)
}

const startFailed = (reason: string): WorkerAnswer => ({ type: "startFailed", reason: `could not start: ${reason}` })

/** The model, or why there is none. The module is read, checked against its sha256 and imported from that content's URL, as the registry does. */
const build = async (): Promise<TradingModel | WorkerAnswer> => {
  const { path, sha256 } = start.module
  let source: Buffer
  try {
    source = await readFile(path)
  } catch (e) {
    return startFailed(`its module ${path} cannot be read (${describe(e)})`)
  }
  const actual = createHash("sha256").update(source).digest("hex")
  if (actual !== sha256) return startFailed(`its module ${path} changed since the version was registered (sha256 ${sha256}, now ${actual})`)
  let kind: unknown
  try {
    kind = ((await import(`${pathToFileURL(path).href}?sha256=${sha256}`)) as Record<string, unknown>)["modelKind"]
  } catch (e) {
    return startFailed(`its module ${path} failed to import (${describe(e)})`)
  }
  if (kind === null || typeof kind !== "object" || typeof (kind as { create?: unknown }).create !== "function") {
    return startFailed(`its module ${path} does not export a \`modelKind\` with a \`create\``)
  }
  const artifacts = Object.fromEntries(
    Object.entries(start.artifacts).map(([name, a]) => [name, { ...a, content: Buffer.from(a.content.buffer, a.content.byteOffset, a.content.byteLength) }])
  )
  let model: unknown
  try {
    model = (kind as { create: (params: unknown, artifacts: unknown) => unknown }).create(start.params, artifacts)
  } catch (e) {
    return startFailed(`create threw ${describe(e)}`)
  }
  if (model === null || typeof model !== "object" || typeof (model as { onUpdate?: unknown }).onUpdate !== "function") {
    return startFailed("create returned no model ({ initialState, onUpdate })")
  }
  return model as TradingModel
}

/** A read of the view, from the main thread, which waits for this call's answer meanwhile. */
const ask = (request: ViewRequest): ViewAnswer["value"] => {
  answer(request)
  return (receiveFromMain(port, signal) as ViewAnswer).value
}

const update = (model: TradingModel, request: UpdateRequest): WorkerAnswer => {
  const { state, input } = modelCall(request, ask)
  let output: unknown
  try {
    output = model.onUpdate(state, input)
  } catch (e) {
    return { type: "threw", thrown: thrownOf(e) }
  }
  try {
    return { type: "output", output: sendableOutput(output) }
  } catch (e) {
    return { type: "unsendable", reason: describe(e) }
  }
}

/** Console output still on its way to the parent: it moves only while this thread's event loop turns. */
const writing = (): boolean => process.stdout.writableLength + process.stderr.writableLength > 0

/** The next update, waited for without the event loop unless console output is pending. */
const nextUpdate = async (): Promise<UpdateRequest> => {
  for (;;) {
    const seen = Atomics.load(signal, Slot.request)
    const received = receiveMessageOnPort(port)
    if (received !== undefined) return received.message as UpdateRequest
    // A timer, unlike a pending wait, keeps the event loop (and so the worker) alive.
    if (writing()) await sleep(1)
    else Atomics.wait(signal, Slot.request, seen)
  }
}

// Not awaited at the top level: a worker terminated while it waits must not leave the module unsettled.
const serve = async (model: TradingModel): Promise<never> => {
  for (;;) answer(update(model, await nextUpdate()))
}

const built = await build()
if ("onUpdate" in built) {
  answer({ type: "ready", initialState: built.initialState })
  void serve(built)
} else {
  answer(built)
}
