/** The keys from an input's root to one of its parts: property names, and indices in arrays. */
export type InputPath = ReadonlyArray<string | number>

/** A path kept as a chain from its last key back to the root: a level deeper costs one step, not a copy of the path. */
export interface PathStep {
  readonly parent: PathStep | undefined
  readonly key: string | number
}

export const pathOf = (step: PathStep | undefined): InputPath => {
  const keys: Array<string | number> = []
  for (let s = step; s !== undefined; s = s.parent) keys.push(s.key)
  return keys.reverse()
}

/** A path as a field name: `bars.AAPL.close`, `orders[0].quantity`, each under `root` when given. */
export const fieldOf = (path: InputPath, root = ""): string =>
  path.reduce<string>((field, key) => (typeof key === "number" ? `${field}[${key}]` : field === "" ? key : `${field}.${key}`), root)
