// The store a command works on: it owns the simulations' store from its first check to its end.
import { join } from "node:path"
import { Level } from "level"
import { afterAll, describe, expect, it } from "vitest"
import { withStore } from "../../src/cli/store.ts"
import { tempDirs } from "./cli-harness.ts"

const dirs = tempDirs()
afterAll(dirs.cleanup)

const opens = async (directory: string): Promise<boolean> => {
  const db = new Level(directory)
  try {
    await db.open()
    await db.close()
    return true
  } catch {
    return false
  }
}

describe("withStore", () => {
  // Checking the lock and letting go left a gap: another process could take the store between the
  // check and the deploy, after the model was registered (a refused deploy that wrote something).
  it("own() keeps the store until the command ends: nobody else opens it in between", async () => {
    const root = await dirs.make()
    const simulations = join(root, "simulations")
    await withStore({ store: root }, async (store) => {
      await store.own()
      expect(await opens(simulations)).toBe(false)
    })
    expect(await opens(simulations)).toBe(true)
  })
})
