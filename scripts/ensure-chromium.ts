// Makes sure Debian's Chromium is installed for the browser tests (`test/report/report-in-browser.test.ts`):
// `node scripts/ensure-chromium.ts`. Nothing happens when /usr/bin/chromium exists; otherwise, as
// root, it runs `apt-get update && apt-get install -y chromium`, and as anyone else it exits 1
// saying what to run.
import { spawnSync } from "node:child_process"
import { existsSync } from "node:fs"

const CHROMIUM = "/usr/bin/chromium"

const run = (command: string, args: ReadonlyArray<string>): void => {
  console.log(`ensure-chromium: ${command} ${args.join(" ")}`)
  const result = spawnSync(command, args, { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } })
  if (result.error !== undefined || result.status !== 0) {
    console.error(`ensure-chromium: \`${command} ${args.join(" ")}\` failed (${result.error?.message ?? `exit code ${result.status}`})`)
    process.exit(1)
  }
}

if (existsSync(CHROMIUM)) {
  process.exit(0)
}
if (process.getuid?.() !== 0) {
  console.error(`ensure-chromium: ${CHROMIUM} is missing and installing it needs root: run \`sudo apt-get install -y chromium\` (Debian), then the tests again.`)
  process.exit(1)
}
run("apt-get", ["update"])
run("apt-get", ["install", "-y", "chromium"])
if (!existsSync(CHROMIUM)) {
  console.error(`ensure-chromium: apt-get installed chromium, but ${CHROMIUM} is still missing`)
  process.exit(1)
}
console.log(`ensure-chromium: installed ${CHROMIUM}`)
