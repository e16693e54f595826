/**
 * paperfloor's own API (`/v1/…`) end to end over HTTP: every endpoint, the admin key on every
 * request, malformed and refused requests answered 4xx naming the field with nothing changed,
 * and the OpenAPI document checked as OpenAPI 3.1 and against the routes the server answers.
 */
import { mkdtemp, rm, stat } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { machineDiagram } from "../../src/report/machine-diagram.ts"
import { renderHtmlReport } from "../../src/report/html-report.ts"
import { endpointPath, liveEndpoint } from "../../src/server/api/endpoint-file.ts"
import { type BrokerServer, startBrokerServer } from "../../src/server/index.ts"
import { storeContents } from "../cli/cli-harness.ts"
import { Validator } from "@seriousme/openapi-schema-validator"

const ADMIN_KEY = "api-admin-key-0123456789"
let server: BrokerServer
let root: string

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "paperfloor-api-"))
  server = await startBrokerServer({ storageRoot: root, adminKey: ADMIN_KEY, rateLimit: null })
})
afterAll(async () => {
  await server.close()
  await rm(root, { recursive: true, force: true })
})

const call = (method: string, path: string, body?: unknown, key: string | null = ADMIN_KEY) =>
  fetch(`${server.url}${path}`, {
    method,
    headers: { ...(key === null ? {} : { authorization: `Bearer ${key}` }), "content-type": "application/json" },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) })
  })
const json = async (method: string, path: string, body?: unknown) => {
  const response = await call(method, path, body)
  const text = await response.text()
  if (response.status !== 200) throw new Error(`${method} ${path}: ${response.status} ${text}`)
  return JSON.parse(text)
}

const MODEL = { modelId: "bh", version: "v1", kind: "buy-and-hold", params: { weights: { AAPL: 0.05 } } }
const DEPLOY = { modelId: "bh", modelVersion: "v1", simulationConfig: { symbols: ["AAPL"], updateFrequency: "1d", initialCapital: 10_000 } }
const day = (d: number, price: number) => ({ time: `2024-01-0${d}T00:00:00Z`, prices: { AAPL: price } })

/** What the store holds, as the API shows it and as its files are: compared before and after a refused request. */
const everything = async () => {
  const simulations = (await json("GET", "/v1/simulations")) as Array<{ id: string }>
  const statuses = await Promise.all(simulations.map((s) => json("GET", `/v1/simulations/${s.id}/status`)))
  return { models: await json("GET", "/v1/models"), simulations, statuses, accounts: await json("GET", "/v1/accounts"), files: (await storeContents(root, { leveldb: false })).files }
}

