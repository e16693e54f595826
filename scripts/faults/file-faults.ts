/**
 * Faults in files at rest: a copy of the healthy root gets one file of a kind damaged (cut
 * short, a byte flipped, deleted), then a new stack is opened over it and judged.
 */
import { cpSync } from "node:fs"
import * as path from "node:path"
import { type Damage, flipByte, remove, truncate } from "./damage.ts"
import type { Fault } from "./fault.ts"
import { type FileKind, filesOf } from "./root-files.ts"
import { judgeRoot } from "./verdict.ts"

const onFile = (name: string, trials: number, kind: FileKind, damage: Damage): Fault => ({
  name,
  trials,
  run: async (context, random, directory) => {
    const { root, expected } = await context.healthy()
    const copy = path.join(directory, "root")
    cpSync(root, copy, { recursive: true })
    const candidates = filesOf(copy, kind, expected)
    if (candidates.length === 0) throw new Error(`the healthy root has no ${kind} file`)
    const file = random.pick(candidates)
    const what = `${path.relative(copy, file)}: ${damage(file, random)}`
    const verdicts = await judgeRoot(copy, expected, context.references)
    return { what, verdicts, acknowledged: expected.deployments.reduce((n, d) => n + d.updates.length, 0), notes: [] }
  }
})

export const fileFaults: ReadonlyArray<Fault> = [
  onFile("LevelDB .log cut short", 30, "log", truncate),
  onFile("LevelDB .log byte flipped", 30, "log", flipByte),
  onFile("missing CURRENT", 3, "current", remove),
  onFile("missing ACKNOWLEDGED (ledger)", 3, "ledger", remove),
  onFile("missing MANIFEST", 3, "manifest", remove),
  onFile("missing .ldb table", 3, "table", remove),
  onFile("missing deployment record", 4, "deployment record", remove),
  onFile("missing model record", 4, "model record", remove),
  onFile("missing artifact (content or ref)", 6, "artifact", remove),
  onFile("flip: deployment record", 12, "deployment record", flipByte),
  onFile("flip: model version record", 12, "model record", flipByte),
  onFile("flip: artifact ref", 12, "artifact ref", flipByte),
  onFile("flip: results content", 10, "results content", flipByte),
  onFile("flip: model artifact content", 6, "model artifact content", flipByte),
  onFile("flip: .ldb table", 30, "table", flipByte),
  onFile("flip: MANIFEST", 6, "manifest", flipByte),
  onFile("flip: CURRENT", 6, "current", flipByte),
  onFile("flip: ACKNOWLEDGED (ledger)", 12, "ledger", flipByte)
]
