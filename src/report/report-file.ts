/** Writing a report: atomically, so a reader never opens half a file. */
import { randomBytes } from "node:crypto"
import { constants } from "node:fs"
import { access, mkdir, rename, stat, unlink, writeFile } from "node:fs/promises"
import { basename, dirname, join, resolve } from "node:path"
import { ReportWriteError } from "./report-errors.ts"

const refused = (path: string, reason: string) => new ReportWriteError({ path, cause: new Error(reason) })

/**
 * Checks, creating nothing, that a report can be written at `path`: it is not a directory, and the
 * nearest directory above it that exists is one and is writable (the rest is made when writing).
 * Resolves with the absolute path; rejects with a ReportWriteError saying why not. For the work
 * that produces a report to refuse a bad path before it starts.
 */
export const checkReportPath = async (path: string): Promise<string> => {
  const target = resolve(path)
  if ((await stat(target).catch(() => undefined))?.isDirectory()) throw refused(target, "it is a directory")
  let dir = dirname(target)
  let found = await stat(dir).catch(() => undefined)
  while (found === undefined && dirname(dir) !== dir) {
    dir = dirname(dir)
    found = await stat(dir).catch(() => undefined)
  }
  if (found !== undefined && !found.isDirectory()) throw refused(target, `${dir} is not a directory`)
  await access(dir, constants.W_OK).catch(() => {
    throw refused(target, `${dir} is not writable`)
  })
  return target
}

/**
 * Writes `html` to a temporary file next to `path` and renames it over `path` (creating the
 * directory if needed). Resolves with the absolute path written; rejects with a ReportWriteError,
 * leaving no temporary file behind.
 */
export const writeReportFile = async (path: string, html: string): Promise<string> => {
  const target = await checkReportPath(path)
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`)
  try {
    await mkdir(dirname(target), { recursive: true })
    await writeFile(temp, html, { encoding: "utf8", flag: "wx" })
    await rename(temp, target)
    return target
  } catch (cause) {
    await unlink(temp).catch(() => undefined)
    throw new ReportWriteError({ path: target, cause })
  }
}
