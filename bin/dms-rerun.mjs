#!/usr/bin/env node
// dms-rerun: rerun an Alibaba Cloud DMS Enterprise task flow instance from a shell.
// Credentials come from the environment only (argv is visible in `ps` and kept in shell history).
//
// Layout: this file picks the command; bin/lib/ holds one module per command (rerun.mjs) and
// what commands share: args.mjs (argv), credentials.mjs (env), print.mjs (all output, escaped),
// errors.mjs (exit codes, error reports), dry-run.mjs (redacted signed requests).
import { readFileSync } from 'node:fs';
import { parseFlags } from './lib/args.mjs';
import { EXIT_OK, exitCodeOf, printError } from './lib/errors.mjs';
import { toleratePipeClose, writeOut } from './lib/print.mjs';
import * as rerun from './lib/rerun.mjs';

/**
 * Subcommands by name (`dms-rerun <name> …`). Without one, argv belongs to the default
 * command, so `dms-rerun --dag-id …` keeps working as it always has.
 */
const COMMANDS = new Map();
const DEFAULT = rerun;

function version() {
  return JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;
}

async function main(argv, env) {
  const named = COMMANDS.get(argv[0]);
  const command = named ?? DEFAULT;
  const args = named ? argv.slice(1) : argv;
  // Known before parsing, so even a usage error comes out as JSON.
  const json = args.includes('--json');
  try {
    const values = parseFlags(args, command.options);
    if (values.help) return writeOut(command.help), EXIT_OK;
    if (values.version) return writeOut(version() + '\n'), EXIT_OK;
    return await command.run(values, { json, env });
  } catch (error) {
    printError(error, { json, options: command.options });
    return exitCodeOf(error);
  }
}

toleratePipeClose();
process.exitCode = await main(process.argv.slice(2), process.env);
