// The reliability tests' Worker: imports the package BY NAME like a user's
// wrangler project, after a probe that finds the package's wasm memory.
// build.mjs copies this file, wasm-probe.mjs and describe-error.mjs (from
// tests/js/reliability/) into the wrangler project.
//
// Routes (POST, JSON in and out, always HTTP 200):
//   /rerun {config, request, abort?: {before: true} | {afterMs}}
//          → {ok, result | error: describeError(err)}; the signal is made here
//   /stats {} → {memoryBytes, externrefs} of the package's wasm instance
import { wasmStats } from './wasm-probe.mjs';
import { describeError } from './describe-error.mjs';
import { rerunTaskFlowInstance, DmsError } from 'dms-rerun';

/** An AbortSignal as asked: already aborted, or aborted after `afterMs`. */
function signalFor(abort) {
  const controller = new AbortController();
  if (abort.before) controller.abort();
  else setTimeout(() => controller.abort(), abort.afterMs);
  return controller.signal;
}

const routes = {
  async '/rerun'({ config, request, abort }) {
    const withSignal = abort ? { ...config, signal: signalFor(abort) } : config;
    try {
      return { ok: true, result: await rerunTaskFlowInstance(withSignal, request) };
    } catch (err) {
      return { ok: false, error: { ...describeError(err), isDmsError: err instanceof DmsError } };
    }
  },
  async '/stats'() {
    return wasmStats();
  },
};

export default {
  async fetch(req) {
    const route = routes[new URL(req.url).pathname];
    if (!route || req.method !== 'POST') return new Response('not found', { status: 404 });
    return Response.json(await route(await req.json()));
  },
};
