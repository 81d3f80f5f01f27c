// Reading argv: strict, credentials refused by name, each flag at most once.
import { parseArgs } from 'node:util';
import { ENV_ID, ENV_SECRET, ENV_TOKEN } from './credentials.mjs';
import { UsageError } from './errors.mjs';

/** Refuses credential flags by name, before parseArgs could echo anything about them. */
function refuseCredentialFlags(argv) {
  for (const arg of argv) {
    if (arg === '--') break;
    const name = arg.startsWith('--') ? arg.slice(2).split('=')[0] : '';
    if (/secret|access-?key|security-?token|token|password/i.test(name)) {
      throw new UsageError(
        'CredentialArgument',
        `--${name} is not accepted: credentials are read only from the environment ` +
          `(${ENV_ID}, ${ENV_SECRET}, ${ENV_TOKEN}), because command-line arguments ` +
          'are visible to other users in the process list and are saved in shell history',
      );
    }
  }
}

/**
 * A flag with a value given twice is refused: the command reruns something, and a script
 * that appends `--dag-id 8` to a line holding `--dag-id 7` must not silently rerun 8.
 */
function refuseRepeats(tokens, options) {
  const seen = new Map();
  for (const token of tokens) {
    if (token.kind !== 'option' || options[token.name]?.type !== 'string') continue;
    if (seen.has(token.name)) {
      throw new UsageError(
        'DuplicateArgument',
        `--${token.name} given more than once (${JSON.stringify(seen.get(token.name))}, ${JSON.stringify(token.value)}): give it once`,
      );
    }
    seen.set(token.name, token.value);
  }
}

/** The flags' values, as parseArgs reads them with `options`; UsageError otherwise. */
export function parseFlags(argv, options) {
  refuseCredentialFlags(argv);
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, strict: true, allowPositionals: false, tokens: true });
  } catch (error) {
    // Only the "argument is ambiguous" message has extra lines of advice; it names a known
    // option. Unknown-option and positional messages echo argv, which may hold a newline:
    // kept whole (printing escapes it), not cut there.
    const message = error.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' ? error.message.split('\n')[0] : error.message;
    throw new UsageError('InvalidArguments', message);
  }
  refuseRepeats(parsed.tokens, options);
  return parsed.values;
}

/** A non-negative decimal integer flag; the library checks the range. */
export function integerFlag(values, name) {
  const value = values[name];
  if (value === undefined) return undefined;
  if (!/^\d{1,10}$/.test(value)) throw new UsageError('InvalidArguments', `--${name} must be a non-negative integer, got ${JSON.stringify(value)}`);
  return Number(value);
}
