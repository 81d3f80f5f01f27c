/**
 * Fault matrix from Node: the packed package (import 'dms-rerun') against the
 * emulator's fault injection. Every case asserts the exact DmsError, how many
 * requests reached the emulator, and that a valid call succeeds right after.
 * The cases live in reliability/fault-cases.mjs and run in workerd too
 * (tests/worker/faults.test.mjs); Node-only cases (custom fetch, the unhinted
 * budget race) and the DNS case are here.
 *
 *   node --test tests/js/faults.test.mjs
 */
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { importPackage } from '../support/consumer.mjs';
import { startEmulator } from '../../emulator/server.mjs';
import { closedPort } from './support/wire.mjs';
import { DEMO_KEY, SMALL_FLOW, describeError, formatTally } from './reliability/common.mjs';
import { caseConfig, registerMatrix } from './reliability/fault-cases.mjs';

const { rerunTaskFlowInstance, DmsError } = await importPackage();

let emu;
/** kind → number of cases that ended with it ('success' for recoveries). */
const tally = new Map();
const count = (kind) => tally.set(kind, (tally.get(kind) ?? 0) + 1);

before(async () => {
  emu = await startEmulator();
});
after(async () => {
  await emu?.close();
  console.log(formatTally('fault matrix (Node): cases per outcome kind', tally));
});
beforeEach(() => {
  emu.state.reset();
});

/** Runs one table case from Node; returns {result | error, elapsedMs}. */
async function run(c) {
  emu.injectFaults(c.faults ?? []);
  const endpoint = c.endpoint === 'closed-port' ? `http://127.0.0.1:${await closedPort()}` : emu.url;
  const config = caseConfig(c, endpoint);
  const controller = new AbortController();
  if (c.abort?.before) controller.abort();
  const timer = c.abort?.afterMs ? setTimeout(() => controller.abort(), c.abort.afterMs) : undefined;
  if (c.abort) config.signal = controller.signal;
  const started = performance.now();
  try {
    const result = await rerunTaskFlowInstance(config, c.request ?? SMALL_FLOW);
    return { result, elapsedMs: performance.now() - started };
  } catch (err) {
    const elapsedMs = performance.now() - started;
    assert.ok(err instanceof DmsError, `not the package's DmsError: ${err?.stack ?? err}`);
    return { error: describeError(err), elapsedMs };
  } finally {
    clearTimeout(timer);
  }
}

/** The same module instance still makes a valid call, with exactly one more request. */
/** A valid call right after, in the same instance, must succeed. */
const assertStillWorks = registerMatrix(test, {
  run,
  call: () => rerunTaskFlowInstance({ ...DEMO_KEY, endpoint: emu.url }, SMALL_FLOW),
  count,
  emulator: () => emu,
});

// ---------- Node-only cases ----------

test('budget without hints: 503 ×11, maxRetries 10, timeoutMs 1500 → bounded by the budget', async () => {
  // Full-jitter backoff is random: the call ends either with the last 503
  // (the next wait would not fit) or with Timeout (the deadline fell during
  // a request). Either way attempts equals the requests sent, all re-signed.
  const c = { faults: Array.from({ length: 11 }, () => ({ type: 'status', status: 503 })), config: { timeoutMs: 1500, maxRetries: 10 } };
  const { error, elapsedMs } = await run(c);
  count(error.kind);
  assert.ok(elapsedMs < 1500 + 1000, `took ${elapsedMs} ms`);
  assert.equal(error.attempts, emu.state.requests);
  assert.ok(error.attempts >= 2, `only ${error.attempts} attempts in 1500 ms`);
  if (error.kind === 'Api') {
    assert.equal(error.code, 'ServiceUnavailable');
    assert.equal(error.httpStatus, 503);
    assert.equal(error.retryable, true);
  } else {
    assert.equal(error.kind, 'Timeout');
    assert.ok(elapsedMs >= 1400, `Timeout after only ${elapsedMs} ms`);
  }
  await assertStillWorks();
});

test('DNS failure (http://nonexistent.invalid) → Network, nothing retried', async (t) => {
  const started = performance.now();
  let error;
  try {
    await rerunTaskFlowInstance({ ...DEMO_KEY, endpoint: 'http://nonexistent.invalid', timeoutMs: 30_000 }, SMALL_FLOW);
  } catch (err) {
    error = describeError(err);
  }
  const ms = performance.now() - started;
  t.diagnostic(`DNS failure in this environment: ${error?.kind}/${error?.code} after ${ms.toFixed(0)} ms: ${error?.message}`);
  count(error?.kind ?? 'success (unexpected)');
  assert.equal(error.kind, 'Network');
  assert.equal(error.code, 'NetworkError');
  assert.equal(error.attempts, 1);
  assert.equal(error.httpStatus, undefined);
  assert.equal(error.retryable, false);
  await assertStillWorks();
});

