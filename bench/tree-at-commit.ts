import { execFileSync } from "node:child_process"
import { mkdtempSync, symlinkSync } from "node:fs"
import os from "node:os"
import path from "node:path"
import { fileURLToPath } from "node:url"

/** This repository's root. */
export const repositoryRoot = fileURLToPath(new URL("..", import.meta.url))

/**
 * The given folders of an earlier commit, extracted with `git archive` into a temporary directory
 * that links this tree's node_modules, so that its sources run as they are, like this tree's.
 * The caller removes the directory.
 */
export const treeAtCommit = (rev: string, folders: ReadonlyArray<string>): string => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "paperfloor-tree-"))
  // The sources' archive is several MB: past execFileSync's default 1 MB buffer.
  const tar = execFileSync("git", ["-C", repositoryRoot, "archive", rev, ...folders], { maxBuffer: 256 * 1024 * 1024 })
  execFileSync("tar", ["-x", "-C", dir], { input: tar })
  symlinkSync(path.join(repositoryRoot, "node_modules"), path.join(dir, "node_modules"))
  return dir
}
