/**
 * The files of a storage root by kind: the LevelDB store's own files, the acknowledgement ledger,
 * and the deployer's JSON records and artifacts. A fault picks one file of a kind.
 */
import { existsSync, readdirSync, statSync } from "node:fs"
import * as path from "node:path"
import type { Expected } from "./expectations.ts"

export type FileKind =
  | "log"
  | "table"
  | "manifest"
  | "current"
  | "ledger"
  | "deployment record"
  | "model record"
  | "artifact"
  | "artifact ref"
  | "results content"
  | "model artifact content"

/** Where the deployer keeps the simulations' store under a root (its default). */
export const storeDirectoryOf = (root: string): string => path.join(root, "simulations")

const filesIn = (dir: string, pattern: RegExp): ReadonlyArray<string> =>
  existsSync(dir) ? readdirSync(dir).filter((n) => pattern.test(n)).sort().map((n) => path.join(dir, n)) : []

const nonEmpty = (files: ReadonlyArray<string>) => files.filter((f) => statSync(f).size > 0)

const resultsShas = (expected: Expected): ReadonlyArray<string> =>
  expected.deployments.flatMap((d) => (d.stopped === undefined ? [] : [(JSON.parse(d.stopped) as { resultsArtifact: string }).resultsArtifact]))

/** The files of a kind under `root`, in a stable order. */
export const filesOf = (root: string, kind: FileKind, expected: Expected): ReadonlyArray<string> => {
  const store = storeDirectoryOf(root)
  const artifacts = path.join(root, "artifacts")
  const results = new Set<string>(resultsShas(expected))
  switch (kind) {
    case "log":
      return nonEmpty(filesIn(store, /^\d+\.log$/))
    case "table":
      return filesIn(store, /^\d+\.ldb$/)
    case "manifest":
      return filesIn(store, /^MANIFEST-\d+$/)
    case "current":
      return filesIn(store, /^CURRENT$/)
    case "ledger":
      return filesIn(store, /^ACKNOWLEDGED$/)
    case "deployment record":
      return filesIn(path.join(root, "deployments"), /\.json$/)
    case "model record":
      return existsSync(path.join(root, "models")) ? readdirSync(path.join(root, "models")).sort().flatMap((m) => filesIn(path.join(root, "models", m), /\.json$/)) : []
    case "artifact":
      return filesIn(artifacts, /^[0-9a-f]{64}(\.json)?$/)
    case "artifact ref":
      return filesIn(artifacts, /^[0-9a-f]{64}\.json$/)
    case "results content":
      return resultsShas(expected).map((sha) => path.join(artifacts, sha))
    case "model artifact content":
      return filesIn(artifacts, /^[0-9a-f]{64}$/).filter((f) => !results.has(path.basename(f)))
  }
}
