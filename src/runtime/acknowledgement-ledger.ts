import { open, readFile, rename, type FileHandle } from "node:fs/promises"
import * as path from "node:path"
import { CorruptRecordError, decodeRecord, encodeRecord } from "./record-codec.ts"

/**
 * What a store acknowledged, kept outside the store's own files so that the two can be compared:
 * for each simulation, the last journal sequence number its callers were told is durable. LevelDB
 * drops what it cannot read in its log without a word; this is how a rollback is noticed.
 *
 * The file (`ACKNOWLEDGED` in the store directory) is append-only: a header line, then one line per
 * group commit, `crc32:json` like every record, each made durable (fdatasync) before the commit
 * is acknowledged. Only the store's lock holder opens it.
 */
export const LEDGER_FILE = "ACKNOWLEDGED"

/** One acknowledgement: a simulation and its last durable sequence number. */
export type Mark = readonly [simulationId: string, seq: number]

const header = { paperfloor: "acknowledgement ledger", format: 1 } as const

/** Past this size the ledger is rewritten as one line per simulation. */
const compactAbove = 4 * 1024 * 1024

export interface AcknowledgementLedger {
  /** The last acknowledged sequence number per simulation. */
  readonly marks: ReadonlyMap<string, number>
  /** Appends and syncs; on failure the file is cut back to what it held, so nothing torn stays in it. */
  readonly append: (marks: ReadonlyArray<Mark>) => Promise<void>
  /** After a failed append: reopens the file and cuts off anything torn; `marks` stays what was acknowledged. */
  readonly reopen: () => Promise<void>
  readonly close: () => Promise<void>
}

/** What a ledger file holds, or why it cannot vouch for anything. */
export type LedgerContents =
  | { readonly marks: Map<string, number>; readonly goodBytes: number }
  | { readonly problem: string }

const isMarks = (u: unknown): u is ReadonlyArray<Mark> =>
  Array.isArray(u) && u.every((m) => Array.isArray(m) && m.length === 2 && typeof m[0] === "string" && Number.isSafeInteger(m[1]))

/**
 * Reads a ledger. A bad last line is a torn append (a crash before its sync; never acknowledged)
 * and is left out; a bad line with good ones after it is damage.
 */
export const readLedger = (text: string): LedgerContents => {
  const lines = text.split("\n")
  const marks = new Map<string, number>()
  let goodBytes = 0
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    const last = i === lines.length - 1 || (i === lines.length - 2 && lines[i + 1] === "")
    if (i === lines.length - 1 && line === "") break
    let body: unknown
    try {
      body = decodeRecord(`${LEDGER_FILE} line ${i + 1}`, line)
    } catch (e) {
      if (!(e instanceof CorruptRecordError || e instanceof SyntaxError)) throw e
      if (last && i > 0) break
      return { problem: `${LEDGER_FILE} line ${i + 1} is damaged (${e.message})` }
    }
    if (i === 0) {
      if ((body as typeof header | null)?.format !== header.format) return { problem: `${LEDGER_FILE} line 1 is not a ledger header of format ${header.format}` }
    } else if (isMarks(body)) {
      for (const [id, seq] of body) marks.set(id, Math.max(seq, marks.get(id) ?? -1))
    } else return { problem: `${LEDGER_FILE} line ${i + 1} holds no acknowledgements` }
    goodBytes += Buffer.byteLength(line) + 1
  }
  if (goodBytes === 0) return { problem: `${LEDGER_FILE} is empty` }
  return { marks, goodBytes }
}

const linesFor = (marks: ReadonlyMap<string, number>): string =>
  `${encodeRecord(header)}\n${marks.size === 0 ? "" : `${encodeRecord([...marks])}\n`}`

/** Writes a whole ledger atomically: a synced temp file renamed over the old one, then the directory synced. */
const writeWhole = async (directory: string, marks: ReadonlyMap<string, number>): Promise<void> => {
  const file = path.join(directory, LEDGER_FILE)
  const temp = `${file}.tmp`
  const handle = await open(temp, "w")
  try {
    await handle.writeFile(linesFor(marks))
    await handle.sync()
  } finally {
    await handle.close()
  }
  await rename(temp, file)
  const dir = await open(directory, "r")
  try {
    await dir.sync()
  } finally {
    await dir.close()
  }
}

const openForAppend = async (directory: string, marks: Map<string, number>, size: number): Promise<AcknowledgementLedger> => {
  let handle: FileHandle = await open(path.join(directory, LEDGER_FILE), "r+")
  let end = size
  const append = async (added: ReadonlyArray<Mark>): Promise<void> => {
    if (added.length === 0) return
    const line = Buffer.from(`${encodeRecord(added)}\n`)
    try {
      await handle.write(line, 0, line.length, end)
      await handle.datasync()
    } catch (e) {
      // Cut back what may have reached the file: a later append must not follow a torn line.
      await handle.truncate(end).catch(() => undefined)
      throw e
    }
    end += line.length
    for (const [id, seq] of added) marks.set(id, Math.max(seq, marks.get(id) ?? -1))
    if (end > compactAbove && end > 8 * Buffer.byteLength(linesFor(marks))) {
      await writeWhole(directory, marks)
      await handle.close()
      handle = await open(path.join(directory, LEDGER_FILE), "r+")
      end = (await handle.stat()).size
    }
  }
  const reopen = async (): Promise<void> => {
    await handle.close().catch(() => undefined)
    handle = await open(path.join(directory, LEDGER_FILE), "r+")
    await handle.truncate(end)
    await handle.sync()
  }
  return { marks, append, reopen, close: () => handle.close() }
}

/** Starts a new ledger: nothing acknowledged yet (or, when trusting a store, nothing that can be checked). */
export const createLedger = async (directory: string): Promise<AcknowledgementLedger> => {
  await writeWhole(directory, new Map())
  return openForAppend(directory, new Map(), Buffer.byteLength(linesFor(new Map())))
}

/** Opens an existing ledger; its torn last line, if any, is cut off. */
export const openLedger = async (directory: string): Promise<AcknowledgementLedger | { readonly problem: string }> => {
  const file = path.join(directory, LEDGER_FILE)
  const text = await readFile(file, "utf8").catch((e: NodeJS.ErrnoException) => {
    if (e.code === "ENOENT") return undefined
    throw e
  })
  if (text === undefined) return { problem: `its acknowledgement ledger ${LEDGER_FILE} is missing, so nothing proves the store holds what it acknowledged` }
  const contents = readLedger(text)
  if ("problem" in contents) return { problem: `${contents.problem}, so nothing proves the store holds what it acknowledged` }
  if (contents.goodBytes < Buffer.byteLength(text)) {
    const handle = await open(file, "r+")
    try {
      await handle.truncate(contents.goodBytes)
      await handle.sync()
    } finally {
      await handle.close()
    }
  }
  return openForAppend(directory, contents.marks, contents.goodBytes)
}
