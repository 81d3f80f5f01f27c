// One cron run's work: for each task flow, the failed runs of the lookback
// window, each rerun with its own DagVersion until its attempts are used up.
//
// Reruns are not idempotent, so: one at a time; each record at most once per
// run; the attempt is counted in KV *before* it is sent (a run stopped mid-call
// can never rerun past the cap); and nothing is rerun when KV cannot count.
import { DmsError, iterateTaskFlowInstances, rerunTaskFlowInstance } from 'dms-rerun';
import { readAttempts, writeAttempts } from './store.mjs';

const DAY_MS = 24 * 60 * 60 * 1000;
const PAGE_SIZE = 100; // the API's largest page: fewest subrequests
/** Failed records taken per flow: bounds list pages, memory and the summary. */
export const MAX_FOUND = 500;

/**
 * Runs the heal for a checked config (config.mjs). `scheduledTime` (ms) is the
 * cron's time, so the window is the same whenever the invocation starts.
 * @returns {{ startTimeBegin: string, flows: object[], stopped: object|null }}
 */
export async function heal(config, kv, scheduledTime) {
  const { dagIds, lookbackDays, maxRerunsPerInstance, dms } = config;
  const startTimeBegin = utcDay(scheduledTime - lookbackDays * DAY_MS);
  const run = { startTimeBegin, flows: [], stopped: null };
  let budget = config.maxRerunsPerRun; // reruns left in this invocation (subrequest limit)

  for (const dagId of dagIds) {
    if (run.stopped) {
      run.flows.push({ dagId, notReached: true });
      continue;
    }
    const flow = { dagId, found: 0, rerun: [], skipped: [], failed: [], deferred: [] };
    run.flows.push(flow);
    const listed = await failedRuns(dms, dagId, startTimeBegin);
    flow.found = listed.instances.length;
    if (listed.truncated) flow.truncated = true;
    if (listed.error) {
      flow.listError = errorView(listed.error);
      run.stopped = stopFor(listed.error, { dagId });
    }

    for (const { id, dagVersion } of listed.instances) {
      if (run.stopped || budget === 0) {
        flow.deferred.push(id); // left for the next run; not counted
        continue;
      }
      let attempts;
      try {
        attempts = await readAttempts(kv, dagId, id);
      } catch {
        run.stopped = { reason: 'Storage', code: 'KvReadFailed', dagId, instanceId: id };
        flow.deferred.push(id);
        continue;
      }
      if (attempts >= maxRerunsPerInstance) {
        flow.skipped.push({ id, attempts: Number.isFinite(attempts) ? attempts : null });
        continue;
      }
      const attempt = attempts + 1;
      try {
        await writeAttempts(kv, dagId, id, attempt, lookbackDays);
      } catch {
        run.stopped = { reason: 'Storage', code: 'KvWriteFailed', dagId, instanceId: id };
        flow.deferred.push(id);
        continue;
      }
      budget -= 1;
      try {
        const { requestId } = await rerunTaskFlowInstance(dms, { dagId, dagInstanceId: id, dagVersion });
        flow.rerun.push({ id, dagVersion, attempt, requestId });
      } catch (err) {
        flow.failed.push({ id, dagVersion, attempt, ...errorView(err) });
        run.stopped = stopFor(err, { dagId, instanceId: id });
      }
    }
  }
  return run;
}

/**
 * The failed records of one flow since `startTimeBegin`, every page, each id
 * once (a record can shift onto the next page while we read). Collected before
 * any rerun: a rerun moves its record out of the "failed" filter, which would
 * shift later pages under the reader. `error` when a page could not be read;
 * records read before it are still returned.
 */
async function failedRuns(dms, dagId, startTimeBegin) {
  const byId = new Map();
  const query = { dagId, status: 'failed', startTimeBegin, pageSize: PAGE_SIZE };
  try {
    for await (const instance of iterateTaskFlowInstances(dms, query)) {
      // The gateway filters; checked again so an ignored filter never reruns a good run.
      if (instance.statusName !== 'failed' || (instance.dagId !== undefined && instance.dagId !== dagId)) continue;
      byId.set(instance.id, instance);
      if (byId.size >= MAX_FOUND) return { instances: [...byId.values()], truncated: true };
    }
  } catch (error) {
    return { instances: [...byId.values()], error };
  }
  return { instances: [...byId.values()] };
}

/**
 * Why the run stops after this error, or null to go on with the next record.
 * Throttling: the API budget is shared with every other caller of the account,
 * so pressing on only makes it worse. Anything that is not a DmsError is a bug:
 * stop rather than guess.
 */
function stopFor(err, where) {
  if (!(err instanceof DmsError)) return { reason: 'UnexpectedError', code: 'UnexpectedError', ...where };
  if (err.kind === 'Api' && err.code.startsWith('Throttling')) return { reason: 'Throttling', code: err.code, ...where };
  return null;
}

/**
 * What the summary keeps of an error: kind, code, the gateway's request id and
 * HTTP status. Never the message: a gateway message may quote the string it
 * signed, which holds the AccessKey id and an STS token.
 */
function errorView(err) {
  if (!(err instanceof DmsError)) {
    console.error(`auto-rerun: unexpected ${err?.name ?? typeof err}`); // not the message: it may hold a URL
    return { kind: 'Internal', code: 'UnexpectedError' };
  }
  const view = { kind: err.kind, code: err.code };
  if (err.httpStatus !== undefined) view.httpStatus = err.httpStatus;
  if (err.requestId !== undefined) view.requestId = err.requestId;
  return view;
}

/**
 * `YYYY-MM-DD` of a time, in UTC. DMS may read the date in its region's zone
 * (UTC+8 in China): the window then starts up to a day off, which LOOKBACK_DAYS absorbs.
 */
function utcDay(ms) {
  return new Date(ms).toISOString().slice(0, 10);
}
