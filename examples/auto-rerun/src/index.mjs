// Auto-heal: a Cloudflare Worker whose Cron Trigger reruns the failed runs of
// DMS Enterprise task flows, each at most MAX_RERUNS_PER_INSTANCE times, and
// shows what its last run did at GET /status (bearer STATUS_TOKEN).
//
//   scheduled  for each DAG_IDS flow: ListTaskFlowInstance (failed, last LOOKBACK_DAYS)
//              → ReRunTaskFlowInstance with each record's own DagVersion, one at a time
//   GET /status  Authorization: Bearer <STATUS_TOKEN>  → {"lastRun": {…} | null}
//
// Bindings: KV namespace HEAL_KV. Vars: DAG_IDS, LOOKBACK_DAYS (2), MAX_RERUNS_PER_INSTANCE (2),
//   MAX_RERUNS_PER_RUN (25), DMS_REGION_ID or DMS_ENDPOINT, DMS_TIMEOUT_MS, DMS_MAX_RETRIES.
// Secrets: ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET,
//   ALIBABA_CLOUD_SECURITY_TOKEN (optional), STATUS_TOKEN.
import { runOnce } from './run.mjs';
import { handleRequest } from './status.mjs';

export default {
  async scheduled(controller, env) {
    // Awaited, not waitUntil: the invocation lasts as long as the reruns.
    await runOnce(env, controller);
  },

  fetch(request, env) {
    return handleRequest(request, env);
  },
};
