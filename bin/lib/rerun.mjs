// `dms-rerun --dag-id … --dag-instance-id … --dag-version …`: one ReRunTaskFlowInstance.
import { rerunTaskFlowInstance, signRerunTaskFlowInstance } from '../../dist/node/index.mjs';
import { CONNECTION_OPTIONS, configFrom, requireFlags } from './connection.mjs';
import { ENV_ID, ENV_SECRET, ENV_TOKEN } from './credentials.mjs';
import { REDACTED, printDryRun } from './dry-run.mjs';
import { EXIT_OK } from './errors.mjs';
import { jsonLine, line, writeOut } from './print.mjs';

export const options = {
  'dag-id': { type: 'string' },
  'dag-instance-id': { type: 'string' },
  'dag-version': { type: 'string' },
  tid: { type: 'string' },
  ...CONNECTION_OPTIONS,
  'dry-run': { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
};

export const help = `Usage: dms-rerun --dag-id ID --dag-instance-id ID --dag-version VERSION [options]
       dms-rerun list --dag-id ID [options]
       dms-rerun failed --dag-id ID --since DATE [options]

Reruns one Alibaba Cloud DMS Enterprise task flow instance (ReRunTaskFlowInstance).

Commands (each has its own --help, e.g. dms-rerun failed --help):
  (none)    rerun one instance: the flags below
  list      list the execution records of a task flow (ListTaskFlowInstance)
  failed    find the failed runs of a task flow in a date range and rerun each with its own
            DagVersion, after a confirmation

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

An ID is a decimal integer in 0..9223372036854775807 (2^63-1), kept exact. Each flag may be
given once. Text from the gateway is printed with control and bidi characters escaped
(\\x1b, \\u202e); --json keeps it exact.

Environment (credentials are never accepted as arguments):
  ${ENV_ID}       AccessKey id (required)
  ${ENV_SECRET}   AccessKey secret (required)
  ${ENV_TOKEN}      STS token, with temporary credentials (empty = unset)

Exit codes:
  0  the rerun was accepted (or --dry-run, --help, --version)
  1  the API refused it, or network error, timeout or unreadable answer
     (after a timeout or network error the rerun may still have happened)
  2  invalid input or usage: unknown or repeated flag, bad id, missing credentials; nothing
     was sent
`;

/** The library's config and request from the flags and the environment. */
function inputs(values, env) {
  requireFlags(values, ['dag-id', 'dag-instance-id', 'dag-version']);
  const config = configFrom(values, env);
  // Ids stay strings: exact up to 2^63-1, validated by the library.
  const request = { dagId: values['dag-id'], dagInstanceId: values['dag-instance-id'], dagVersion: values['dag-version'] };
  if (values.tid !== undefined) request.tid = values.tid;
  return { config, request };
}

/** Runs the command on parsed flags; resolves the exit code, throws what printError reports. */
export async function run(values, { json, env }) {
  const { config, request } = inputs(values, env);
  if (values['dry-run']) {
    printDryRun(signRerunTaskFlowInstance(config, request), { json });
    return EXIT_OK;
  }
  const result = await rerunTaskFlowInstance(config, request);
  if (json) {
    writeOut(jsonLine(result));
  } else {
    writeOut(line`Rerun accepted: RequestId ${result.requestId}` + '\n');
    if (result.errorCode !== undefined) writeOut(line`  note from the API: ${result.errorCode}: ${result.errorMessage ?? ''}` + '\n');
  }
  return EXIT_OK;
}
