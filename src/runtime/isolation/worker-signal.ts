import { setTimeout as sleep } from "node:timers/promises"
import { type MessagePort, receiveMessageOnPort } from "node:worker_threads"

/**
 * A model worker's signal: int32 slots in a SharedArrayBuffer that the main thread, the isolation
 * host and the worker share. Posting an answer or marking a death bumps `notify`, which is what
 * the main thread waits on; posting a request bumps `request`, which is what the worker waits on.
 * Both wait with `Atomics.wait`, without an event loop, which is much quicker to wake.
 */
export const Slot = { notify: 0, death: 1, busy: 2, exitCode: 3, request: 4 } as const

/** Why a worker is gone, as the host saw it; `none` while it lives. */
export const Death = { none: 0, memory: 1, exited: 2 } as const

export const makeSignal = (): Int32Array => new Int32Array(new SharedArrayBuffer(5 * Int32Array.BYTES_PER_ELEMENT))

/** Wakes the main thread if it waits on this worker. */
export const wake = (signal: Int32Array): void => {
  Atomics.add(signal, Slot.notify, 1)
  Atomics.notify(signal, Slot.notify)
}

/** Wakes the worker for a request just posted on its port. */
export const wakeWorker = (signal: Int32Array): void => {
  Atomics.add(signal, Slot.request, 1)
  Atomics.notify(signal, Slot.request)
}

/** In the worker: blocks until the main thread's next message (it bumps `request` after posting one). */
export const receiveFromMain = (port: MessagePort, signal: Int32Array): unknown => {
  for (;;) {
    const seen = Atomics.load(signal, Slot.request)
    const received = receiveMessageOnPort(port)
    if (received !== undefined) return received.message
    Atomics.wait(signal, Slot.request, seen)
  }
}

/** What a wait on a worker found: its next message, that it is gone, or nothing before the deadline. */
export type Next<M> =
  | { readonly kind: "message"; readonly message: M }
  | { readonly kind: "death"; readonly death: "memory" | "exited"; readonly exitCode: number }
  | { readonly kind: "timeout" }

const TIMEOUT: Next<never> = { kind: "timeout" }

/** The main thread's end of a model worker: its port and its signal. */
export class WorkerChannel<M> {
  readonly port: MessagePort
  readonly signal: Int32Array

  constructor(port: MessagePort, signal: Int32Array) {
    this.port = port
    this.signal = signal
  }

  #poll(): Next<M> | undefined {
    // An answer posted just before the worker died still counts.
    const received = receiveMessageOnPort(this.port)
    if (received !== undefined) return { kind: "message", message: received.message as M }
    const death = Atomics.load(this.signal, Slot.death)
    if (death === Death.none) return undefined
    return { kind: "death", death: death === Death.memory ? "memory" : "exited", exitCode: Atomics.load(this.signal, Slot.exitCode) }
  }

  /** Blocks this thread until the worker's next message or death, or `deadline` (performance.now() ms). */
  nextSync(deadline: number): Next<M> {
    for (;;) {
      // Read before polling: whatever arrives after the poll has moved it, and the wait returns at once.
      const seen = Atomics.load(this.signal, Slot.notify)
      const next = this.#poll()
      if (next !== undefined) return next
      const remaining = deadline - performance.now()
      if (remaining <= 0) return TIMEOUT
      Atomics.wait(this.signal, Slot.notify, seen, remaining)
    }
  }

  /**
   * As `nextSync`, without blocking the thread: polled every few milliseconds, for a worker's
   * start (a one-off of hundreds of ms). A timer, unlike a pending wait, keeps the process alive.
   */
  async next(deadline: number): Promise<Next<M>> {
    for (;;) {
      const next = this.#poll()
      if (next !== undefined) return next
      if (performance.now() >= deadline) return TIMEOUT
      await sleep(2)
    }
  }
}
