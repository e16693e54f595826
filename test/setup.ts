import fc from "fast-check"

// CI and nightly runs can go deeper or replay a failure: FC_SEED=… FC_NUM_RUNS=… npm test
const seed = process.env["FC_SEED"]
const numRuns = process.env["FC_NUM_RUNS"]
fc.configureGlobal({
  ...(seed !== undefined ? { seed: Number(seed) } : {}),
  ...(numRuns !== undefined ? { numRuns: Number(numRuns) } : {})
})
