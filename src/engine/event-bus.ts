import { ListenerError } from "../domain/errors.ts"
import type { EngineEvent, EngineEventName, EngineListener } from "./engine-events.ts"

/**
 * The engine's listeners and the order their events reach them in. Events raised inside a batch
 * (a command, a market update) are held until the outermost batch completes, so listeners only
 * ever see whole, consistent states; a failed batch's events are dropped. A listener's own
 * commands queue their events behind the ones being delivered.
 */
export class EventBus {
  readonly #listeners = new Map<EngineEventName, Set<(event: EngineEvent) => void>>()
  readonly #anyListeners = new Set<(event: EngineEvent) => void>()
  #batchDepth = 0
  #buffer: EngineEvent[] = []
  /** Events ready for listeners, in order; a listener's own commands queue theirs behind them. */
  readonly #outbox: EngineEvent[] = []
  #delivering = false

  on<K extends EngineEventName>(name: K, listener: EngineListener<K>): () => void {
    let set = this.#listeners.get(name)
    if (set === undefined) {
      set = new Set()
      this.#listeners.set(name, set)
    }
    const l = listener as unknown as (event: EngineEvent) => void
    set.add(l)
    return () => set.delete(l)
  }

  onEvent(listener: (event: EngineEvent) => void): () => void {
    this.#anyListeners.add(listener)
    return () => this.#anyListeners.delete(listener)
  }

  /** Whether anyone listens for an event: views are only built for listeners. */
  wants(type: EngineEventName): boolean {
    return this.#anyListeners.size > 0 || (this.#listeners.get(type)?.size ?? 0) > 0
  }

  emit(event: EngineEvent): void {
    if (this.#batchDepth > 0) this.#buffer.push(event)
    else this.#post([event])
  }

  /** Runs `body` with events held, then delivers them. */
  batch(body: () => void): void {
    this.open()
    let completed = false
    try {
      body()
      completed = true
    } finally {
      this.close(completed)
    }
  }

  /** Opens a batch by hand, for the per-update hot path where a closure would cost; pair with `close`. */
  open(): void {
    this.#batchDepth += 1
  }

  /** Delivers the batch's events once the outermost batch completes; a failed batch's are dropped. */
  close(completed: boolean): void {
    this.#batchDepth -= 1
    if (this.#batchDepth > 0 || this.#buffer.length === 0) return
    this.#flush(completed)
  }

  #flush(completed: boolean): void {
    const events = this.#buffer
    this.#buffer = []
    if (completed) this.#post(events)
  }

  /**
   * Delivers events in order. A listener that sends a command gets its events after the rest of
   * the current ones. A listener that throws does not keep any event from the others: every
   * listener hears every event, then the first such error is thrown, saying what was applied.
   */
  #post(events: ReadonlyArray<EngineEvent>): void {
    this.#outbox.push(...events)
    if (this.#delivering) return
    this.#delivering = true
    this.#failure = null
    try {
      for (let i = 0; i < this.#outbox.length; i++) this.#deliver(this.#outbox[i]!)
    } finally {
      this.#outbox.length = 0
      this.#delivering = false
    }
    if (this.#failure !== null) throw this.#failure
  }

  /** The first listener error of the delivery under way. */
  #failure: ListenerError | null = null

  #deliver(event: EngineEvent): void {
    for (const listener of this.#anyListeners) this.#call(listener, event)
    const set = this.#listeners.get(event.type)
    if (set !== undefined) for (const listener of set) this.#call(listener, event)
  }

  #call(listener: (event: EngineEvent) => void, event: EngineEvent): void {
    try {
      listener(event)
    } catch (cause) {
      this.#failure ??= new ListenerError({ event: event.type, cause })
    }
  }
}
