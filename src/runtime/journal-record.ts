import { collectLeaves, readShape, type Shape, type ShapeBuilder, shapeBuilder, shapeJson, shapeOf } from "./input-shape.ts"
import { readOperations, type StoredOperation } from "./operation-window.ts"
import type { SimulationInput } from "./simulation-input.ts"

/**
 * A journal record's JSON. Format 2 (written from now on) stores consecutive inputs of one shape
 * (the usual case: a feed's market updates, which differ only in their numbers) as one run: the
 * shape once, then every input's leaves in one flat array. Recovery then parses a few numbers per
 * input instead of a whole object tree (a quarter of the bytes), and reads back exactly the
 * objects the live run applied (see `journalBatch`): the same keys in the same order, the same
 * values.
 *
 *   format 2: {"seq":S,"format":2,"inputs":[item, ...]}
 *     item: an input as it is, or a run [shape, leaves]: `shape` is the inputs' common form with
 *     each leaf 0, except the input's `type`, which is kept; `leaves` holds the runs' inputs'
 *     leaves in order, input after input.
 *   format 1 (stores written before): {"seq":S,"inputs":[input, ...]}
 *
 * A record may also list the operations (`submitOnce`) whose inputs it holds, with their answers:
 * `"operations":[[id, results], ...]` (absent when there are none; readers before it ignore it).
 */
export const JOURNAL_FORMAT = 2

/**
 * One journal record: the inputs of one applied batch, in order, numbered from `seq`. A batch
 * is written atomically, so a record is all there or (a torn write) not readable at all.
 */
export interface JournalRecord {
  readonly seq: number
  readonly inputs: ReadonlyArray<SimulationInput>
  /** The operations whose inputs this record holds, with their answers. */
  readonly operations?: ReadonlyArray<StoredOperation>
}

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === "object" && !Array.isArray(value)

/** Format 2's JSON for inputs in journal form (plain JSON data, as `journalBatch` makes them). */
export const encodeJournal = (seq: number, inputs: ReadonlyArray<SimulationInput>, operations: ReadonlyArray<StoredOperation> = []): string => {
  const items: unknown[] = []
  let run: { readonly shape: Shape; readonly input: SimulationInput; readonly leaves: unknown[]; count: number } | null = null
  const close = () => {
    if (run === null) return
    // A run of one is no shorter than the input.
    items.push(run.count === 1 ? run.input : [shapeJson(run.shape), run.leaves])
    run = null
  }
  for (const input of inputs) {
    if (run !== null) {
      const mark = run.leaves.length
      if (collectLeaves(run.shape, input, run.leaves)) {
        run.count++
        continue
      }
      run.leaves.length = mark
      close()
    }
    const shape = shapeOf(input)
    if (shape === null) {
      items.push(input)
      continue
    }
    const leaves: unknown[] = []
    collectLeaves(shape, input, leaves)
    run = { shape, input, leaves, count: 1 }
  }
  close()
  const answered = operations.length === 0 ? "" : `,"operations":${JSON.stringify(operations)}`
  return `{"seq":${seq},"format":${JOURNAL_FORMAT},"inputs":${JSON.stringify(items)}${answered}}`
}

/** A stored shape's builder and its count of leaves. */
interface ReadShape {
  readonly build: ShapeBuilder
  readonly leaves: number
}

/** The shapes read lately, by their JSON: a store's runs share a few. Bounded: a damaged store may hold many. */
const shapes = new Map<string, ReadShape>()
const SHAPES_KEPT = 64

/** A stored shape (see `shapeJson`) as a builder, or what is wrong with it. */
const readStoredShape = (json: unknown): ReadShape | string => {
  const key = JSON.stringify(json)
  const known = key === undefined ? undefined : shapes.get(key)
  if (known !== undefined) return known
  const read = readShape(json)
  if (typeof read === "string") return read
  const shape = { build: shapeBuilder(read.shape), leaves: read.leaves }
  if (shapes.size >= SHAPES_KEPT) shapes.clear()
  shapes.set(key!, shape)
  return shape
}

/** A run's inputs, or what is wrong with it. */
const readRun = (item: ReadonlyArray<unknown>, into: SimulationInput[]): string | undefined => {
  const [shapeJsonValue, leaves] = item
  if (item.length !== 2 || !Array.isArray(leaves)) return "a run that is not [shape, leaves]"
  const read = readStoredShape(shapeJsonValue)
  if (typeof read === "string") return read
  if (leaves.length === 0 || leaves.length % read.leaves !== 0) return `a run of ${leaves.length} leaves for a shape of ${read.leaves}`
  if (leaves.some((leaf) => leaf !== null && typeof leaf === "object")) return "a run whose leaves hold an object"
  for (let i = 0; i < leaves.length; i += read.leaves) into.push(read.build(leaves, i) as SimulationInput)
  return undefined
}

/**
 * A journal record's body (parsed JSON, its checksum checked) as its inputs. A record whose format
 * is newer than this code is not unreadable, so it is told apart (`newer`).
 */
export const readJournal = (body: unknown): JournalRecord | { readonly problem: string } | { readonly newer: number } => {
  if (!isObject(body) || typeof body["seq"] !== "number" || !Array.isArray(body["inputs"])) return { problem: "not a journal record" }
  const { seq, format, inputs } = body as { seq: number; format?: unknown; inputs: ReadonlyArray<unknown> }
  const operations = body["operations"] === undefined ? undefined : readOperations(body["operations"])
  if (typeof operations === "string") return { problem: operations }
  const answered = operations === undefined ? {} : { operations }
  if (format === undefined) return { seq, inputs: inputs as ReadonlyArray<SimulationInput>, ...answered }
  if (format !== JOURNAL_FORMAT) return typeof format === "number" && format > JOURNAL_FORMAT ? { newer: format } : { problem: `format ${JSON.stringify(format)}` }
  const out: SimulationInput[] = []
  for (const item of inputs) {
    if (!Array.isArray(item)) {
      out.push(item as SimulationInput)
      continue
    }
    const problem = readRun(item, out)
    if (problem !== undefined) return { problem }
  }
  return { seq, inputs: out, ...answered }
}
