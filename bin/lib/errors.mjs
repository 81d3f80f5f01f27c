// Exit codes, usage errors, and how any failure is reported (human or --json).
import { DmsError, ErrorKind } from '../../dist/node/index.mjs';
import { jsonLine, line, writeErr, writeOut } from './print.mjs';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1; // the API refused, or network / timeout / bad answer
export const EXIT_USAGE = 2; // invalid input or usage: nothing was sent

/** A usage problem: reported like a DmsError, exit code 2. */
export class UsageError extends Error {
  constructor(code, message) {
    super(message);
    this.kind = 'Usage';
    this.code = code;
  }
}

export function errorRecord(error) {
  if (error instanceof DmsError || error instanceof UsageError) {
    const { kind, code, message, requestId, httpStatus, retryable, attempts, recommend } = error;
    return { kind, code, message, requestId, httpStatus, retryable, attempts, recommend };
  }
  return { kind: 'Internal', code: 'Internal', message: String(error?.message ?? error) };
}

export function exitCodeOf(error) {
  if (error instanceof UsageError) return EXIT_USAGE;
  if (error instanceof DmsError && error.kind === ErrorKind.InvalidInput) return EXIT_USAGE;
  return EXIT_FAILED;
}

/**
 * Reports `error`: one JSON object on stdout with --json, else lines on stderr.
 * `options` are the command's flags, to name the one an InvalidParameter.X came from.
 * `fieldFlags`: field → flag, for flags not named after their field. `mayHaveRerun`: false
 * when the failed call was a listing, so a timeout does not warn of a rerun that may have run.
 * `usage`: the help to point at.
 */
export function printError(error, { json, options, fieldFlags, mayHaveRerun = true, usage = 'dms-rerun --help' }) {
  const record = errorRecord(error);
  if (json) return writeOut(jsonLine({ error: record }));
  // Every value below may come from the gateway, DMS, the library echoing input or argv:
  // line`` escapes what a terminal would act on. (Escaped text holds nothing printable()
  // changes, so escaping `label` twice is harmless.)
  const label = record.code === record.kind ? line`${record.kind}` : line`${record.kind} ${record.code}`;
  const lines = [line`error: ${label}: ${record.message}`];
  // InvalidParameter.DagInstanceId → the flag it came from, --dag-instance-id. Own keys
  // only: a gateway Code "InvalidParameter.Constructor" must not find Object.prototype's.
  // `fieldFlags` names the flags whose name is not the field's (StartTimeBegin ← --since).
  const field = /^InvalidParameter\.(\w+)$/.exec(record.code)?.[1];
  const renamed = field && fieldFlags && Object.hasOwn(fieldFlags, field) ? fieldFlags[field] : undefined;
  const flag = renamed ?? (field && field.replace(/(?<=.)([A-Z])/g, '-$1').toLowerCase());
  if (flag && Object.hasOwn(options, flag)) lines.push(`  check --${flag}`);
  if (record.requestId !== undefined) lines.push(line`  RequestId: ${record.requestId}`);
  if (record.httpStatus !== undefined) lines.push(line`  HTTP status: ${record.httpStatus}`);
  if (record.attempts !== undefined && record.attempts > 1) lines.push(line`  attempts: ${record.attempts}`);
  if (record.recommend !== undefined) lines.push(line`  see: ${record.recommend}`);
  const uncertain = record.kind === ErrorKind.Timeout || record.kind === ErrorKind.Network;
  if (mayHaveRerun && uncertain && !String(record.message).includes('may still have happened')) {
    lines.push('  the rerun may still have happened: check the task flow before trying again');
  }
  if (record.kind === 'Usage' && record.code !== 'CredentialArgument') lines.push(`  run ${usage} for usage`);
  writeErr(lines.join('\n') + '\n');
}
