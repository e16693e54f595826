// The main thread's side of the isolation host: starts it with the first model worker, asks it
// for workers and to terminate them, and ends it when the last worker is released. Neither the
// host nor its workers keep the process alive.
import { extname } from "node:path"
import { MessageChannel, Worker } from "node:worker_threads"
import type { HostNotice, HostRequest } from "./isolation-host.ts"
import type { WorkerAnswer, WorkerStart } from "./model-wire.ts"
import { Death, makeSignal, Slot, wake, WorkerChannel } from "./worker-signal.ts"

interface Host {
  readonly worker: Worker
  /** Workers asked for and not yet released: the host ends when there are none. */
  readonly owned: Map<number, Int32Array>
  /** Worker threads started and not yet ended, as the host reports them. */
  readonly running: Set<number>
}

/** A model worker as the main thread holds it. */
export interface ModelWorkerLink {
  readonly id: number
  readonly channel: WorkerChannel<WorkerAnswer>
  readonly host: Host
}

const hostUrl = new URL(`./isolation-host${extname(new URL(import.meta.url).pathname)}`, import.meta.url)
const hosts = new Set<Host>()
let current: Host | undefined
let nextId = 1

const openHost = (): Host => {
  const host: Host = { worker: new Worker(hostUrl), owned: new Map(), running: new Set() }
  host.worker.on("message", (notice: HostNotice) => host.running.delete(notice.id))
  // A host that ended by itself took its workers with it: whoever waits on one learns it now.
  host.worker.on("exit", () => {
    hosts.delete(host)
    if (current === host) current = undefined
    for (const signal of host.owned.values()) {
      if (Atomics.compareExchange(signal, Slot.death, Death.none, Death.exited) === Death.none) wake(signal)
    }
  })
  // What matters of a host's error is that it ended: its exit, above, tells the waiting models.
  host.worker.on("error", () => undefined)
  // After the listeners: adding a "message" listener refs the worker's port again.
  host.worker.unref()
  hosts.add(host)
  return host
}

/** Starts a model worker; it answers on the link's channel once it is ready (or could not start). */
export const spawnModelWorker = (start: Omit<WorkerStart, "port" | "signal">, memoryBoundMb: number): ModelWorkerLink => {
  const host = (current ??= openHost())
  const { port1, port2 } = new MessageChannel()
  const signal = makeSignal()
  // Starting counts as working: the host bounds the memory of what `create` builds too.
  Atomics.store(signal, Slot.busy, 1)
  const id = nextId++
  const request: HostRequest = { type: "spawn", id, start: { ...start, port: port2, signal }, memoryBoundMb }
  host.worker.postMessage(request, [port2])
  host.owned.set(id, signal)
  host.running.add(id)
  return { id, channel: new WorkerChannel(port1, signal), host }
}

/** Terminates a model worker (if it still runs) and forgets it; the host ends with its last worker. */
export const releaseModelWorker = (link: ModelWorkerLink): void => {
  link.channel.port.close()
  const { host } = link
  if (!host.owned.delete(link.id)) return
  if (host.owned.size > 0) {
    host.worker.postMessage({ type: "terminate", id: link.id } satisfies HostRequest)
    return
  }
  // Ending the host ends its workers.
  if (current === host) current = undefined
  void host.worker.terminate()
}

/** The isolation threads running in this process: hosts, and model workers (started and not yet ended). */
export const isolationThreads = (): { readonly hosts: number; readonly modelWorkers: number } => {
  let modelWorkers = 0
  for (const host of hosts) modelWorkers += host.running.size
  return { hosts: hosts.size, modelWorkers }
}
