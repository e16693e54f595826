import { Command } from "@commander-js/extra-typings"

export const DEFAULT_STORE = "./.paperfloor"

const examples = `
Examples (in the paperfloor repository, on the bundled daily bars):
  $ paperfloor run examples/configs/crossover.json --data examples/data/orcl-1995-2014.txt examples/data/nvda-1999-2014.txt
  $ paperfloor deploy examples/configs/buy-and-hold.json
  $ paperfloor start paper-buy-and-hold-1 --data examples/data/orcl-1995-2014.txt
  $ paperfloor status paper-buy-and-hold-1
  $ paperfloor stop paper-buy-and-hold-1 && paperfloor report paper-buy-and-hold-1
  $ paperfloor diagram order --format mermaid

Exit codes: 0 done; 1 bad input or a refused command (the one line on stderr says which);
2 wrong usage (an unknown command or option, a missing argument); 3 an unexpected error (a bug).`

/** The \`paperfloor\` command without its subcommands: the options every subcommand takes. */
export const rootCommand = (version: string) =>
  new Command("paperfloor")
    .description("Paper trading on the command line: run a model on recorded bars, drive simulations in a store, report and compare results.")
    .version(version)
    .option("--store <dir>", "the store directory (models, deployments, simulations, results, reports)", DEFAULT_STORE)
    .option("--cluster <postgres-url>", "cluster mode: the simulations run on the runners of the cluster whose PostgreSQL this is (paperfloor runner); models, deployments and results stay in --store")
    .option("--verbose", "print the stack trace of an error")
    .showHelpAfterError("(add --help for usage)")
    .configureHelp({ showGlobalOptions: true })
    .addHelpText("after", examples)
    // Usage errors are thrown, so main can give them their own exit code.
    .exitOverride()

export type Program = ReturnType<typeof rootCommand>
