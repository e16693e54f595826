import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { ReportWriteError } from "../../src/report/report-errors.ts"
import { checkReportPath, writeReportFile } from "../../src/report/report-file.ts"

const made: string[] = []
afterAll(() => Promise.all(made.map((d) => rm(d, { recursive: true, force: true }))))
const tempDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), "paperfloor-report-file-"))
  made.push(dir)
  return dir
}

const failure = (promise: Promise<unknown>) => promise.then(() => expect.fail("expected a ReportWriteError"), (e: unknown) => e as ReportWriteError)

describe("checkReportPath", () => {
  it("resolves with the absolute path of a report that can be written, creating nothing", async () => {
    const dir = await tempDir()
    expect(await checkReportPath(join(dir, "new", "deeper", "..", "report.html"))).toBe(join(dir, "new", "report.html"))
    await writeFile(join(dir, "old.html"), "a report from before")
    expect(await checkReportPath(join(dir, "old.html"))).toBe(join(dir, "old.html"))
    expect(await readdir(dir)).toEqual(["old.html"])
  })

  it.each([
    ["a directory", (dir: string) => dir, "it is a directory"],
    ["below a file", (dir: string) => join(dir, "file", "report.html"), "is not a directory"]
  ])("refuses a path that is %s, saying why", async (_name, target, reason) => {
    const dir = await tempDir()
    await writeFile(join(dir, "file"), "not a directory")
    const error = await failure(checkReportPath(target(dir)))
    expect(error).toBeInstanceOf(ReportWriteError)
    expect(error.path).toBe(target(dir))
    expect(error.message).toContain(reason)
  })
})

describe("writeReportFile", () => {
  // Not "EISDIR: illegal operation on a directory, rename '/tmp/.x.123.abc.tmp' -> …".
  it("over a directory: a ReportWriteError saying it is one; the directory is left as it was", async () => {
    const dir = await tempDir()
    await mkdir(join(dir, "out"))
    const error = await failure(writeReportFile(join(dir, "out"), "<!doctype html>"))
    expect(error.message).toBe(`Could not write the report ${join(dir, "out")}: it is a directory`)
    expect(await readdir(dir)).toEqual(["out"])
    expect(await readdir(join(dir, "out"))).toEqual([])
  })
})