/** A Response-like whose body is the given chunks, then an error or the end. */
function streamed(chunks, { fail = false, status = 200 } = {}) {
  const body = new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      if (fail) controller.error(new TypeError('socket hang up'));
      else controller.close();
    },
  });
  return { status, headers: new Headers(), body };
}

const ok = '{"RequestId":"FETCH-OK","Success":true}';
/** Hostile or unusual `fetch` results; none touches the network. */
const FETCH_CASES = [
  // The attempt counts (js/api.mjs: "`fetch` itself threw: that attempt counts").
  { id: 'fetch throws synchronously', fetch: () => { throw new TypeError('boom'); }, kind: 'Network', code: 'NetworkError' },
  { id: 'fetch rejects', fetch: async () => { throw new TypeError('fetch failed'); }, kind: 'Network', code: 'NetworkError' },
  { id: 'fetch resolves to undefined', fetch: async () => undefined, kind: 'InvalidResponse', code: 'InvalidResponse.NotHttp' },
  { id: 'fetch resolves to {status: "200"}', fetch: async () => ({ status: '200' }), kind: 'InvalidResponse', code: 'InvalidResponse.NotHttp' },
  { id: 'fetch resolves to status 700', fetch: async () => ({ status: 700, text: async () => ok }), kind: 'InvalidResponse', code: 'InvalidResponse.NotHttp' },
  { id: 'body stream errors after a chunk', fetch: async () => streamed([new TextEncoder().encode('{"Request')], { fail: true }), kind: 'Network', code: 'NetworkError', httpStatus: 200 },
  {
    id: 'body stream yields strings, not bytes',
    fetch: async () => streamed(['{"Success":true}']),
    kind: 'Network',
    code: 'NetworkError',
    httpStatus: 200,
  },
  { id: 'body over 1 MiB in one chunk from text()', fetch: async () => ({ status: 200, text: async () => ' '.repeat(1024 * 1024 + 1) }), kind: 'InvalidResponse', code: 'InvalidResponse.TooLarge', httpStatus: 200 },
  { id: 'fetch never settles, timeoutMs 300', fetch: () => new Promise(() => {}), config: { timeoutMs: 300 }, kind: 'Timeout', code: 'Timeout' },
  // Duck typing: these are answers, not errors.
  { id: 'plain object with text() and no headers', fetch: () => ({ status: 200, text: async () => ok }), success: true },
  { id: 'headers.get throws', fetch: async () => ({ status: 200, headers: { get() { throw new Error('no'); } }, text: async () => ok }), success: true },
  { id: 'body in many one-byte chunks', fetch: async () => streamed([...new TextEncoder().encode(ok)].map((b) => Uint8Array.of(b))), success: true },
];

for (const c of FETCH_CASES) {
  test(`custom fetch: ${c.id} → ${c.success ? 'success' : c.code}`, async () => {
    const config = { ...DEMO_KEY, endpoint: emu.url, fetch: c.fetch, ...c.config };
    let result;
    let error;
    try {
      result = await rerunTaskFlowInstance(config, SMALL_FLOW);
    } catch (err) {
      assert.ok(err instanceof DmsError, `not a DmsError: ${err?.stack ?? err}`);
      error = describeError(err);
    }
    count(error ? error.kind : 'success');
    assert.equal(emu.state.requests, 0, 'the custom fetch must be the only transport');
    if (c.success) {
      assert.deepEqual(result, { requestId: 'FETCH-OK', success: true }, JSON.stringify(error));
    } else {
      assert.ok(error, `resolved: ${JSON.stringify(result)}`);
      assert.equal(error.kind, c.kind, error.message);
      assert.equal(error.code, c.code);
      assert.equal(error.httpStatus, c.httpStatus);
      assert.equal(error.attempts, 1);
      assert.equal(error.retryable, false);
      assert.ok(error.message.length > 0);
    }
    await assertStillWorks();
  });
}

test('the matrix covers every error kind that a sent call can end with', () => {
  for (const kind of ['Api', 'InvalidResponse', 'Network', 'Timeout', 'Aborted', 'success']) {
    assert.ok((tally.get(kind) ?? 0) >= 2, `only ${tally.get(kind) ?? 0} cases of ${kind}`);
  }
});
