// One cron invocation, start to summary: check the config, heal, and write
// what happened to KV for GET /status. A bad config is recorded, not thrown.
import { readConfig } from './config.mjs';
import { heal } from './heal.mjs';
import { writeSummary } from './store.mjs';

const iso = (ms) => new Date(ms).toISOString();

/**
 * @param {object} env  the Worker's bindings
 * @param {{scheduledTime: number, cron?: string}} controller  the ScheduledController
 * @returns {Promise<object|null>} the summary written, or null without a KV binding
 */
export async function runOnce(env, { scheduledTime, cron }) {
  const kv = env.HEAL_KV;
  if (!kv) {
    // Nowhere to count attempts: rerunning would have no cap, so nothing runs.
    console.error('auto-rerun: no HEAL_KV binding (see wrangler.toml): nothing rerun, nothing recorded');
    return null;
  }
  const startedAt = Date.now();
  // Every cron event has scheduledTime; without one (a hand-made call) the window counts from now.
  const at = Number.isFinite(scheduledTime) ? scheduledTime : startedAt;
  const summary = { startedAt: iso(startedAt), finishedAt: null, scheduledTime: iso(at), cron: cron ?? null, outcome: null };
  let unexpected = null;
  try {
    const { config, problems } = readConfig(env);
    if (problems) {
      Object.assign(summary, { outcome: 'misconfigured', problems });
    } else {
      const { dagIds, lookbackDays, maxRerunsPerInstance, maxRerunsPerRun } = config;
      summary.settings = { dagIds, lookbackDays, maxRerunsPerInstance, maxRerunsPerRun };
      const run = await heal(config, kv, at);
      Object.assign(summary, {
        outcome: run.stopped ? 'stopped' : 'completed',
        startTimeBegin: run.startTimeBegin,
        stopped: run.stopped,
        totals: totals(run.flows),
        flows: run.flows,
      });
    }
  } catch (err) {
    unexpected = err; // a bug: record that the run broke, then let the runtime log it
    Object.assign(summary, { outcome: 'failed', problems: [`unexpected ${err?.name ?? typeof err}; see the Worker's logs`] });
  }
  summary.finishedAt = iso(Date.now());
  await writeSummary(kv, summary);
  console.log(`auto-rerun: ${summary.outcome}${summary.totals ? ' ' + JSON.stringify(summary.totals) : ''}`);
  if (unexpected) throw unexpected;
  return summary;
}

/** Counts over every flow, for a glance at /status and the log line. */
function totals(flows) {
  const sum = { found: 0, rerun: 0, skipped: 0, failed: 0, deferred: 0 };
  for (const flow of flows) {
    if (flow.notReached) continue;
    sum.found += flow.found;
    for (const key of ['rerun', 'skipped', 'failed', 'deferred']) sum[key] += flow[key].length;
  }
  return sum;
}
