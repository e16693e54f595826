// The isolation host: one thread per process that starts and watches the model workers. The main
// thread waits for a model's answer with Atomics.wait, so it cannot see a worker die until it
// stops waiting; this thread can. When a worker runs out of memory (its heap limit, or heap plus
// buffers past its bound, polled while it works) or exits, the host marks why in the worker's
// signal and wakes the main thread.
import { extname } from "node:path"
import { parentPort, Worker } from "node:worker_threads"
import type { WorkerStart } from "./model-wire.ts"
import { Death, Slot, wake } from "./worker-signal.ts"

export type HostRequest =
  | { readonly type: "spawn"; readonly id: number; readonly start: WorkerStart; readonly memoryBoundMb: number }
  | { readonly type: "terminate"; readonly id: number }

/** Sent to the main thread once a model worker's thread has ended. */
export interface HostNotice {
  readonly type: "exited"
  readonly id: number
}

/** How often a working model's memory is read. Buffers are outside the heap limit, so only this bounds them. */
const MEMORY_POLL_MS = 20
const MB = 2 ** 20

interface Watched {
  readonly worker: Worker
  readonly signal: Int32Array
  readonly boundBytes: number
  polling: boolean
}

const workerUrl = new URL(`./model-worker${extname(new URL(import.meta.url).pathname)}`, import.meta.url)
const watched = new Map<number, Watched>()
const host = parentPort!

/** Marks the first cause of a worker's end and wakes the main thread. */
const died = (w: Watched, death: number, exitCode = 0): void => {
  if (Atomics.load(w.signal, Slot.death) !== Death.none) return
  Atomics.store(w.signal, Slot.exitCode, exitCode)
  Atomics.store(w.signal, Slot.death, death)
  wake(w.signal)
}

const spawn = (id: number, start: WorkerStart, memoryBoundMb: number): void => {
  const worker = new Worker(workerUrl, {
    workerData: start,
    transferList: [start.port],
    // The heap cannot grow past the bound; a worker that reaches it is stopped with ERR_WORKER_OUT_OF_MEMORY.
    resourceLimits: { maxOldGenerationSizeMb: memoryBoundMb }
  })
  const w: Watched = { worker, signal: start.signal, boundBytes: memoryBoundMb * MB, polling: false }
  watched.set(id, w)
  worker.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "ERR_WORKER_OUT_OF_MEMORY") died(w, Death.memory)
  })
  worker.on("exit", (code) => {
    died(w, Death.exited, code)
    watched.delete(id)
    host.postMessage({ type: "exited", id } satisfies HostNotice)
  })
}

const pollMemory = (): void => {
  for (const w of watched.values()) {
    if (w.polling || Atomics.load(w.signal, Slot.busy) === 0) continue
    w.polling = true
    w.worker.getHeapStatistics().then(
      (heap) => {
        w.polling = false
        if (heap.used_heap_size + heap.external_memory <= w.boundBytes) return
        died(w, Death.memory)
        void w.worker.terminate()
      },
      () => (w.polling = false)
    )
  }
}

setInterval(pollMemory, MEMORY_POLL_MS)
host.on("message", (request: HostRequest) => {
  if (request.type === "spawn") spawn(request.id, request.start, request.memoryBoundMb)
  else void watched.get(request.id)?.worker.terminate()
})
