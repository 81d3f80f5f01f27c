#!/usr/bin/env node
// dms-rerun: rerun an Alibaba Cloud DMS Enterprise task flow instance from a shell.
// Credentials come from the environment only (argv is visible in `ps` and kept in shell history).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DmsError, rerunTaskFlowInstance, signRerunTaskFlowInstance } from '../dist/node/index.mjs';
import { jsonLine, line, printable } from './lib/print.mjs';

const EXIT_OK = 0;
const EXIT_FAILED = 1; // the API refused, or network / timeout / bad answer
const EXIT_USAGE = 2; // invalid input or usage: nothing was sent

const ENV_ID = 'ALIBABA_CLOUD_ACCESS_KEY_ID';
const ENV_SECRET = 'ALIBABA_CLOUD_ACCESS_KEY_SECRET';
const ENV_TOKEN = 'ALIBABA_CLOUD_SECURITY_TOKEN';
const REDACTED = 'REDACTED';

const OPTIONS = {
  'dag-id': { type: 'string' },
  'dag-instance-id': { type: 'string' },
  'dag-version': { type: 'string' },
  tid: { type: 'string' },
  'region-id': { type: 'string' },
  endpoint: { type: 'string' },
  method: { type: 'string' },
  'timeout-ms': { type: 'string' },
  'max-retries': { type: 'string' },
  'dry-run': { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
};

const HELP = `Usage: dms-rerun --dag-id ID --dag-instance-id ID --dag-version VERSION [options]

Reruns one Alibaba Cloud DMS Enterprise task flow instance (ReRunTaskFlowInstance).

Required:
  --dag-id ID              task flow id (DagId)
  --dag-instance-id ID     execution record to rerun (DagInstanceId)
  --dag-version VERSION    task flow version (DagVersion), sent verbatim
Options:
  --tid ID                 tenant id (Tid); sent only when given
  --region-id REGION       e.g. cn-hangzhou → https://dms-enterprise.cn-hangzhou.aliyuncs.com
  --endpoint URL           http(s)://host[:port] origin instead of --region-id
                           (neither: https://dms-enterprise.aliyuncs.com)
  --method POST|GET        HTTP method (default POST)
  --timeout-ms N           budget for the whole call including retries (default 10000; 0 = none)
  --max-retries N          retries of throttling / HTTP 503 answers, 0..10 (default 2)
  --dry-run                sign and print the request without sending it; the signature and any
                           STS token are shown as ${REDACTED} (together they would be a working
                           request for 15 minutes)
  --json                   print one JSON object on stdout: the result or {"error":{...}}
  -h, --help               show this help
  -v, --version            print the version

An ID is a decimal integer in 0..9223372036854775807 (2^63-1), kept exact.

Environment (credentials are never accepted as arguments):
  ${ENV_ID}       AccessKey id (required)
  ${ENV_SECRET}   AccessKey secret (required)
  ${ENV_TOKEN}      STS token, with temporary credentials (empty = unset)

Exit codes:
  0  the rerun was accepted (or --dry-run, --help, --version)
  1  the API refused it, or network error, timeout or unreadable answer
     (after a timeout or network error the rerun may still have happened)
  2  invalid input or usage: unknown flag, bad id, missing credentials; nothing was sent
`;

/** A usage problem: reported like a DmsError, exit code 2. */
class UsageError extends Error {
  constructor(code, message) {
    super(message);
    this.kind = 'Usage';
    this.code = code;
  }
}

function version() {
  return JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;
}

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

function parse(argv) {
  refuseCredentialFlags(argv);
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (error) {
    // Only the "argument is ambiguous" message has extra lines of advice; it names a known
    // option. Unknown-option and positional messages echo argv, which may hold a newline:
    // kept whole (printing escapes it), not cut there.
    const message = error.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' ? error.message.split('\n')[0] : error.message;
    throw new UsageError('InvalidArguments', message);
  }
  return values;
}

/** A non-negative decimal integer flag; the library checks the range. */
function integerFlag(values, name) {
  const value = values[name];
  if (value === undefined) return undefined;
  if (!/^\d{1,10}$/.test(value)) throw new UsageError('InvalidArguments', `--${name} must be a non-negative integer, got ${JSON.stringify(value)}`);
  return Number(value);
}

function buildInputs(values) {
  for (const name of ['dag-id', 'dag-instance-id', 'dag-version']) {
    if (values[name] === undefined) throw new UsageError('MissingArgument', `--${name} is required`);
  }
  if (values['region-id'] !== undefined && values.endpoint !== undefined) {
    throw new UsageError('InvalidArguments', 'give --region-id or --endpoint, not both');
  }
  const accessKeyId = process.env[ENV_ID];
  const accessKeySecret = process.env[ENV_SECRET];
  const missing = [[ENV_ID, accessKeyId], [ENV_SECRET, accessKeySecret]].filter(([, v]) => !v).map(([k]) => k);
  if (missing.length > 0) throw new UsageError('MissingCredentials', `set ${missing.join(' and ')} in the environment`);

  const config = { accessKeyId, accessKeySecret };
  if (process.env[ENV_TOKEN]) config.securityToken = process.env[ENV_TOKEN];
  if (values['region-id'] !== undefined) config.regionId = values['region-id'];
  if (values.endpoint !== undefined) config.endpoint = values.endpoint;
  if (values.method !== undefined) config.method = values.method.toUpperCase();
  const timeoutMs = integerFlag(values, 'timeout-ms');
  if (timeoutMs !== undefined) config.timeoutMs = timeoutMs;
  const maxRetries = integerFlag(values, 'max-retries');
  if (maxRetries !== undefined) config.maxRetries = maxRetries;

  // Ids stay strings: exact up to 2^63-1, validated by the library.
  const request = { dagId: values['dag-id'], dagInstanceId: values['dag-instance-id'], dagVersion: values['dag-version'] };
  if (values.tid !== undefined) request.tid = values.tid;
  return { config, request };
}

/** The signed request with the signature (and an STS token) replaced by REDACTED. */
function redactedDryRun(signed) {
  const hide = (text, pattern) => text.replace(pattern, `$1${REDACTED}`);
  // An encoded value holds no raw '&'; in the string to sign it is encoded again, ending at %26.
  const url = hide(hide(signed.url, /([?&]Signature=)[^&]*/), /([?&]SecurityToken=)[^&]*/);
  const canonicalQuery = hide(signed.canonicalQuery, /((?:^|&)SecurityToken=)[^&]*/);
  const stringToSign = hide(signed.stringToSign, /(SecurityToken%3D).*?(?=%26|$)/);
  return { dryRun: true, sent: false, method: signed.method, url, canonicalQuery, stringToSign, signature: REDACTED };
}

function errorRecord(error) {
  if (error instanceof DmsError || error instanceof UsageError) {
    const { kind, code, message, requestId, httpStatus, retryable, attempts, recommend } = error;
    return { kind, code, message, requestId, httpStatus, retryable, attempts, recommend };
  }
  return { kind: 'Internal', code: 'Internal', message: String(error?.message ?? error) };
}

function exitCodeOf(error) {
  if (error instanceof UsageError) return EXIT_USAGE;
  if (error instanceof DmsError && error.kind === 'InvalidInput') return EXIT_USAGE;
  return EXIT_FAILED;
}

function printError(error, json) {
  const record = errorRecord(error);
  if (json) {
    process.stdout.write(jsonLine({ error: record }));
    return;
  }
  // Every value below may come from the gateway, DMS, the library echoing input or argv:
  // line`` escapes what a terminal would act on.
  // (escaped text holds nothing printable() changes, so escaping `label` twice is harmless)
  const label = record.code === record.kind ? line`${record.kind}` : line`${record.kind} ${record.code}`;
  const lines = [line`error: ${label}: ${record.message}`];
  // InvalidParameter.DagInstanceId → the flag it came from, --dag-instance-id
  const field = /^InvalidParameter\.(\w+)$/.exec(record.code)?.[1];
  const flag = field && field.replace(/(?<=.)([A-Z])/g, '-$1').toLowerCase();
  if (flag && Object.hasOwn(OPTIONS, flag)) lines.push(`  check --${flag}`);
  if (record.requestId !== undefined) lines.push(line`  RequestId: ${record.requestId}`);
  if (record.httpStatus !== undefined) lines.push(line`  HTTP status: ${record.httpStatus}`);
  if (record.attempts !== undefined && record.attempts > 1) lines.push(line`  attempts: ${record.attempts}`);
  if (record.recommend !== undefined) lines.push(line`  see: ${record.recommend}`);
  if ((record.kind === 'Timeout' || record.kind === 'Network') && !String(record.message).includes('may still have happened')) {
    lines.push('  the rerun may still have happened: check the task flow before trying again');
  }
  if (record.kind === 'Usage' && record.code !== 'CredentialArgument') lines.push('  run dms-rerun --help for usage');
  process.stderr.write(lines.join('\n') + '\n');
}

async function main(argv) {
  // Known before parsing, so even a usage error comes out as JSON.
  const json = argv.includes('--json');
  try {
    const values = parse(argv);
    if (values.help) return process.stdout.write(HELP), EXIT_OK;
    if (values.version) return process.stdout.write(version() + '\n'), EXIT_OK;
    const { config, request } = buildInputs(values);

    if (values['dry-run']) {
      const shown = redactedDryRun(signRerunTaskFlowInstance(config, request));
      if (json) {
        process.stdout.write(jsonLine(shown));
      } else {
        process.stdout.write(
          [
            'Dry run: signed but NOT sent.',
            line`Method:          ${shown.method}`,
            // The whole URL, however long: it is meant to be copied (printable() would cut it).
            `URL:             ${printable(shown.url, Infinity)}`,
            `Canonical query: ${printable(shown.canonicalQuery, Infinity)}`,
            `String to sign:  ${printable(shown.stringToSign, Infinity)}`,
            `Signature:       ${REDACTED} (with this query it would be a working request for 15 minutes)`,
          ].join('\n') + '\n',
        );
      }
      return EXIT_OK;
    }

    const result = await rerunTaskFlowInstance(config, request);
    if (json) {
      process.stdout.write(jsonLine(result));
    } else {
      process.stdout.write(line`Rerun accepted: RequestId ${result.requestId}` + '\n');
      if (result.errorCode !== undefined) process.stdout.write(line`  note from the API: ${result.errorCode}: ${result.errorMessage ?? ''}` + '\n');
    }
    return EXIT_OK;
  } catch (error) {
    printError(error, json);
    return exitCodeOf(error);
  }
}

process.exitCode = await main(process.argv.slice(2));
