/**
 * A structural check of an OpenAPI 3.1 document (no validator package is installed): the fields
 * the specification requires, path templates whose parameters are declared, unique operation
 * ids, responses keyed by status codes with a description each, and every `$ref` resolving.
 * Returns the problems found, each naming where.
 */
const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const

const isObject = (u: unknown): u is Record<string, any> => typeof u === "object" && u !== null && !Array.isArray(u)

export const openApiProblems = (doc: unknown): string[] => {
  const problems: string[] = []
  if (!isObject(doc)) return ["the document is not an object"]
  if (typeof doc["openapi"] !== "string" || !/^3\.1\.\d+$/.test(doc["openapi"])) problems.push(`openapi must be 3.1.x (got ${JSON.stringify(doc["openapi"])})`)
  if (!isObject(doc["info"]) || typeof doc["info"]["title"] !== "string" || typeof doc["info"]["version"] !== "string") problems.push("info.title and info.version are required strings")
  if (!isObject(doc["paths"])) return [...problems, "paths must be an object"]
  const operationIds = new Set<string>()
  for (const [path, item] of Object.entries(doc["paths"])) {
    if (!path.startsWith("/")) problems.push(`paths.${path} must start with /`)
    if (!isObject(item)) {
      problems.push(`paths.${path} must be a path item object`)
      continue
    }
    const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1])
    for (const method of METHODS) {
      const operation = item[method]
      if (operation === undefined) continue
      const where = `${method.toUpperCase()} ${path}`
      if (!isObject(operation)) {
        problems.push(`${where} must be an operation object`)
        continue
      }
      if (typeof operation["operationId"] === "string") {
        if (operationIds.has(operation["operationId"])) problems.push(`${where}: operationId ${operation["operationId"]} is not unique`)
        operationIds.add(operation["operationId"])
      }
      const parameters = (operation["parameters"] ?? []) as unknown[]
      for (const name of templated) {
        const declared = parameters.find((p) => isObject(p) && p["in"] === "path" && p["name"] === name)
        if (declared === undefined) problems.push(`${where}: path parameter ${name} is not declared`)
        else if ((declared as Record<string, unknown>)["required"] !== true) problems.push(`${where}: path parameter ${name} must be required`)
      }
      for (const p of parameters) {
        if (!isObject(p) || typeof p["name"] !== "string" || !["query", "header", "path", "cookie"].includes(p["in"])) problems.push(`${where}: a parameter needs a name and in`)
      }
      if (!isObject(operation["responses"]) || Object.keys(operation["responses"]).length === 0) problems.push(`${where}: responses are required`)
      else
        for (const [code, response] of Object.entries(operation["responses"])) {
          if (!/^([1-5]\d\d|[1-5]XX|default)$/.test(code)) problems.push(`${where}: response key ${code} is not a status code`)
          if (!isObject(response) || (response["$ref"] === undefined && typeof response["description"] !== "string")) problems.push(`${where}: response ${code} needs a description`)
        }
      if (operation["requestBody"] !== undefined && !isObject(operation["requestBody"]?.content)) problems.push(`${where}: requestBody needs content`)
    }
  }
  // Every $ref points into the document.
  const resolve = (ref: string) => ref.slice(2).split("/").reduce<unknown>((node, key) => (isObject(node) ? node[key.replace(/~1/g, "/").replace(/~0/g, "~")] : undefined), doc)
  const walk = (node: unknown, where: string): void => {
    if (Array.isArray(node)) node.forEach((n, i) => walk(n, `${where}[${i}]`))
    else if (isObject(node)) {
      if (typeof node["$ref"] === "string" && (!node["$ref"].startsWith("#/") || resolve(node["$ref"]) === undefined)) problems.push(`${where}: $ref ${node["$ref"]} does not resolve`)
      for (const [key, value] of Object.entries(node)) walk(value, `${where}.${key}`)
    }
  }
  walk(doc, "#")
  if (Array.isArray(doc["security"]))
    for (const requirement of doc["security"])
      for (const scheme of Object.keys(requirement)) if (!isObject(doc["components"]?.securitySchemes?.[scheme])) problems.push(`security scheme ${scheme} is not in components.securitySchemes`)
  return problems
}
