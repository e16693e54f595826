import v8 from "node:v8"
import vm from "node:vm"

/** The garbage collector, to start each timed run on a clean heap (no flag needed on the command line). */
export const collectGarbage = (): (() => void) => {
  v8.setFlagsFromString("--expose-gc")
  return vm.runInNewContext("gc") as () => void
}
