import type { AnyStateMachine } from "xstate"
import type { Guard, MachineImplementations, Params, Updater } from "./implementations.ts"

interface CompiledTransition<C, E> {
  readonly target: string | undefined
  readonly guard: { readonly fn: Guard<C, E>; readonly params: Params } | undefined
  readonly actions: ReadonlyArray<{ readonly fn: Updater<C, E>; readonly params: Params }>
}

/** The outcome of one event: the next status and context, or `undefined` if the event is illegal there. */
export type Step<S extends string, C> = { readonly status: S; readonly context: C } | undefined

export interface CompiledMachine<S extends string, C, E extends { readonly type: string }> {
  readonly step: (status: S, context: C, event: E) => Step<S, C>
  /** The event types each status has a transition for (guards not evaluated). */
  readonly accepts: (status: S, eventType: E["type"]) => boolean
  /** The statuses whose state carries the tag, in definition order. */
  readonly tagged: (tag: string) => ReadonlySet<S>
  /** Every status one event can lead to from `status` (guards not evaluated; the status itself only if an edge returns to it). */
  readonly targets: (status: S) => ReadonlySet<S>
}

const named = (ref: unknown): { readonly type: string; readonly params: Params } => {
  if (typeof ref === "string") return { type: ref, params: undefined }
  if (ref !== null && typeof ref === "object" && "type" in ref && typeof ref.type === "string")
    return { type: ref.type, params: (ref as { params?: Params }).params }
  throw new TypeError(`machine references must be by name, got ${JSON.stringify(ref)}`)
}

/**
 * Compiles a flat XState machine into a lookup table that runs the same named guards and context
 * updates as the machine. XState's own `transition()` costs tens of µs per event; the table costs
 * well under one, which is what lets the engine keep every order in its machine on the hot path.
 * The definition stays the single source of truth: the table is read from it at load time, and
 * tests check the two agree on every (state, event).
 */
export const compileMachine = <S extends string, C, E extends { readonly type: string }>(
  machine: AnyStateMachine,
  implementations: MachineImplementations<C, E>
): CompiledMachine<S, C, E> => {
  const table = new Map<string, Map<string, ReadonlyArray<CompiledTransition<C, E>>>>()
  for (const [status, node] of Object.entries(machine.root.states)) {
    if (Object.keys(node.states).length > 0) throw new TypeError(`compileMachine takes flat machines; ${status} has children`)
    // The table runs event transitions only: anything else in the definition would be silently skipped.
    if (node.entry.length > 0 || node.exit.length > 0 || node.always !== undefined || node.after.length > 0 || node.invoke.length > 0)
      throw new TypeError(`compileMachine takes event transitions only; ${status} has entry, exit, always, after or invoke`)
    const byEvent = new Map<string, ReadonlyArray<CompiledTransition<C, E>>>()
    for (const [eventType, transitions] of node.transitions) {
      byEvent.set(
        eventType,
        transitions.map((t) => {
          const guard = t.guard === undefined ? undefined : named(t.guard)
          const guardFn: Guard<C, E> | undefined = guard === undefined ? undefined : implementations.guards[guard.type]
          if (guard !== undefined && guardFn === undefined) throw new TypeError(`no guard implementation for ${guard.type}`)
          const targets = t.target ?? []
          if (targets.length > 1) throw new TypeError(`compileMachine takes single targets (${status} on ${eventType})`)
          return {
            target: targets[0]?.key,
            guard: guard === undefined || guardFn === undefined ? undefined : { fn: guardFn, params: guard.params },
            actions: t.actions.map((a) => {
              const action = named(a)
              const fn: Updater<C, E> | undefined = implementations.updaters[action.type]
              if (fn === undefined) throw new TypeError(`no updater implementation for ${action.type}`)
              return { fn, params: action.params }
            })
          }
        })
      )
    }
    table.set(status, byEvent)
  }
  const statuses = Object.keys(machine.root.states) as S[]
  return {
    step: (status, context, event) => {
      const candidates = table.get(status)?.get(event.type)
      if (candidates === undefined) return undefined
      for (const t of candidates) {
        if (t.guard !== undefined && !t.guard.fn(context, event, t.guard.params)) continue
        let next = context
        for (const a of t.actions) next = a.fn(next, event, a.params)
        return { status: (t.target ?? status) as S, context: next }
      }
      return undefined
    },
    accepts: (status, eventType) => table.get(status)?.has(eventType) ?? false,
    tagged: (tag) => new Set(statuses.filter((s) => machine.root.states[s]!.tags.includes(tag))),
    targets: (status) => new Set([...(table.get(status)?.values() ?? [])].flat().map((t) => (t.target ?? status) as S))
  }
}
