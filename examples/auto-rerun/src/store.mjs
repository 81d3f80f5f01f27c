// What the Worker keeps in Workers KV (binding HEAL_KV):
//
//   attempts:<dagId>:<instanceId>  "<n>": reruns sent for that execution record,
//                                  expiring LOOKBACK_DAYS + 1 days after the last one
//   last-run                       the JSON summary of the latest cron run (GET /status)
//
// KV allows one write per second to a key; each attempt writes its key once.

export const SUMMARY_KEY = 'last-run';
const DAY_SECONDS = 24 * 60 * 60;

const attemptsKey = (dagId, instanceId) => `attempts:${dagId}:${instanceId}`;

/**
 * Reruns already sent for a record. A value that is not a count (edited by
 * hand?) reads as "cap reached": when in doubt, do not rerun.
 */
export async function readAttempts(kv, dagId, instanceId) {
  const value = await kv.get(attemptsKey(dagId, instanceId));
  if (value === null) return 0;
  return /^[0-9]{1,6}$/.test(value) ? Number(value) : Infinity;
}

/**
 * Records attempt number `n`. The count outlives the lookback window by a day:
 * a rerun record keeps its id and its start time moves to the rerun, so it can
 * stay listed for LOOKBACK_DAYS after the last attempt, and must stay capped that long.
 */
export async function writeAttempts(kv, dagId, instanceId, n, lookbackDays) {
  await kv.put(attemptsKey(dagId, instanceId), String(n), { expirationTtl: (lookbackDays + 1) * DAY_SECONDS });
}

export async function readSummary(kv) {
  return kv.get(SUMMARY_KEY, 'json');
}

export async function writeSummary(kv, summary) {
  await kv.put(SUMMARY_KEY, JSON.stringify(summary));
}
