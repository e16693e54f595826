/** Writing a report: atomically, so a reader never opens half a file. */
import { randomBytes } from "node:crypto"
import { mkdir, rename, unlink, writeFile } from "node:fs/promises"
import { basename, dirname, join, resolve } from "node:path"
import { ReportWriteError } from "./report-errors.ts"

/**
 * Writes `html` to a temporary file next to `path` and renames it over `path` (creating the
 * directory if needed). Resolves with the absolute path written; rejects with a ReportWriteError,
 * leaving no temporary file behind.
 */
export const writeReportFile = async (path: string, html: string): Promise<string> => {
  const target = resolve(path)
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
