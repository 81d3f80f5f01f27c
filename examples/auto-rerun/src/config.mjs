// The Worker's vars and secrets, read and checked at the start of every run.
// A bad value becomes a list of readable problems that the run summary
// (GET /status) shows, instead of an exception only the logs would see.
// Problems name the variable, never a secret's value.
import { DmsError, signListTaskFlowInstances } from 'dms-rerun';

/** Used when the var is absent or empty. */
export const DEFAULTS = Object.freeze({ lookbackDays: 2, maxRerunsPerInstance: 2, maxRerunsPerRun: 25 });

/** Inclusive ranges: large enough for any real setup, small enough that a typo is caught. */
const RANGES = Object.freeze({
  LOOKBACK_DAYS: [0, 30],
  MAX_RERUNS_PER_INSTANCE: [1, 10],
  // Each rerun is a subrequest; the Free plan allows 50 per invocation, list pages included.
  MAX_RERUNS_PER_RUN: [1, 1000],
});
/** More task flows than this in one cron run is a mistake, not a setup. */
const MAX_DAG_IDS = 50;
const MAX_LONG = 9223372036854775807n;
const CANONICAL_ID = /^(0|[1-9][0-9]*)$/;

/**
 * `{ config }` when everything is usable, else `{ problems: string[] }`.
 * `config`: `{ dagIds, lookbackDays, maxRerunsPerInstance, maxRerunsPerRun, dms }`, where
 * `dms` is the dms-rerun config (credentials, endpoint, timeout, retries).
 */
export function readConfig(env) {
  const problems = [];
  const dagIds = readDagIds(env.DAG_IDS, problems);
  const lookbackDays = readCount(env, 'LOOKBACK_DAYS', DEFAULTS.lookbackDays, problems);
  const maxRerunsPerInstance = readCount(env, 'MAX_RERUNS_PER_INSTANCE', DEFAULTS.maxRerunsPerInstance, problems);
  const maxRerunsPerRun = readCount(env, 'MAX_RERUNS_PER_RUN', DEFAULTS.maxRerunsPerRun, problems);
  const dms = dmsConfig(env, problems);
  if (problems.length > 0) return { problems };
  return { config: { dagIds, lookbackDays, maxRerunsPerInstance, maxRerunsPerRun, dms } };
}

/**
 * DAG_IDS: comma-separated decimal ids, kept as exact strings (ids go up to
 * 2^63−1). A TOML number above 2^53 reaches the Worker already rounded, so only
 * safe integers are accepted as numbers. Duplicates are dropped: a flow listed
 * twice must not have its runs rerun twice.
 */
function readDagIds(value, problems) {
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value) && value >= 0) return [String(value)];
    problems.push('DAG_IDS: a number this large is already rounded; quote the ids in wrangler.toml (DAG_IDS = "…")');
    return [];
  }
  if (typeof value !== 'string' || value.trim() === '') {
    problems.push('DAG_IDS is not set: the task flow ids to heal, comma-separated (e.g. "7,9223372036854775807")');
    return [];
  }
  const ids = value.split(',').map((part) => part.trim());
  const bad = ids.filter((id) => !CANONICAL_ID.test(id) || BigInt(id) > MAX_LONG);
  if (bad.length > 0) {
    const shown = bad.map((id) => JSON.stringify(id.slice(0, 24))).join(', ');
    problems.push(`DAG_IDS: ${shown} ${bad.length === 1 ? 'is not a task flow id' : 'are not task flow ids'} (decimal, 0..9223372036854775807, no empty entries)`);
    return [];
  }
  const unique = [...new Set(ids)];
  if (unique.length > MAX_DAG_IDS) problems.push(`DAG_IDS: ${unique.length} task flows, at most ${MAX_DAG_IDS}`);
  return unique;
}

/** A whole number in the var's range, or its default when unset. */
function readCount(env, name, fallback, problems) {
  const raw = env[name];
  if (raw === undefined || raw === null || raw === '') return fallback;
  const text = String(raw).trim();
  const [min, max] = RANGES[name];
  const n = /^[0-9]{1,4}$/.test(text) ? Number(text) : NaN;
  if (!(n >= min && n <= max)) {
    problems.push(`${name} must be a whole number in ${min}..${max} (default ${fallback})`);
    return fallback;
  }
  return n;
}

/**
 * The dms-rerun config, checked by the package's own validator: a signed
 * preview validates credentials, endpoint or region, timeout and retries
 * without sending anything. Its messages never hold a secret.
 */
function dmsConfig(env, problems) {
  const dms = { accessKeyId: env.ALIBABA_CLOUD_ACCESS_KEY_ID, accessKeySecret: env.ALIBABA_CLOUD_ACCESS_KEY_SECRET };
  if (env.ALIBABA_CLOUD_SECURITY_TOKEN) dms.securityToken = env.ALIBABA_CLOUD_SECURITY_TOKEN;
  if (env.DMS_ENDPOINT) dms.endpoint = env.DMS_ENDPOINT;
  else if (env.DMS_REGION_ID) dms.regionId = env.DMS_REGION_ID;
  if (env.DMS_TIMEOUT_MS !== undefined && env.DMS_TIMEOUT_MS !== '') dms.timeoutMs = Number(env.DMS_TIMEOUT_MS);
  if (env.DMS_MAX_RETRIES !== undefined && env.DMS_MAX_RETRIES !== '') dms.maxRetries = Number(env.DMS_MAX_RETRIES);

  const missing = ['ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET'].filter((name) => !env[name]);
  for (const name of missing) problems.push(`${name} is not set (wrangler secret put ${name})`);
  if (!env.DMS_ENDPOINT && !env.DMS_REGION_ID) {
    problems.push('set DMS_REGION_ID (e.g. "cn-hangzhou") or DMS_ENDPOINT');
    return dms;
  }
  if (missing.length > 0) return dms;
  try {
    signListTaskFlowInstances(dms, { dagId: '1' });
  } catch (err) {
    if (!(err instanceof DmsError)) throw err;
    problems.push(`${err.code}: ${err.message}`);
  }
  return dms;
}
