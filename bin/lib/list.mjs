// `dms-rerun list --dag-id …`: the execution records of a task flow (ListTaskFlowInstance),
// every page up to --limit, as a table or one JSON object.
import { CONNECTION_OPTIONS, configFrom, connectionHelp, requireFlags } from './connection.mjs';
import { ENVIRONMENT_HELP } from './credentials.mjs';
import { EXIT_OK } from './errors.mjs';
import { DATE_HELP, DEFAULT_LIMIT, FIELD_FLAGS, MAX_PAGE_SIZE, baseQuery, checkQuery, collectInstances, instanceTable, limitFlag, nameOrNumber } from './instances.mjs';
import { integerFlag } from './args.mjs';
import { jsonLine, line, writeOut } from './print.mjs';
import { terminalWidth } from './table.mjs';

export const options = {
  'dag-id': { type: 'string' },
  status: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  'use-biz-date': { type: 'boolean' },
  trigger: { type: 'string' },
  tid: { type: 'string' },
  'page-size': { type: 'string' },
  limit: { type: 'string' },
  ...CONNECTION_OPTIONS,
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

export const errorContext = { fieldFlags: FIELD_FLAGS, mayHaveRerun: false, usage: 'dms-rerun list --help' };

export const help = `Usage: dms-rerun list --dag-id ID [options]

Lists the execution records of a task flow (ListTaskFlowInstance), newest first: every page
up to --limit, as a table of id, version, status, trigger, start, end and message (cut to
fit the terminal), with a footer "N of TotalCount". Ids are exact, even above 2^53.

Required:
  --dag-id ID              task flow id (DagId)
Filters:
  --status NAME            waiting, running, suspended, failed, succeeded, completed (or 0..5)
${DATE_HELP}
  --trigger TYPE           scheduled or manual (or 0, 1)
  --tid ID                 tenant id (Tid); sent only when given
Options:
  --limit N                records to show, 1..10000 (default ${DEFAULT_LIMIT})
  --page-size N            records per request, 1..${MAX_PAGE_SIZE} (default: --limit, at most ${MAX_PAGE_SIZE})
${connectionHelp(`retries of network errors, timeouts, throttling
                           and HTTP 503 answers`)}
  --json                   print one JSON object on stdout: {"instances":[...],"totalCount":N}
                           (ids as strings, text exact), or {"error":{...}}
  -h, --help               show this help

${ENVIRONMENT_HELP}
Exit codes:
  0  listed (even when nothing matches)
  1  the API refused the listing, or network error, timeout or unreadable answer
  2  invalid input or usage: unknown or repeated flag, bad id or date, missing credentials;
     nothing was sent
`;

/** Runs the command on parsed flags; resolves the exit code, throws what printError reports. */
export async function run(values, { json, env }) {
  requireFlags(values, ['dag-id']);
  const config = configFrom(values, env);
  const query = baseQuery(values);
  if (values.status !== undefined) query.status = nameOrNumber(values.status);
  if (values.trigger !== undefined) query.triggerType = nameOrNumber(values.trigger);
  const pageSize = integerFlag(values, 'page-size');
  if (pageSize !== undefined) query.pageSize = pageSize;
  const limit = limitFlag(values);
  checkQuery(config, query);

  const { instances, totalCount } = await collectInstances(config, query, limit);
  if (json) {
    writeOut(jsonLine({ instances, totalCount }));
    return EXIT_OK;
  }
  const out = instances.length > 0 ? instanceTable(instances, terminalWidth(env)) : [];
  const more = totalCount > instances.length && instances.length === limit ? ` (--limit ${limit}: raise it to see more)` : '';
  out.push(line`${instances.length} of ${totalCount} runs of task flow ${query.dagId}` + more);
  writeOut(out.join('\n') + '\n');
  return EXIT_OK;
}
