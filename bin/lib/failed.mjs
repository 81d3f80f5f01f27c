// `dms-rerun failed --dag-id … --since …`: find the failed runs of a task flow in a date range
// (ListTaskFlowInstance, status failed) and rerun each with its own DagVersion
// (ReRunTaskFlowInstance), one at a time, oldest first, after a confirmation.
import { rerunTaskFlowInstance, signRerunTaskFlowInstance } from '../../dist/node/index.mjs';
import { CONNECTION_OPTIONS, configFrom, connectionHelp, requireFlags } from './connection.mjs';
import { confirm } from './confirm.mjs';
import { ENVIRONMENT_HELP } from './credentials.mjs';
import { REDACTED, redactedDryRun } from './dry-run.mjs';
import { EXIT_FAILED, EXIT_OK, UsageError, errorRecord } from './errors.mjs';
import { DATE_HELP, DEFAULT_LIMIT, FIELD_FLAGS, baseQuery, checkQuery, collectInstances, instanceTable, limitFlag } from './instances.mjs';
import { jsonLine, line, printable, writeOut } from './print.mjs';
import { terminalWidth } from './table.mjs';

export const options = {
  'dag-id': { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  'use-biz-date': { type: 'boolean' },
  tid: { type: 'string' },
  limit: { type: 'string' },
  'dry-run': { type: 'boolean' },
  yes: { type: 'boolean', short: 'y' },
  ...CONNECTION_OPTIONS,
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

export const errorContext = { fieldFlags: FIELD_FLAGS, mayHaveRerun: false, usage: 'dms-rerun failed --help' };

export const help = `Usage: dms-rerun failed --dag-id ID --since DATE [options]

Finds the failed runs of a task flow in a date range (ListTaskFlowInstance, status failed)
and reruns each with its own DagVersion (ReRunTaskFlowInstance), one at a time, oldest
first, printing each outcome (accepted with its RequestId, or the error) and a summary:
found, rerun (accepted), failed (refused or no answer), skipped (not attempted).

On a terminal it lists them and asks "Rerun N failed runs of task flow ID? [y/N]" first;
when stdin is not a terminal it refuses to rerun anything without --yes.
A throttling error stops the loop: the runs left are reported, not attempted.

Required:
  --dag-id ID              task flow id (DagId)
  --since DATE             first day of the range (StartTimeBegin)
Options:
  --until DATE             last day of the range (StartTimeEnd; default: no end)
  --use-biz-date           the range filters the business date, not the run's start time
  DATE is YYYY-MM-DD (a real calendar date, as DMS counts days), or Nd:
  N days before today on this machine (0d = today, 3d = three days ago).
  --tid ID                 tenant id (Tid), for the listing and every rerun
  --limit N                rerun at most N (the newest N failed runs), 1..10000 (default ${DEFAULT_LIMIT})
  -y, --yes                rerun without asking (required when stdin is not a terminal)
  --dry-run                list, then sign each rerun without sending it: shows the canonical
                           query, the signature as ${REDACTED}; reruns nothing (the listing,
                           read-only, is sent)
${connectionHelp(`the listing retries network errors, timeouts,
                           throttling and HTTP 503; a rerun only throttling and HTTP 503
                           (after a timeout it may have happened: it is not sent again)`)}
  --json                   print one JSON object on stdout at the end:
                           {"dagId","found","dryRun","outcomes":[...],"summary":{...}}
                           (+ "stoppedBy" after throttling; each outcome: id, dagVersion,
                           outcome accepted|failed|skipped|dry-run and its requestId, error,
                           reason or request), or {"error":{...}} when the listing failed
  -h, --help               show this help

${ENVIRONMENT_HELP}
Exit codes:
  0  every rerun accepted, nothing to rerun, the answer was no, or --dry-run
  1  a rerun failed (refused, throttled, network error or timeout: after the last two it
     may still have happened), or the listing failed
  2  invalid input or usage (bad id or date, missing credentials, no --yes when stdin is
     not a terminal): nothing was rerun
`;

const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;
const isThrottling = (record) => /^Throttling/.test(String(record.code));
const uncertain = (record) => record.kind === 'Timeout' || record.kind === 'Network';

/** One failure on one line: `Api InstanceNotExist: message (RequestId …)`, escaped. */
function describe(record) {
  const label = record.code === record.kind ? line`${record.kind}` : line`${record.kind} ${record.code}`;
  let text = line`${label}: ${record.message}`;
  if (record.requestId !== undefined) text += line` (RequestId ${record.requestId})`;
  if (uncertain(record) && !String(record.message).includes('may still have happened')) {
    text += '; the rerun may still have happened: check before trying again';
  }
  return text;
}

/** A run's name in outcome lines. */
const runName = (instance) => line`${instance.id} (DagVersion ${instance.dagVersion})`;

/** Runs the command on parsed flags; resolves the exit code, throws what printError reports. */
export async function run(values, { json, env }) {
  requireFlags(values, ['dag-id', 'since']);
  const config = configFrom(values, env);
  const query = { ...baseQuery(values), status: 'failed' };
  const limit = limitFlag(values);
  const dryRun = values['dry-run'] === true;
  checkQuery(config, query); // bad input is refused before anything is sent or asked
  const ask = !values.yes && !dryRun;
  if (ask && !process.stdin.isTTY) {
    throw new UsageError(
      'ConfirmationRequired',
      'stdin is not a terminal, so there is no one to ask: pass --yes to rerun the failed runs (or --dry-run to see them); nothing was sent',
    );
  }

  const listed = await collectInstances(config, query, limit);
  // The API filtered on Status; a run listed in another status is still never rerun.
  const failedRuns = listed.instances.filter((i) => i.statusName === 'failed');
  const found = failedRuns.length + Math.max(0, listed.totalCount - listed.instances.length);
  const plan = failedRuns.reverse(); // oldest first: a day's data before the next day's
  const out = (text) => json || writeOut(text + '\n');
  const range = query.startTimeEnd === undefined ? line`since ${query.startTimeBegin}` : line`from ${query.startTimeBegin} to ${query.startTimeEnd}`;
  const flow = line`task flow ${query.dagId}`;

  out(`${plural(found, 'failed run', 'failed runs')} of ${flow} ${range}` + (plan.length < found ? `; the ${plan.length} newest (--limit ${limit}) are taken` : ''));
  if (plan.length > 0) out(instanceTable(plan, terminalWidth(env)).join('\n'));

  const outcomes = plan.map((i) => ({ id: i.id, dagVersion: i.dagVersion, outcome: 'skipped' }));
  const rerunOf = (i) => ({ dagId: query.dagId, dagInstanceId: i.id, dagVersion: i.dagVersion, ...(query.tid === undefined ? {} : { tid: query.tid }) });
  let stoppedBy;

  if (plan.length === 0) {
    out('Nothing to rerun.');
  } else if (dryRun) {
    out(`Dry run: ${plural(plan.length, 'rerun', 'reruns')} signed but NOT sent (signatures shown as ${REDACTED}):`);
    plan.forEach((instance, n) => {
      try {
        const request = redactedDryRun(signRerunTaskFlowInstance(config, rerunOf(instance)));
        Object.assign(outcomes[n], { outcome: 'dry-run', request });
        out(`  would rerun ${runName(instance)}\n    ${printable(request.method)} ${printable(request.url, Infinity)}`);
      } catch (error) {
        Object.assign(outcomes[n], { outcome: 'failed', error: errorRecord(error) });
        out(`  ${runName(instance)}: cannot be rerun: ${describe(errorRecord(error))}`);
      }
    });
  } else if (ask && !(await confirm(`Rerun ${plural(plan.length, 'failed run', 'failed runs')} of ${flow}?`))) {
    out('Not confirmed: nothing rerun.');
    for (const o of outcomes) o.reason = 'not confirmed';
  } else {
    out(`Rerunning ${plural(plan.length, 'run', 'runs')}, oldest first, one at a time:`);
    for (const [n, instance] of plan.entries()) {
      try {
        const result = await rerunTaskFlowInstance(config, rerunOf(instance));
        Object.assign(outcomes[n], { outcome: 'accepted', requestId: result.requestId });
        out(`  ${runName(instance)}: accepted` + line`, RequestId ${result.requestId}`);
      } catch (error) {
        const record = errorRecord(error);
        Object.assign(outcomes[n], { outcome: 'failed', error: record });
        out(`  ${runName(instance)}: failed: ${describe(record)}`);
        if (isThrottling(record)) {
          stoppedBy = record.code;
          break;
        }
      }
    }
    if (stoppedBy !== undefined) {
      const left = outcomes.filter((o) => o.outcome === 'skipped');
      for (const o of left) o.reason = 'throttled';
      out(line`Stopped: the API is throttling (${stoppedBy}). Not attempted: ` + (left.length ? left.map((o) => printable(o.id)).join(', ') : 'none') + '; run the command again later.');
    }
  }

  const count = (what) => outcomes.filter((o) => o.outcome === what).length;
  const summary = { found, rerun: count('accepted'), failed: count('failed') };
  summary.skipped = found - summary.rerun - summary.failed;
  out(`Summary: found ${summary.found}, rerun ${summary.rerun}, failed ${summary.failed}, skipped ${summary.skipped}` + (dryRun ? ' (dry run: nothing sent)' : ''));
  if (json) {
    const report = { dagId: query.dagId, found, dryRun, outcomes, summary };
    if (stoppedBy !== undefined) report.stoppedBy = stoppedBy;
    writeOut(jsonLine(report));
  }
  return summary.failed > 0 ? EXIT_FAILED : EXIT_OK;
}