describe("paperfloor's API", () => {
  it("registers a model, deploys, starts, feeds, pauses, resumes and stops a simulation, and serves its results, report and diagrams", async () => {
    expect(await json("GET", "/v1/models")).toEqual([])
    const registered = await json("POST", "/v1/models", MODEL)
    expect(registered).toMatchObject({ modelId: "bh", version: "v1", kind: "buy-and-hold", params: { weights: { AAPL: 0.05 } } })
    // The same content again is a no-op; other content under the same version is a conflict.
    expect(await json("POST", "/v1/models", MODEL)).toEqual(registered)
    const conflict = await call("POST", "/v1/models", { ...MODEL, params: { weights: { AAPL: 0.2 } } })
    expect(conflict.status).toBe(409)
    expect(await conflict.json()).toMatchObject({ error: "ModelVersionExistsError", message: expect.stringContaining("params") })
    expect(await json("GET", "/v1/models")).toEqual([{ modelId: "bh", versions: [registered] }])

    const deployed = await json("POST", "/v1/simulations", DEPLOY)
    expect(deployed).toMatchObject({ id: "paper-bh-1", status: "deployed", modelId: "bh", modelVersion: "v1", config: { symbols: ["AAPL"], initialCapital: "10000" } })
    expect(await json("GET", "/v1/simulations/paper-bh-1")).toEqual(deployed)
    expect(await json("GET", "/v1/simulations")).toEqual([deployed])
    expect(await json("GET", "/v1/simulations/paper-bh-1/status")).toMatchObject({ deploymentId: "paper-bh-1", state: "deployed", updates: 0, lastUpdateTime: null })

    expect(await json("POST", "/v1/simulations/paper-bh-1/start")).toMatchObject({ state: "running", deploymentStatus: "running" })
    expect(await json("POST", "/v1/simulations/paper-bh-1/updates", { updates: [day(2, 100), day(3, 101)] })).toEqual({
      deploymentId: "paper-bh-1",
      applied: 2,
      state: "running",
      reason: null,
      updates: 2
    })
    const running = await json("GET", "/v1/simulations/paper-bh-1/status")
    expect(running).toMatchObject({ updates: 2, lastUpdateTime: Date.parse("2024-01-03T00:00:00Z"), positions: [{ symbol: "AAPL" }] })
    expect(await json("POST", "/v1/simulations/paper-bh-1/pause")).toMatchObject({ state: "paused" })
    expect(await json("POST", "/v1/simulations/paper-bh-1/resume")).toMatchObject({ state: "running" })
    await json("POST", "/v1/simulations/paper-bh-1/updates", { updates: [day(4, 103)] })

    const results = await json("POST", "/v1/simulations/paper-bh-1/stop")
    expect(results).toMatchObject({ deploymentId: "paper-bh-1", state: "stopped", updates: 3, resultsArtifact: expect.stringMatching(/^[0-9a-f]{64}$/) })
    expect(await json("GET", "/v1/simulations/paper-bh-1/results")).toEqual(results)
    expect(await json("GET", "/v1/simulations/paper-bh-1/results/metrics")).toEqual(results.metrics)
    expect(await json("GET", "/v1/simulations/paper-bh-1/results/trades")).toEqual(results.trades)
    expect(await json("GET", "/v1/simulations/paper-bh-1/results/equity")).toEqual(results.equityCurve)
    expect(results.equityCurve).toHaveLength(3)

    const report = await call("GET", "/v1/simulations/paper-bh-1/report")
    expect(report.status).toBe(200)
    expect(report.headers.get("content-type")).toMatch(/^text\/html/)
    expect(await report.text()).toBe(renderHtmlReport(results))

    for (const machine of ["order", "simulation"] as const)
      for (const format of ["mermaid", "dot", "json"] as const) {
        const diagram = await call("GET", `/v1/diagrams/${machine}?format=${format}`)
        expect(diagram.status).toBe(200)
        expect(await diagram.text()).toBe(machineDiagram(machine, format))
      }
    expect(await (await call("GET", "/v1/diagrams/order")).text()).toBe(machineDiagram("order", "mermaid"))
  })

  it("creates and lists the broker's accounts, whose key pair then trades at /v2", async () => {
    const created = await json("POST", "/v1/accounts", { symbols: ["MSFT"] })
    expect(created).toMatchObject({ id: expect.stringMatching(/^paper-broker-account-\d+$/), key_id: expect.stringMatching(/^PK[A-Z0-9]{18}$/), secret_key: expect.any(String) })
    expect(await json("GET", "/v1/accounts")).toContainEqual({ id: created.id, key_id: created.key_id, created_at: created.created_at })
    const account = await fetch(`${server.url}/v2/account`, { headers: { "APCA-API-KEY-ID": created.key_id, "APCA-API-SECRET-KEY": created.secret_key } })
    expect(await account.json()).toMatchObject({ id: created.id, cash: "100000" })
  })

  it("refuses malformed and refused requests with a 4xx naming the field, and changes nothing", async () => {
    await json("POST", "/v1/simulations", DEPLOY)
    const before = await everything()
    const cases: Array<[string, string, unknown, number, string, string]> = [
      // method, path, body, status, error, what the message names
      ["POST", "/v1/models", "{not json", 400, "BadRequest", "the request body is not valid JSON"],
      ["POST", "/v1/models", { ...MODEL, modelId: 7 }, 400, "BadRequest", "modelId must be string"],
      ["POST", "/v1/models", { ...MODEL, colour: "red" }, 400, "BadRequest", "colour is not a known field"],
      ["POST", "/v1/models", { version: "v2", kind: "buy-and-hold" }, 400, "BadRequest", "modelId is required"],
      ["POST", "/v1/models", { ...MODEL, version: "v2", params: { weights: { AAPL: 2 } } }, 422, "ValidationError", "params.weights"],
      ["POST", "/v1/models", { ...MODEL, version: "v2", kind: "no-such-kind" }, 422, "ValidationError", "no-such-kind"],
      ["POST", "/v1/simulations", { ...DEPLOY, simulationConfig: { symbols: ["AAPL"], initialCapital: -1 } }, 422, "ValidationError", "simulationConfig.initialCapital must be greater than 0"],
      ["POST", "/v1/simulations", { ...DEPLOY, simulationConfig: "all" }, 400, "BadRequest", "simulationConfig"],
      ["POST", "/v1/simulations", { ...DEPLOY, modelVersion: "v9" }, 404, "UnknownModelVersionError", "v9"],
      ["POST", "/v1/simulations/paper-bh-2/pause", undefined, 409, "SimulationStateError", "Simulation is deployed: pause is not allowed"],
      ["POST", "/v1/simulations/paper-bh-2/updates", { updates: [day(2, 100)] }, 409, "SimulationStateError", "processMarketUpdate is not allowed"],
      ["POST", "/v1/simulations/paper-bh-1/start", undefined, 409, "SimulationStateError", "Simulation is stopped"],
      ["POST", "/v1/simulations/paper-bh-2/updates", { updates: "soon" }, 400, "BadRequest", "updates must be"],
      ["POST", "/v1/simulations/paper-bh-2/updates", [day(2, 100)], 400, "BadRequest", "the request body"],
      ["GET", "/v1/simulations/paper-bh-2/results", undefined, 409, "ResultsNotArchivedError", "paper-bh-2 is deployed"],
      ["GET", "/v1/simulations/paper-nothing-1/status", undefined, 404, "UnknownDeploymentError", "paper-nothing-1"],
      ["GET", "/v1/simulations/paper-nothing-1/report", undefined, 404, "UnknownDeploymentError", "paper-nothing-1"],
      ["GET", "/v1/diagrams/orders", undefined, 400, "BadRequest", "machine must be"],
      ["GET", "/v1/diagrams/order?format=svg", undefined, 400, "BadRequest", "format must be"],
      ["POST", "/v1/accounts", { symbols: "AAPL" }, 422, "ValidationError", "symbols"],
      ["POST", "/v1/accounts", [], 400, "BadRequest", "the request body"],
      ["GET", "/v1/simulations/paper-bh-1/nothing", undefined, 404, "NotFound", "endpoint not found: GET /v1/simulations/paper-bh-1/nothing"]
    ]
    for (const [method, path, body, status, error, named] of cases) {
      const response = await call(method, path, body)
      const answer = (await response.json()) as { error: string; message: string; issues?: Array<{ field: string }> }
      expect({ method, path, status: response.status, error: answer.error }).toEqual({ method, path, status, error })
      expect(answer.message).toContain(named)
      if (status === 400 && answer.issues !== undefined) expect(answer.issues.length).toBeGreaterThan(0)
    }
    // Over the body bound: 413, not read further.
    const big = await call("POST", "/v1/simulations/paper-bh-2/updates", { updates: Array.from({ length: 5_000 }, (_, i) => day(2, 100 + i)) })
    expect(big.status).toBe(413)
    expect(await big.json()).toMatchObject({ error: "PayloadTooLarge", message: "the request body must be at most 65536 bytes" })
    expect(await everything()).toEqual(before)
  })

  it("answers 401 to every endpoint without the admin key or with a wrong one, and takes the run's token from endpoint.json", async () => {
    const doc = await json("GET", "/v1/openapi.json")
    const before = await everything()
    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, unknown>>))
      for (const method of Object.keys(item)) {
        const concrete = path.replace("{id}", "paper-bh-2").replace("{machine}", "order")
        for (const key of [null, "wrong-key", `${ADMIN_KEY}x`]) {
          const response = await call(method.toUpperCase(), concrete, method === "get" ? undefined : {}, key)
          expect({ method, path, key, status: response.status }).toEqual({ method, path, key, status: 401 })
          expect(await response.json()).toMatchObject({ error: "Unauthorized" })
        }
      }
    expect(await everything()).toEqual(before)

    // The file that tells the command line where the server is: only its owner reads it.
    expect((await stat(endpointPath(root))).mode & 0o777).toBe(0o600)
    const endpoint = await liveEndpoint(root)
    expect(endpoint).toEqual({ url: server.url, token: server.runToken, pid: process.pid })
    expect((await call("GET", "/v1/models", undefined, endpoint!.token)).status).toBe(200)
  })

  it("serves an OpenAPI 3.1 document whose operations are exactly the routes the server answers", async () => {
    const doc = await json("GET", "/v1/openapi.json")
    // Checked against the OpenAPI 3.1 schema, every $ref resolved.
    const checked = await new Validator().validate(doc)
    expect(checked.errors ?? []).toEqual([])
    expect(checked.valid).toBe(true)
    const operations = Object.entries(doc.paths as Record<string, Record<string, { security?: unknown }>>).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`)
    )
    expect(operations.sort()).toEqual(
      [
        "GET /v1/models",
        "POST /v1/models",
        "GET /v1/simulations",
        "POST /v1/simulations",
        "GET /v1/simulations/{id}",
        "GET /v1/simulations/{id}/status",
        "POST /v1/simulations/{id}/start",
        "POST /v1/simulations/{id}/pause",
        "POST /v1/simulations/{id}/resume",
        "POST /v1/simulations/{id}/stop",
        "POST /v1/simulations/{id}/updates",
        "GET /v1/simulations/{id}/results",
        "GET /v1/simulations/{id}/results/metrics",
        "GET /v1/simulations/{id}/results/trades",
        "GET /v1/simulations/{id}/results/equity",
        "GET /v1/simulations/{id}/report",
        "GET /v1/accounts",
        "POST /v1/accounts",
        "GET /v1/diagrams/{machine}",
        "GET /v1/openapi.json"
      ].sort()
    )
    expect(doc.security).toEqual([{ adminKey: [] }])
    expect(doc.components.securitySchemes.adminKey).toMatchObject({ type: "http", scheme: "bearer" })
    // Each documented operation is routed (an unknown route is "endpoint not found"), and an
    // undocumented one is not.
    for (const operation of operations) {
      const [method, path] = operation.split(" ") as [string, string]
      const response = await call(method, path.replace("{id}", "paper-bh-1").replace("{machine}", "simulation"), method === "GET" ? undefined : { updates: [] })
      const answer = (response.headers.get("content-type")?.startsWith("application/json") ? await response.json() : {}) as { message?: string }
      expect({ operation, message: answer.message ?? "" }).not.toEqual({ operation, message: expect.stringContaining("endpoint not found") })
    }
    expect((await call("DELETE", "/v1/models")).status).toBe(404)
    // The refusals every operation documents include the ones tested above.
    const responses = doc.paths["/v1/simulations/{id}/pause"].post.responses as Record<string, unknown>
    expect(Object.keys(responses)).toEqual(expect.arrayContaining(["200", "400", "401", "404", "409", "413", "422", "429", "500"]))
  })
})
