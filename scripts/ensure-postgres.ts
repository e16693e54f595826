// Makes sure Debian's PostgreSQL is installed for the cluster tests (`test/runtime/postgres-*`,
// `test/cluster/`): `node scripts/ensure-postgres.ts`. Nothing happens when its binaries are there;
// otherwise, as root, it runs `apt-get update && apt-get install -y postgresql`, and as anyone else
// it exits 1 saying what to run. The tests start their own throwaway cluster on loopback
// (scripts/local-postgres.ts); the package's own service is not used.
import { spawnSync } from "node:child_process"
import { postgresBinaries } from "./local-postgres.ts"

const run = (command: string, args: ReadonlyArray<string>): void => {
  console.log(`ensure-postgres: ${command} ${args.join(" ")}`)
  const result = spawnSync(command, args, { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } })
  if (result.error !== undefined || result.status !== 0) {
    console.error(`ensure-postgres: \`${command} ${args.join(" ")}\` failed (${result.error?.message ?? `exit code ${result.status}`})`)
    process.exit(1)
  }
}

if (postgresBinaries() !== undefined) process.exit(0)
if (process.getuid?.() !== 0) {
  console.error("ensure-postgres: PostgreSQL is missing and installing it needs root: run `sudo apt-get install -y postgresql` (Debian), then the tests again.")
  process.exit(1)
}
run("apt-get", ["update"])
// The package's own service is not needed: the tests run their own cluster.
run("apt-get", ["install", "-y", "--no-install-recommends", "postgresql"])
if (postgresBinaries() === undefined) {
  console.error("ensure-postgres: apt-get installed postgresql, but its binaries are still missing")
  process.exit(1)
}
console.log("ensure-postgres: installed PostgreSQL")
