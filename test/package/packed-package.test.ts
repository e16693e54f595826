/**
 * The package as a user gets it: `npm pack`, installed from the tarball into a fresh project,
 * imported from plain Node ESM, type-checked by a strict NodeNext consumer, its command run
 * through `npx`, and every README example that imports paperfloor type-checked and run there.
 */
import { execFileSync, type ExecFileSyncOptions } from "node:child_process"
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { delimiter, dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

const root = fileURLToPath(new URL("../..", import.meta.url))
const pkg = JSON.parse(await readFile(join(root, "package.json"), "utf8")) as { version: string; devDependencies: Record<string, string> }
// Node 22 from the `node` devDependency first, as npm scripts have it; the consumer has no copy of its own.
const env = { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env["PATH"] ?? ""}`, npm_config_yes: "true" }

let project = ""
let tarball = ""
const run = (command: string, args: ReadonlyArray<string>, options: ExecFileSyncOptions = {}): string =>
  execFileSync(command, args, { cwd: project, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], ...options }) as string

/**
 * The README's TypeScript examples that import the package, in order. Blocks that import a file
 * of their own (`./models/…`) are excerpts of an example in examples/, which its own test runs.
 */
const readmeExamples = (readme: string): ReadonlyArray<string> =>
  [...readme.matchAll(/```ts\n([\s\S]*?)```/g)]
    .map((m) => m[1]!)
    .filter((code) => /from "paperfloor(\/[a-z]+)?"/.test(code) && !/from "\.\.?\//.test(code))

beforeAll(async () => {
  project = await mkdtemp(join(tmpdir(), "paperfloor-consumer-"))
  // `npm pack` runs `prepack`, which builds dist/.
  const packed = JSON.parse(run("npm", ["pack", "--json", "--pack-destination", project], { cwd: root })) as Array<{ filename: string; files: Array<{ path: string }> }>
  tarball = join(project, packed[0]!.filename)
  files = packed[0]!.files.map((f) => f.path)
  await writeFile(join(project, "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0", private: true, type: "module" }))
  const dev = (name: string) => `${name}@${pkg.devDependencies[name]}`
  run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", tarball, dev("typescript"), dev("@types/node"), dev("fast-check"), dev("zod")])
}, 240_000)

afterAll(async () => {
  if (project !== "") await rm(project, { recursive: true, force: true })
})

let files: ReadonlyArray<string> = []

describe("the packed package", () => {
  it("ships the built code, the README and the LICENSE, and nothing else", () => {
    expect(files).toContain("dist/src/index.js")
    expect(files).toContain("dist/src/index.d.ts")
    expect(files).toContain("dist/src/cli/main.js")
    expect(files).toContain("LICENSE")
    expect(files).toContain("README.md")
    expect(files.filter((f) => !f.startsWith("dist/") && !["package.json", "README.md", "LICENSE"].includes(f))).toEqual([])
    expect(files.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))).toEqual([])
  })

  it("imports from plain Node ESM, every documented entry point", async () => {
    await writeFile(
      join(project, "consumer.mjs"),
      `import { TradingSimulationEngine, PaperTradingDeployer } from "paperfloor"
import { LevelDbStore, SimulationSupervisor } from "paperfloor/runtime"
import { parseOhlcvCsv } from "paperfloor/data"
import { machineDiagram, renderHtmlReport } from "paperfloor/report"
import { checkPortfolioInvariants } from "paperfloor/testing"
import { startBrokerServer } from "paperfloor/server"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
const engine = new TradingSimulationEngine({ symbols: ["AAPL"], commissionRate: 0, slippageRate: 0 })
const bars = parseOhlcvCsv("Date,Open,High,Low,Close,Volume\\n2024-01-02,10,11,9,10.5,100\\n2024-01-03,10.5,12,10,11,200\\n")
engine.processMarketUpdate({ time: bars[0].time, bars: { AAPL: bars[0] } })
engine.submitOrder({ symbol: "AAPL", side: "buy", type: "market", quantity: 10 })
engine.processMarketUpdate({ time: bars[1].time, bars: { AAPL: bars[1] } })
const server = await startBrokerServer({ storageRoot: mkdtempSync(join(tmpdir(), "pf-served-")), rateLimit: null })
const { keys } = await server.broker.createAccount({ symbols: ["AAPL"], initialCapital: 25000 })
const account = await (await fetch(server.url + "/v2/account", { headers: { "apca-api-key-id": keys.keyId, "apca-api-secret-key": keys.secretKey } })).json()
await server.close()
console.log(JSON.stringify({
  cash: engine.getPortfolio().cash.toString(),
  servedCash: account.cash,
  invariants: checkPortfolioInvariants(engine),
  exports: [PaperTradingDeployer, machineDiagram, LevelDbStore, SimulationSupervisor, renderHtmlReport].map((x) => typeof x)
}))
`
    )
    expect(JSON.parse(run(process.execPath, ["consumer.mjs"]))).toEqual({ cash: "99895", servedCash: "25000", invariants: [], exports: ["function", "function", "object", "function", "function"] })
  })

  it("type-checks a strict NodeNext consumer against the shipped declarations", async () => {
    await writeFile(
      join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: { strict: true, module: "NodeNext", moduleResolution: "NodeNext", target: "ES2023", noEmit: true, skipLibCheck: false, types: ["node"] },
        include: ["*.ts"]
      })
    )
    await writeFile(
      join(project, "typed.ts"),
      `import { TradingSimulationEngine, type SimulationConfigInput, type PerformanceMetrics } from "paperfloor"
import { LevelDbStore } from "paperfloor/runtime"
import type { OhlcvBar } from "paperfloor/data"
const config: SimulationConfigInput = { symbols: ["AAPL"], initialCapital: 50_000 }
// @ts-expect-error a misspelt config key must not compile
const typo: SimulationConfigInput = { symbols: ["AAPL"], intialCapital: 50_000 }
const engine = new TradingSimulationEngine(config)
const metrics: PerformanceMetrics = engine.getPerformanceMetrics()
// @ts-expect-error totalReturn is a number or null, never a string
const wrong: string = metrics.totalReturn
const bar: OhlcvBar | undefined = undefined
export { typo, wrong, bar, LevelDbStore }
`
    )
    run(process.execPath, [join(project, "node_modules/typescript/bin/tsc"), "-p", "."])
    // Checks every shipped declaration and Effect's (skipLibCheck off): tens of seconds on a loaded machine.
  }, 300_000)

  it("runs the paperfloor command through npx", () => {
    const help = run("npx", ["paperfloor", "--help"])
    expect(help).toMatch(/Usage: paperfloor/)
    for (const command of ["run", "deploy", "start", "stop", "pause", "resume", "status", "list", "results", "report", "diagram", "validate", "compare"])
      expect(help).toMatch(new RegExp(`\\n\\s+${command}\\b`))
    expect(run("npx", ["paperfloor", "--version"]).trim()).toBe(pkg.version)
    expect(run("npx", ["paperfloor", "diagram", "order", "--format", "mermaid"])).toMatch(/^stateDiagram-v2/)
  })

  it("runs every README example that imports the package, as written", async () => {
    const examples = readmeExamples(await readFile(join(root, "README.md"), "utf8"))
    expect(examples.length).toBeGreaterThanOrEqual(4)
    for (const [i, code] of examples.entries()) await writeFile(join(project, `readme-${i + 1}.ts`), code)
    run(process.execPath, [join(project, "node_modules/typescript/bin/tsc"), "-p", "."])
    for (let i = 1; i <= examples.length; i++) run(process.execPath, [`readme-${i}.ts`])
    // One type-check and a process per example (about 20): minutes on a loaded machine.
  }, 300_000)
})
