/**
 * Load through workerd (Miniflare): N reruns dispatched to the Worker at
 * concurrency 20, zero failures, every nonce distinct, and the package's
 * wasm memory and externref table (read inside the isolate) flat over the
 * second half.
 *
 *   node --test tests/worker/load.test.mjs                       # 300 calls (CI)
 *   DMS_WORKER_LOAD_CALLS=1000 node --test tests/worker/load.test.mjs
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startEmulator } from '../../emulator/server.mjs';
import { DEMO_KEY, formatTally } from '../js/reliability/common.mjs';
import { TASK_FLOWS } from '../../emulator/data.mjs';
import { startReliabilityWorker } from './reliability-fixture/build.mjs';

const CALLS = Number(process.env.DMS_WORKER_LOAD_CALLS ?? 300);
const CONCURRENCY = Number(process.env.DMS_WORKER_LOAD_CONCURRENCY ?? 20);
const KiB = 1024;

/** Ids as decimal strings: the route's body is JSON. */
const FLOWS = [
  { dagId: '7', dagInstanceId: '47', dagVersion: '2' },
  { dagId: '7', dagInstanceId: '48', dagVersion: '2', tid: '1' },
  { dagId: TASK_FLOWS[1].dagId, dagInstanceId: TASK_FLOWS[1].instances[0], dagVersion: TASK_FLOWS[1].dagVersion },
];

let emu;
let worker;
before(async () => {
  [emu, worker] = await Promise.all([startEmulator(), startReliabilityWorker('load')]);
});
after(async () => {
  await worker?.dispose();
  await emu?.close();
});

/** Calls `from`..`to` with `concurrency` dispatches in flight; compact outcomes. */
async function batch(from, to, config, outcomes) {
  let next = from;
  async function one() {
    while (next < to) {
      const i = next++;
      const out = await worker.call('/rerun', { config, request: FLOWS[i % FLOWS.length] });
      outcomes[i] = out.ok ? { requestId: out.result.requestId } : { kind: out.error.kind, code: out.error.code, message: out.error.message };
    }
  }
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, to - from) }, one));
}

test(`${CALLS} reruns through workerd at concurrency ${CONCURRENCY}: zero failures, distinct nonces, flat wasm memory`, async (t) => {
  const config = { ...DEMO_KEY, endpoint: emu.url, maxRetries: 0, timeoutMs: 60_000 };
  const outcomes = new Array(CALLS);
  const stats = [{ done: 0, ...(await worker.call('/stats')) }];
  assert.ok(stats[0].memoryBytes > 0, `the wasm probe found no package instance in the worker: ${JSON.stringify(stats[0])}`);
  const half = Math.floor(CALLS / 2);
  let ms = 0;
  for (const [from, to] of [[0, half], [half, CALLS]]) {
    const started = performance.now();
    await batch(from, to, config, outcomes);
    ms += performance.now() - started;
    stats.push({ done: to, ...(await worker.call('/stats')) });
  }

  const failures = outcomes.filter((o) => o.kind);
  assert.equal(failures.length, 0, `${failures.length} failures, first: ${JSON.stringify(failures[0])}`);
  assert.equal(new Set(outcomes.map((o) => o.requestId)).size, CALLS);
  assert.equal(emu.state.requests, CALLS);
  const statuses = new Map();
  for (const e of emu.state.log) statuses.set(String(e.status), (statuses.get(String(e.status)) ?? 0) + 1);
  assert.deepEqual([...statuses], [['200', CALLS]], formatTally('statuses', statuses));
  assert.equal(new Set(emu.state.log.map((e) => e.nonce)).size, CALLS, 'a nonce was used twice');

  for (const s of stats) t.diagnostic(`${s.done} calls: wasm memory ${(s.memoryBytes / KiB).toFixed(0)} KiB, externrefs ${s.externrefs}`);
  const [first, mid, end] = stats;
  assert.equal(end.memoryBytes, mid.memoryBytes, 'wasm memory grew in the second half');
  assert.equal(end.externrefs, mid.externrefs, 'the externref table grew in the second half');
  const rate = CALLS / (ms / 1000);
  console.log(
    `load (workerd): ${CALLS} calls at concurrency ${CONCURRENCY} in ${(ms / 1000).toFixed(2)} s = ${rate.toFixed(0)} calls/s; ` +
      `wasm memory ${(first.memoryBytes / KiB).toFixed(0)} → ${(end.memoryBytes / KiB).toFixed(0)} KiB, externrefs ${first.externrefs} → ${end.externrefs}`,
  );
});
