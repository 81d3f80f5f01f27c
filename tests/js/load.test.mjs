/**
 * Load from Node: N calls at concurrency 100 against the emulator (in its
 * own process), zero failures, every nonce distinct, and memory flat from
 * the middle of the run to its end: wasm linear memory and the externref
 * table exactly, JS heap and RSS within a margin.
 *
 *   node --test tests/js/load.test.mjs                   # 2000 calls (CI)
 *   DMS_LOAD_CALLS=10000 node --test tests/js/load.test.mjs
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import v8 from 'node:v8';
import vm from 'node:vm';
import { getEventListeners } from 'node:events';
// Before the package: it wraps WebAssembly.Instance to find the package's memory.
import { wasmStats } from './reliability/wasm-probe.mjs';
import { importPackage } from '../support/consumer.mjs';
import { closedPort } from './support/wire.mjs';
import { startEmulatorProcess } from './reliability/emulator-process.mjs';
import { DEMO_KEY } from './reliability/common.mjs';
import { TASK_FLOWS } from '../../emulator/data.mjs';

const { rerunTaskFlowInstance, DmsError } = await importPackage();

const CALLS = Number(process.env.DMS_LOAD_CALLS ?? 2000);
const CONCURRENCY = Number(process.env.DMS_LOAD_CONCURRENCY ?? 100);
const MiB = 1024 * 1024;

// A real full GC before each sample, so heap numbers compare like with like.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');

/** The seeded instances, round robin, including the 2^63−1 flow with its non-ASCII version. */
const FLOWS = [
  { dagId: 7, dagInstanceId: 47, dagVersion: '2' },
  { dagId: 7n, dagInstanceId: '48', dagVersion: '2', tid: 1 },
  { dagId: TASK_FLOWS[1].dagId, dagInstanceId: BigInt(TASK_FLOWS[1].instances[0]), dagVersion: TASK_FLOWS[1].dagVersion },
];

let emu;
before(async () => {
  emu = await startEmulatorProcess();
});
after(async () => {
  await emu?.close();
});

/**
 * Memory once the process is quiet: in-flight calls hold heap, and
 * wasm-bindgen frees its closures through a FinalizationRegistry whose
 * callbacks run only after a GC and a turn of the event loop.
 */
async function quietSample(done) {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  gc();
  const { rss, heapUsed } = process.memoryUsage();
  return { done, rss, heapUsed, ...wasmStats() };
}

const mb = (bytes) => (bytes / MiB).toFixed(1) + ' MiB';
const fmt = (s) => `${s.done} calls: rss ${mb(s.rss)}, heap ${mb(s.heapUsed)}, wasm memory ${mb(s.memoryBytes)}, externrefs ${s.externrefs}`;

/**
 * Runs calls `from`..`to` of `call(i)` with `concurrency` in flight. Only a
 * compact outcome is kept (a request id, an error kind and code), so the
 * test's own bookkeeping does not show up as growth.
 */
async function batch(from, to, concurrency, call, outcomes) {
  let next = from;
  async function worker() {
    while (next < to) {
      const i = next++;
      try {
        outcomes[i] = { requestId: (await call(i)).requestId };
      } catch (error) {
        outcomes[i] = { kind: error instanceof DmsError ? error.kind : `not a DmsError: ${error}`, code: error?.code, message: error?.message };
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, to - from) }, worker));
}

/**
 * Runs `total` calls in two halves; memory is sampled quietly before, after
 * the first half (warm: pools, caches and wasm memory have grown to their
 * working size) and after the second. Returns outcomes, samples and the
 * time spent calling.
 */
async function runLoad(total, concurrency, call) {
  const outcomes = new Array(total);
  const samples = [await quietSample(0)];
  const half = Math.floor(total / 2);
  let ms = 0;
  for (const [from, to] of [[0, half], [half, total]]) {
    const started = performance.now();
    await batch(from, to, concurrency, call, outcomes);
    ms += performance.now() - started;
    samples.push(await quietSample(to));
  }
  return { outcomes, samples, ms };
}

/** Flat over the second half: wasm exactly, JS heap and RSS within margins. */
function assertFlat(samples, t) {
  const [, half, end] = samples;
  for (const s of samples) t.diagnostic(fmt(s));
  assert.ok(end.memoryBytes > 0, 'the wasm probe did not find the package instance');
  assert.equal(end.memoryBytes, half.memoryBytes, `wasm memory grew from ${mb(half.memoryBytes)} to ${mb(end.memoryBytes)} in the second half`);
  assert.equal(end.externrefs, half.externrefs, `externref table grew from ${half.externrefs} to ${end.externrefs}`);
  assert.ok(end.heapUsed - half.heapUsed < 4 * MiB, `JS heap grew by ${mb(end.heapUsed - half.heapUsed)}`);
  assert.ok(end.rss - half.rss < 32 * MiB, `RSS grew by ${mb(end.rss - half.rss)}`);
}

