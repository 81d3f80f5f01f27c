#!/usr/bin/env node
// dms-rerun: rerun an Alibaba Cloud DMS Enterprise task flow instance from a shell.
// Credentials come from the environment only (argv is visible in `ps` and kept in shell history).
//
// Layout: this file picks the command; bin/lib/ holds one module per command (rerun.mjs, the
// default; list.mjs; failed.mjs) and what commands share: args.mjs (argv), connection.mjs
// (endpoint flags → config), credentials.mjs (env), print.mjs (all output, escaped), table.mjs
// (columns in terminal cells), instances.mjs (paging, the records table), dates.mjs (--since),
// confirm.mjs (the y/N question), errors.mjs (exit codes, error reports), dry-run.mjs
// (redacted signed requests).
import { readFileSync } from 'node:fs';
import { parseFlags } from './lib/args.mjs';
import { EXIT_OK, UsageError, exitCodeOf, printError } from './lib/errors.mjs';
import { toleratePipeClose, writeOut } from './lib/print.mjs';
import * as failed from './lib/failed.mjs';
import * as list from './lib/list.mjs';
import * as rerun from './lib/rerun.mjs';

/**
 * Subcommands by name (`dms-rerun <name> …`). Without one, argv belongs to the default
 * command, so `dms-rerun --dag-id …` keeps working as it always has.
 */
const COMMANDS = new Map([
  ['list', list],
  ['failed', failed],
]);
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
    // A word where the default command expects a flag is a mistyped command (`dms-rerun lsit`),
    // said as such rather than as parseArgs' "Unexpected argument".
    if (!named && argv.length > 0 && !argv[0].startsWith('-')) {
      throw new UsageError('UnknownCommand', `unknown command ${JSON.stringify(argv[0])}: the commands are ${[...COMMANDS.keys()].join(', ')}, or none for a single rerun (--dag-id …)`);
    }
    const values = parseFlags(args, command.options);
    if (values.help) return writeOut(command.help), EXIT_OK;
    if (values.version) return writeOut(version() + '\n'), EXIT_OK;
    return await command.run(values, { json, env });
  } catch (error) {
    printError(error, { json, options: command.options, ...command.errorContext });
    return exitCodeOf(error);
  }
}

toleratePipeClose();
process.exitCode = await main(process.argv.slice(2), process.env);
