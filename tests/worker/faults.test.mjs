/**
 * The fault matrix inside workerd (Miniflare): the same cases as
 * tests/js/faults.test.mjs (tests/js/reliability/fault-cases.mjs), each made
 * by a Worker that imports the packed package, each followed by a valid call
 * in the same isolate.
 *
 *   node --test tests/worker/faults.test.mjs
 */
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { startEmulator } from '../emulator/server.mjs';
import { closedPort } from '../js/support/wire.mjs';
import { DEMO_KEY, SMALL_FLOW, formatTally, waitFor } from '../js/reliability/common.mjs';
import { FAILURES, RECOVERIES, assertFailure, assertRecovery, caseConfig } from '../js/reliability/fault-cases.mjs';
import { startReliabilityWorker } from './reliability-fixture/build.mjs';

let emu;
let worker;
const tally = new Map();
const count = (kind) => tally.set(kind, (tally.get(kind) ?? 0) + 1);

before(async () => {
  [emu, worker] = await Promise.all([startEmulator(), startReliabilityWorker('faults')]);
});
after(async () => {
  await worker?.dispose();
  await emu?.close();
  console.log(formatTally('fault matrix (workerd): cases per outcome kind', tally));
});
beforeEach(() => {
  emu.state.reset();
});

/** One case through the Worker; elapsed time is measured from Node. */
async function run(c) {
  emu.injectFaults(c.faults ?? []);
  const endpoint = c.endpoint === 'closed-port' ? `http://127.0.0.1:${await closedPort()}` : emu.url;
  const started = performance.now();
  const out = await worker.call('/rerun', { config: caseConfig(c, endpoint), request: c.request ?? SMALL_FLOW, abort: c.abort });
  const elapsedMs = performance.now() - started;
  if (!out.ok) assert.equal(out.error.isDmsError, true, `not a DmsError inside the worker: ${JSON.stringify(out.error)}`);
  return { result: out.result, error: out.error, elapsedMs };
}

async function assertStillWorks() {
  emu.state.faults.length = 0;
  // Streamed and slow answers are logged when they end: let them, so the
  // next log entry is this call's.
  await waitFor(() => emu.state.log.length >= emu.state.requests, 10_000, 'earlier requests to be logged');
  const before = emu.state.requests;
  const out = await worker.call('/rerun', { config: { ...DEMO_KEY, endpoint: emu.url }, request: SMALL_FLOW });
  assert.equal(out.ok, true, JSON.stringify(out.error));
  assert.equal(emu.state.requests, before + 1);
  assert.deepEqual(out.result, { requestId: emu.state.log.at(-1).requestId, success: true });
}

for (const c of FAILURES) {
  test(c.id, { todo: c.todo }, async () => {
    const outcome = await run(c);
    count(outcome.error?.kind ?? 'success (unexpected)');
    await assertFailure(c, outcome, emu);
    await assertStillWorks();
  });
}

for (const c of RECOVERIES) {
  test(`recovers: ${c.id}`, async () => {
    const outcome = await run(c);
    count(outcome.error ? outcome.error.kind : 'success');
    await assertRecovery(c, outcome, emu);
    await assertStillWorks();
  });
}

test('DNS failure (http://nonexistent.invalid) → Network', async (t) => {
  const { error, elapsedMs } = await run({ endpoint: undefined, config: { endpoint: 'http://nonexistent.invalid', timeoutMs: 30_000 } });
  t.diagnostic(`DNS failure in workerd here: ${error?.kind}/${error?.code} after ${elapsedMs.toFixed(0)} ms: ${error?.message}`);
  count(error?.kind ?? 'success (unexpected)');
  assert.equal(error.kind, 'Network');
  assert.equal(error.code, 'NetworkError');
  assert.equal(error.attempts, 1);
  assert.equal(emu.state.requests, 0);
  await assertStillWorks();
});

test('the workerd matrix covers every error kind that a sent call can end with', () => {
  for (const kind of ['Api', 'InvalidResponse', 'Network', 'Timeout', 'Aborted', 'success']) {
    assert.ok((tally.get(kind) ?? 0) >= 2, `only ${tally.get(kind) ?? 0} cases of ${kind}`);
  }
});
