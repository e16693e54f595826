/** The ways a trial damages one file, each at a seeded random position; each returns what it did. */
import { readFileSync, statSync, truncateSync, unlinkSync, writeFileSync } from "node:fs"
import type { SeededRandom } from "./seeded-random.ts"

export type Damage = (file: string, random: SeededRandom) => string

/** One byte xor-ed with a random non-zero mask. */
export const flipByte: Damage = (file, random) => {
  const bytes = readFileSync(file)
  if (bytes.length === 0) throw new Error(`${file} is empty: no byte to flip`)
  const at = random.int(0, bytes.length - 1)
  const mask = random.int(1, 255)
  bytes[at] = bytes[at]! ^ mask
  writeFileSync(file, bytes)
  return `byte ${at} of ${bytes.length} xor 0x${mask.toString(16).padStart(2, "0")}`
}

/** Cut short at a random length (possibly empty). */
export const truncate: Damage = (file, random) => {
  const size = statSync(file).size
  const at = random.int(0, Math.max(0, size - 1))
  truncateSync(file, at)
  return `cut to ${at} of ${size} bytes`
}

export const remove: Damage = (file) => {
  unlinkSync(file)
  return "deleted"
}
