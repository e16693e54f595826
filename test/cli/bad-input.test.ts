// Bad input through the real binary: one line on stderr naming the problem, a non-zero exit code,
// no stack trace (unless --verbose), nothing on stdout, and the store exactly as it was: its
// files outside LevelDB byte for byte, and every key and value in LevelDB.
import { readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { cli, cliJson, exampleConfig, holdStore, orclFile, sliceUntil, storeContents, tempDirs } from "./cli-harness.ts"

const dirs = tempDirs()
afterAll(dirs.cleanup)

const running = "paper-ma-crossover-1"
const deployed = "paper-buy-and-hold-1"
let cwd: string
let store: string
let baseline: Awaited<ReturnType<typeof storeContents>>

// Spawns the real command to seed the store: generous for a loaded machine.
beforeAll(async () => {
  cwd = await dirs.make()
  store = join(cwd, ".paperfloor")
  const orcl = await sliceUntil(orclFile, "1996-06-30", cwd, "orcl.csv")
  await sliceUntil(orclFile, "1996-12-31", cwd, "orcl-later.csv")
  await sliceUntil(orclFile, "1996-06-30", cwd, "msft.csv")
  await writeFile(join(cwd, "orcl-bad.csv"), "Date,Open,High,Low,Close,Volume\n1996-07-01,10,11,9,10.5,100\n1996-07-02,10,9.5,9,9.2,100\n")
  const crossover = JSON.parse(await readFile(exampleConfig("crossover.json"), "utf8"))
  await writeFile(
    join(cwd, "bad.json"),
    JSON.stringify({ model: { ...crossover.model, params: { fast: 50, slow: 30, colour: "red" } }, simulation: { ...crossover.simulation, maxPositionSize: 2 } })
  )
  await writeFile(join(cwd, "changed.json"), JSON.stringify({ ...crossover, model: { ...crossover.model, params: { fast: 5, slow: 30 } } }))
  await writeFile(join(cwd, "broken.json"), '{ "model": { "id": "x", }\n')
  const config = (model: object) => JSON.stringify({ model: { id: "hostile", version: "v1", ...model }, simulation: { symbols: ["ORCL"] } })
  await writeFile(
    join(cwd, "create-throws.ts"),
    `export const modelKind = { kind: "create-throws", description: "x", paramsSchema: { "~standard": { version: 1, vendor: "test", validate: (value) => ({ value }) } }, create() { throw new Error("create boom") } }\n`
  )
  await writeFile(join(cwd, "create-throws.json"), config({ module: "./create-throws.ts", params: {} }))
  await writeFile(join(cwd, "deep.json"), config({ kind: "buy-and-hold", params: { quantity: 1, nested: 0 } }).replace('"nested":0', `"nested":${'{"a":'.repeat(20_000)}1${"}".repeat(20_000)}`))
  await writeFile(join(cwd, "long.json"), config({ kind: "buy-and-hold", params: { quantity: "9".repeat(100_000) } }))
  // The library's default updateFrequency is 1min: the Sharpe of daily bars came out √390 ≈ 20 times too large.
  await writeFile(join(cwd, "minutely.json"), config({ kind: "buy-and-hold", params: { quantity: 1 } }))
  await writeFile(join(cwd, "huge.json"), config({ kind: "buy-and-hold", params: { quantity: 1 } }).replace('"quantity":1', '"quantity":1e309'))

  expect((await cliJson(["deploy", exampleConfig("crossover.json")], cwd)).id).toBe(running)
  expect((await cliJson(["start", running, "--data", orcl], cwd)).state).toBe("running")
  expect((await cliJson(["deploy", exampleConfig("buy-and-hold.json")], cwd)).id).toBe(deployed)
  baseline = await storeContents(store)
}, 120_000)

/**
 * Runs the command and checks the shape of a refusal; the store is compared after (its LevelDB
 * contents only when `leveldb`: another process may own it).
 */
const refused = async (args: ReadonlyArray<string>, code: number, line: RegExp, leveldb = true) => {
  const result = await cli(args, cwd)
  expect(result.stdout).toBe("")
  expect(result.code).toBe(code)
  const lines = result.stderr.trimEnd().split("\n")
  expect(lines[0]).toMatch(line)
  if (code === 1) expect(lines).toHaveLength(1)
  expect(result.stderr).not.toMatch(/^\s+at /m)
  if (leveldb) expect(await storeContents(store)).toEqual(baseline)
  else expect((await storeContents(store, { leveldb: false })).files).toEqual(baseline.files)
}

describe("bad input changes nothing and says what is wrong in one line", () => {
  // Refused before the simulations' store is opened, so they can run side by side; the LevelDB
  // contents are compared once they are all done (the last test).
  it.concurrent.each([
    ["an unknown simulation", ["resume", "paper-nope-1", "--data", "orcl-later.csv"], /^error: no simulation "paper-nope-1" in the store at .*\.paperfloor \(paperfloor list shows them\)$/],
    ["a bad config", ["run", "bad.json", "--data", "orcl.csv"], /^error: invalid config bad\.json: model\.params\.colour is not a known field \(got "red"\); simulation\.maxPositionSize must be a number above 0 and at most 1 \(got 2\)$/],
    ["a config that is not JSON", ["deploy", "broken.json"], /^error: config broken\.json is not valid JSON: .*line 1 column \d+/],
    ["an unreadable data file", ["resume", running, "--data", "ORCL=missing.csv"], /^error: cannot read data file missing\.csv: ENOENT/],
    ["a malformed data file (file and line named)", ["start", deployed, "--data", "orcl-bad.csv"], /^error: orcl-bad\.csv:3: high must be ≥ max\(open, close, low\) = 10 \(got 9\.5\)$/],
    ["a data file for a symbol the simulation does not trade", ["run", exampleConfig("crossover.json"), "--data", "msft.csv"], /^error: data "msft\.csv" is for MSFT, which the simulation does not trade \(its symbols: ORCL, NVDA\)$/],
    ["a named data file with no path", ["resume", running, "--data", "ORCL="], /^error: data "ORCL=" names no file after ORCL=$/],
    // JSON.parse takes it; showing or checking it must not overflow the stack (that was exit 3, "a bug").
    ["a config nested 20,000 levels deep", ["run", "deep.json", "--data", "orcl.csv"], /^error: config deep\.json nests deeper than 64 levels$/],
    ["a config whose value is 100,000 characters long", ["deploy", "long.json"], /^error: invalid config long\.json: model\.params\.quantity must be number \(got "9{59}…\)$/],
    ["dated bars for a simulation of 1-minute updates", ["run", "minutely.json", "--data", "orcl.csv"], /^error: simulation\.updateFrequency is "1min", but data files hold one bar per date: give the config "updateFrequency": "1d" \(or "1w" for weekly bars\)$/],
    ["a number JSON cannot hold", ["deploy", "huge.json"], /^error: invalid config huge\.json: model\.params\.quantity must be a finite number greater than 0 \(got Infinity\)$/]
  ] as const)("%s: exit 1", async (_name, args, line) => {
    await refused(args, 1, line, false)
  })

  it.concurrent.each([
    ["an unknown command", ["frobnicate"], /^error: unknown command 'frobnicate'/],
    ["run without --data", ["run", "bad.json"], /^error: required option '--data <files\.\.\.>' not specified/]
  ] as const)("wrong usage, %s: exit 2", async (_name, args, line) => {
    await refused(args, 2, line, false)
  })

  it.each([
    ["a model version registered with other params", ["deploy", "changed.json"], /ma-crossover.*v1\.0.*params/],
    ["pausing a deployed simulation", ["pause", deployed], /^error: Simulation is deployed: pause is not allowed$/],
    ["resuming a running simulation", ["resume", running], /^error: Simulation is running: resume is not allowed$/],
    ["results of a running simulation", ["results", running], /^error: simulation paper-ma-crossover-1 is running: its results are archived when it stops/],
    // Refused whole before anything is registered (it was registered, then the deploy failed).
    ["a model whose create throws", ["deploy", "create-throws.json"], /^error: invalid config create-throws\.json: model\.params were refused by the kind's create: create boom \(got \{\}\)$/],
    // Refused before the run (the whole run was in the store, then the report failed).
    ["run --out a directory", ["run", exampleConfig("crossover.json"), "--data", "orcl.csv", "--out", "."], /^error: Could not write the report .*: it is a directory$/]
  ] as const)("%s: exit 1", async (_name, args, line) => {
    await refused(args, 1, line)
  })

  it("--verbose adds the stack trace", async () => {
    const result = await cli(["--verbose", "status", "paper-nope-1"], cwd)
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/^error: no simulation "paper-nope-1"/)
    expect(result.stderr).toMatch(/^\s+at /m)
  })

  it("validate lists every error with its field, exits 1, and writes nothing", async () => {
    const result = await cli(["validate", "bad.json"], cwd)
    expect(result.code).toBe(1)
    expect(result.stdout.split("\n")).toEqual([
      "invalid: bad.json (2 errors)",
      '  model.params.colour is not a known field (got "red")',
      "  simulation.maxPositionSize must be a number above 0 and at most 1 (got 2)",
      ""
    ])
    const json = await cli(["validate", "bad.json", "--json"], cwd)
    expect(json.code).toBe(1)
    expect(JSON.parse(json.stdout)).toEqual({
      valid: false,
      errors: [
        { field: "model.params.colour", rule: "is not a known field", value: "red" },
        { field: "simulation.maxPositionSize", rule: "must be a number above 0 and at most 1", value: 2 }
      ]
    })
    expect(await storeContents(store)).toEqual(baseline)
  })

  describe("a store owned by another live process", () => {
    let holder: Awaited<ReturnType<typeof holdStore>>
    beforeAll(async () => {
      holder = await holdStore(store, running)
    })
    afterAll(() => holder.release())

    it.each([
      ["deploy", ["deploy", exampleConfig("crossover.json")]],
      ["resume --data", ["resume", running, "--data", "orcl-later.csv"]]
    ] as const)("%s: refused, naming the directory", async (_name, args) => {
      await refused(args, 1, new RegExp(`^error: The store at ${store.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/simulations is open in another process`), false)
    })
  })

  it("once every refusal is done and the other process let go, the store holds exactly what it held before", async () => {
    expect(await storeContents(store)).toEqual(baseline)
  })
})