test(`${CALLS} reruns at concurrency ${CONCURRENCY}: zero failures, distinct nonces, flat memory`, async (t) => {
  await emu.reset();
  const config = { ...DEMO_KEY, endpoint: emu.url, maxRetries: 0, timeoutMs: 60_000 };
  const { outcomes, samples, ms } = await runLoad(CALLS, CONCURRENCY, (i) => rerunTaskFlowInstance(config, FLOWS[i % FLOWS.length]));

  const failures = outcomes.filter((o) => o.kind);
  assert.equal(failures.length, 0, `${failures.length} failures, first: ${JSON.stringify(failures[0])}`);
  const requestIds = new Set(outcomes.map((o) => o.requestId));
  assert.equal(requestIds.size, CALLS, 'request ids repeat: results were mixed up');

  const state = await emu.state();
  assert.equal(state.requests, CALLS);
  assert.equal(state.logged, CALLS);
  assert.deepEqual(state.statuses, { 200: CALLS });
  assert.equal(new Set(state.nonces).size, CALLS, 'a nonce was used twice');
  const reruns = Object.values(state.reruns).reduce((a, b) => a + b, 0);
  assert.equal(reruns, CALLS);

  assertFlat(samples, t);
  const rate = CALLS / (ms / 1000);
  const [first, , last] = samples;
  console.log(`load (Node): ${CALLS} calls at concurrency ${CONCURRENCY} in ${(ms / 1000).toFixed(2)} s = ${rate.toFixed(0)} calls/s; rss ${mb(first.rss)} → ${mb(last.rss)}, wasm memory ${mb(first.memoryBytes)} → ${mb(last.memoryBytes)}, externrefs ${first.externrefs} → ${last.externrefs}`);
});

/** Runs `fn` and returns the process warnings it caused. */
async function warningsDuring(fn) {
  const warnings = [];
  const onWarning = (w) => warnings.push(`${w.name}: ${w.message}`);
  process.on('warning', onWarning);
  try {
    await fn();
    await new Promise((resolve) => setImmediate(resolve));
    return warnings;
  } finally {
    process.off('warning', onWarning);
  }
}

test('500 calls sharing one AbortSignal and a 10-minute timeoutMs leave no listener and no armed timer', async () => {
  // Calls listen on the caller's signal and arm a timeoutMs timer; both must
  // be gone when they end, or a long-lived signal collects listeners and
  // timers keep the process alive for 10 minutes.
  await emu.reset();
  const controller = new AbortController();
  const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  await quietSample(0);
  const timersBefore = timers();
  const config = { ...DEMO_KEY, endpoint: emu.url, signal: controller.signal, timeoutMs: 600_000 };
  const { outcomes } = await runLoad(500, 50, (i) => rerunTaskFlowInstance(config, FLOWS[i % FLOWS.length]));
  assert.deepEqual(outcomes.filter((o) => o.kind), []);
  assert.equal(getEventListeners(controller.signal, 'abort').length, 0, 'abort listeners left on the caller signal');
  assert.equal(timers(), timersBefore, `armed timers: ${process.getActiveResourcesInfo().join(', ')}`);
  controller.abort(); // nothing listens any more: no effect, no error
  assert.equal((await emu.state()).requests, 500);
});

test('20 concurrent calls sharing one AbortSignal print no MaxListenersExceededWarning', async () => {
  // Node warns ("Possible EventTarget memory leak") above 10 listeners on one
  // signal: a listener per call would print it for any 11 concurrent calls.
  await emu.reset();
  const controller = new AbortController();
  const config = { ...DEMO_KEY, endpoint: emu.url, signal: controller.signal };
  // 40 calls: runLoad runs two halves of 20, all 20 of a half in flight at once.
  const warnings = await warningsDuring(() => runLoad(40, 20, () => rerunTaskFlowInstance(config, FLOWS[0])));
  assert.deepEqual(warnings, []);
});

test(`error paths under load (${Math.max(300, CALLS / 2)} calls): invalid input, refused connections and API errors leak nothing`, async (t) => {
  await emu.reset();
  const total = Math.max(300, CALLS / 2);
  const refused = `http://127.0.0.1:${await closedPort()}`;
  const good = { ...DEMO_KEY, endpoint: emu.url, maxRetries: 0 };
  const kinds = ['InvalidInput', 'Network', 'Api', 'Aborted'];
  const calls = [
    () => rerunTaskFlowInstance(good, { dagId: -1, dagInstanceId: 47, dagVersion: '2' }),
    () => rerunTaskFlowInstance({ ...good, endpoint: refused }, FLOWS[0]),
    () => rerunTaskFlowInstance(good, { dagId: 7, dagInstanceId: 49, dagVersion: '2' }),
    () => rerunTaskFlowInstance({ ...good, signal: AbortSignal.abort() }, FLOWS[0]),
  ];
  const { outcomes, samples } = await runLoad(total, CONCURRENCY, (i) => calls[i % calls.length]());
  outcomes.forEach((o, i) => assert.equal(o.kind, kinds[i % kinds.length], `call ${i}: ${JSON.stringify(o)}`));
  const state = await emu.state();
  assert.equal(state.requests, outcomes.filter((_, i) => i % 4 === 2).length, 'only the API-error calls reached the emulator');
  assertFlat(samples, t);
});
