// Execution records as the list and failed commands fetch and show them.
import { listTaskFlowInstances, signListTaskFlowInstances } from '../../dist/node/index.mjs';
import { checkRange, dateFlag } from './dates.mjs';
import { UsageError } from './errors.mjs';
import { renderTable } from './table.mjs';

/** The API's PageSize limit, and the default --limit. */
export const MAX_PAGE_SIZE = 100;
export const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 10_000;

/**
 * Every page of `query` until `limit` records, the last page or TotalCount, one request at
 * a time. Not the library's iterateTaskFlowInstances: the footer needs TotalCount, which only
 * the pages carry. A record seen on an earlier page is not listed twice (new runs push the
 * list down while it is paged, so the last record of page 1 can come again as the first of
 * page 2: `failed` must not rerun it twice); a page that brings nothing new ends the listing,
 * so a gateway repeating a page cannot keep the loop going.
 * @returns {Promise<{instances: object[], totalCount: number}>}
 */
export async function collectInstances(config, query, limit) {
  const pageSize = query.pageSize ?? Math.min(limit, MAX_PAGE_SIZE);
  const instances = [];
  const seen = new Set();
  let totalCount = 0;
  for (let pageIndex = query.pageIndex ?? 1; ; pageIndex++) {
    const page = await listTaskFlowInstances(config, { ...query, pageIndex, pageSize });
    totalCount = page.totalCount;
    let fresh = 0;
    for (const instance of page.instances) {
      if (instances.length >= limit) break;
      if (seen.has(instance.id)) continue;
      seen.add(instance.id);
      instances.push(instance);
      fresh += 1;
    }
    const listed = (pageIndex - 1) * pageSize + page.instances.length;
    if (instances.length >= limit || fresh === 0 || listed >= page.totalCount) return { instances, totalCount };
  }
}

/** --limit: 1..10000, default DEFAULT_LIMIT. */
export function limitFlag(values) {
  const value = values.limit;
  if (value === undefined) return DEFAULT_LIMIT;
  if (!/^\d{1,5}$/.test(value) || Number(value) < 1 || Number(value) > MAX_LIMIT) {
    throw new UsageError('InvalidArguments', `--limit must be an integer in 1..${MAX_LIMIT}, got ${JSON.stringify(value)}`);
  }
  return Number(value);
}

const TRIGGERS = ['scheduled', 'manual'];

/** A status or trigger flag as the library takes it: a number when it is one, else the name. */
export const nameOrNumber = (value) => (value !== undefined && /^\d{1,3}$/.test(value) ? Number(value) : value);

const statusOf = (i) => (i.statusName === 'unknown' ? `unknown (${i.status ?? '-'})` : i.statusName);
const triggerOf = (i) => (i.triggerType === undefined ? '-' : TRIGGERS[i.triggerType] ?? String(i.triggerType));
/** The end time without its date when that is the start's date (most runs): 11 cells more for the message. */
function endOf({ startTime, endTime }) {
  if (endTime === undefined) return '-';
  const date = /^\d{4}-\d\d-\d\d /.exec(endTime)?.[0];
  return date !== undefined && typeof startTime === 'string' && startTime.startsWith(date) ? endTime.slice(date.length) : endTime;
}

const COLUMNS = [
  { title: 'ID' },
  { title: 'VERSION', max: 24 },
  { title: 'STATUS', max: 16 },
  { title: 'TRIGGER', max: 12 },
  { title: 'START', max: 19 },
  { title: 'END', max: 19 },
  { title: 'MESSAGE' },
];

/** Table lines of `instances`: ids whole (the exact decimal strings the library gives). */
export function instanceTable(instances, width) {
  const rows = instances.map((i) => [i.id, i.dagVersion, statusOf(i), triggerOf(i), i.startTime ?? '-', endOf(i), i.message ?? '']);
  return renderTable(COLUMNS, rows, width);
}

/** The flags list and failed share, as a ListTaskFlowInstance query (validated by the library). */
export function baseQuery(values) {
  const query = { dagId: values['dag-id'] };
  if (values.tid !== undefined) query.tid = values.tid;
  const since = dateFlag(values, 'since');
  const until = dateFlag(values, 'until');
  if (since !== undefined) query.startTimeBegin = since;
  if (until !== undefined) query.startTimeEnd = until;
  if (values['use-biz-date']) query.useBizDate = true;
  return query;
}

/**
 * Throws what the listing would refuse, before anything is sent or asked: the library's
 * checks (signing validates without sending), then an empty date range.
 */
export function checkQuery(config, query) {
  signListTaskFlowInstances(config, query);
  checkRange(query.startTimeBegin, query.startTimeEnd);
}

/** Query fields whose flag is not named after them, for "check --since" in errors. */
export const FIELD_FLAGS = Object.freeze({ StartTimeBegin: 'since', StartTimeEnd: 'until', TriggerType: 'trigger' });

/** Help lines for the date flags. */
export const DATE_HELP = `  --since DATE             first day of the range (StartTimeBegin), both ends included
  --until DATE             last day of the range (StartTimeEnd)
  --use-biz-date           the range filters the business date, not the run's start time
  DATE is YYYY-MM-DD (a real calendar date, as DMS counts days), or Nd:
  N days before today on this machine (0d = today, 3d = three days ago).`;
