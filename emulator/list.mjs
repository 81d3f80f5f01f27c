/**
 * DMS business logic behind ListTaskFlowInstance: filter a task flow's
 * records, count them, cut one page. Field names and types follow the
 * official Tea SDK model (ListTaskFlowInstanceResponseBody): `Id` and
 * `HistoryDagId` are Long (BigInt here, bare JSON numbers on the wire),
 * `DagId` is a String, `Status`/`TriggerType` Integer, and the start time
 * is spelled `startTime` with a lower-case s.
 */
import { checkFlow } from './taskflows.mjs';
import { DAY_MS, formatTime, parseDay } from './times.mjs';

/**
 * The records `query` selects, in list order.
 * The date range is inclusive, whole days (UTC): StartTimeBegin from 00:00,
 * StartTimeEnd to 23:59:59.999. It filters the run's start time, or its
 * business date with UseBizDate=true; a record without that time (a run still
 * waiting has not started) never matches a range.
 */
export function selectRecords(records, { startTimeBegin, startTimeEnd, useBizDate = false, status, triggerType }) {
  const from = startTimeBegin === undefined ? -Infinity : parseDay(startTimeBegin);
  const to = startTimeEnd === undefined ? Infinity : parseDay(startTimeEnd) + DAY_MS;
  const ranged = startTimeBegin !== undefined || startTimeEnd !== undefined;
  return records.filter((r) => {
    if (status !== undefined && r.status !== status) return false;
    if (triggerType !== undefined && r.triggerType !== triggerType) return false;
    if (!ranged) return true;
    const at = useBizDate ? r.businessMs : r.startMs;
    return at !== null && at >= from && at < to;
  });
}

/** One record as the API writes it; times absent when the run has none. */
export function instanceOf(record, { numericDagId = false } = {}) {
  return {
    Id: record.id,
    DagId: numericDagId ? BigInt(record.dagId) : record.dagId,
    DagName: record.dagName,
    DagVersion: record.dagVersion,
    Status: record.status,
    TriggerType: record.triggerType,
    BusinessTime: formatTime(record.businessMs),
    startTime: record.startMs === null ? undefined : formatTime(record.startMs),
    EndTime: record.endMs === null ? undefined : formatTime(record.endMs),
    Message: record.message,
    OwnerName: record.ownerName,
    HistoryDagId: record.historyDagId,
  };
}

/**
 * Answers one validated query (without RequestId). A page past the end is
 * an empty list with the full TotalCount, as a pager expects.
 * @param {object} ctx  `{catalog, runs, numericDagId}`
 * @param {object} query  read by the gateway from ListTaskFlowInstance's parameters
 */
export function listInstances({ catalog, runs, numericDagId }, query) {
  const refused = checkFlow(catalog, query);
  if (refused) return refused;
  const selected = selectRecords(runs.ofDag(query.dagId), query);
  const first = (query.pageIndex - 1) * query.pageSize;
  const page = selected.slice(first, first + query.pageSize);
  return {
    Success: true,
    TotalCount: selected.length,
    DAGInstanceList: { DAGInstance: page.map((record) => instanceOf(record, { numericDagId })) },
  };
}
