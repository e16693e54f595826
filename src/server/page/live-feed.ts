/**
 * The live page's updates, as server-sent events (`/ui/live`): a browser watching the simulations
 * gets `simulations` (every row) whenever any row changes; one watching a simulation gets
 * `simulation` (its view) whenever it changes, the equity curve's new points only after the
 * first. A change is seen at once when the engine publishes an event (an order's, a status
 * change), and otherwise (a market update has no event) by looking while anyone watches: every
 * POLL_MS at a simulation, every LIST_POLLS × POLL_MS at the list (which reads every deployment's
 * record). A failure to read is sent as `problem`.
 */
import type { ServerResponse } from "node:http"
import type { SimulationViews } from "./simulation-view.ts"

export const POLL_MS = 200
export const LIST_POLLS = 5

interface Watcher {
  readonly response: ServerResponse
  /** The simulation watched; null for the list. */
  readonly simulation: string | null
  /** What was last sent (its version), and how many equity points the browser holds. */
  version: string | undefined
  points: number
  /** A refresh is running; another was asked for meanwhile. */
  busy: boolean
  again: boolean
  /** Whether the session that opened the stream still lives: the stream ends with it. */
  readonly alive: () => boolean
}

const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e))

export const liveFeed = (views: SimulationViews, pollMs = POLL_MS) => {
  const watchers = new Set<Watcher>()
  let timer: ReturnType<typeof setInterval> | undefined
  let ticks = 0

  const send = (w: Watcher, event: string, data: unknown) => w.response.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)

  const look = async (w: Watcher) => {
    if (w.simulation === null) {
      const rows = await views.list()
      const version = rows.map((r) => `${r.id}:${r.version}`).join(",")
      if (version === w.version) return
      w.version = version
      send(w, "simulations", rows)
      return
    }
    if ((await views.version(w.simulation)) === w.version) return
    const view = await views.view(w.simulation, w.points)
    w.version = view.version
    w.points = view.equity.length
    send(w, "simulation", view)
  }

  const end = (w: Watcher) => {
    watchers.delete(w)
    w.response.end()
  }

  const refresh = (w: Watcher): void => {
    if (!w.alive()) return end(w)
    if (w.busy) {
      w.again = true
      return
    }
    w.busy = true
    look(w)
      .catch((e: unknown) => {
        const version = `problem:${messageOf(e)}`
        if (w.version === version) return
        w.version = version
        send(w, "problem", { message: messageOf(e) })
      })
      .finally(() => {
        w.busy = false
        if (w.again && watchers.has(w)) {
          w.again = false
          refresh(w)
        }
      })
  }

  const tick = () => {
    ticks += 1
    // Every watcher is looked at on every tick for its session; the list's data only every LIST_POLLS ticks.
    for (const w of watchers) if (!w.alive()) end(w)
    for (const w of watchers) if (w.simulation !== null || ticks % LIST_POLLS === 0) refresh(w)
  }

  return {
    /** Starts streaming to the response: its first message at once, then every change. */
    watch: (response: ServerResponse, simulation: string | null, headers: Record<string, string>, alive: () => boolean) => {
      response.writeHead(200, { ...headers, "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store", connection: "keep-alive" })
      // The browser waits this long before reconnecting after a drop.
      response.write("retry: 1000\n\n")
      const w: Watcher = { response, simulation, version: undefined, points: 0, busy: false, again: false, alive }
      watchers.add(w)
      response.on("close", () => {
        watchers.delete(w)
        if (watchers.size === 0 && timer !== undefined) {
          clearInterval(timer)
          timer = undefined
        }
      })
      timer ??= setInterval(tick, pollMs)
      refresh(w)
    },
    /** Something changed in a simulation (an engine event): its watchers and the lists look now. */
    changed: (simulationId: string) => {
      for (const w of watchers) if (w.simulation === null || w.simulation === simulationId) refresh(w)
    },
    /** Ends every stream (the server is closing). */
    close: () => {
      if (timer !== undefined) clearInterval(timer)
      timer = undefined
      for (const w of watchers) w.response.end()
      watchers.clear()
    }
  }
}

export type LiveFeed = ReturnType<typeof liveFeed>
