import { type ActionFunction, assign, type EventObject, type MachineContext } from "xstate"

export type Params = Readonly<Record<string, unknown>> | undefined
export type Guard<C, E> = (context: C, event: E, params: Params) => boolean
export type Updater<C, E> = (context: C, event: E, params: Params) => C

/**
 * A machine's guards and context updates as pure functions of (context, event, params). Written
 * once, they run in the XState definition (through `forXState`) and in the compiled table the
 * engine runs (`compileMachine`), so the two cannot drift apart.
 */
export interface MachineImplementations<C, E, G extends string = string, U extends string = string> {
  readonly guards: Readonly<Record<G, Guard<C, E>>>
  readonly updaters: Readonly<Record<U, Updater<C, E>>>
}

type XStateGuard<C, E> = (args: { readonly context: C; readonly event: E }, params: Params) => boolean
type XStateAction<C extends MachineContext, E extends EventObject> = ActionFunction<C, E, E, Params, never, never, never, never, EventObject>

const mapValues = <K extends string, A, B>(record: Readonly<Record<K, A>>, f: (a: A) => B): Record<K, B> =>
  Object.fromEntries(Object.entries(record).map(([k, v]) => [k, f(v as A)])) as Record<K, B>

/** The same implementations in XState's shape, for `setup({ ...forXState(implementations) })`. */
export const forXState = <C extends MachineContext, E extends EventObject, G extends string, U extends string>(
  implementations: MachineImplementations<C, E, G, U>
): { readonly guards: Record<G, XStateGuard<C, E>>; readonly actions: Record<U, XStateAction<C, E>> } => ({
  guards: mapValues(implementations.guards, (guard): XStateGuard<C, E> => ({ context, event }, params) => guard(context, event, params)),
  actions: mapValues(implementations.updaters, (update) => assign<C, E, Params, E, never>(({ context, event }, params) => update(context, event, params)))
})
