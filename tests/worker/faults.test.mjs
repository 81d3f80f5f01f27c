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
import { startEmulator } from '../../emulator/server.mjs';
import { closedPort } from '../js/support/wire.mjs';
import { DEMO_KEY, SMALL_FLOW, formatTally } from '../js/reliability/common.mjs';
import { caseConfig, registerMatrix } from '../js/reliability/fault-cases.mjs';
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

/** A valid call right after, in the same instance, must succeed. */
const assertStillWorks = registerMatrix(test, {
  run,
  call: async () => {
    const out = await worker.call('/rerun', { config: { ...DEMO_KEY, endpoint: emu.url }, request: SMALL_FLOW });
    assert.equal(out.ok, true, JSON.stringify(out.error));
    return out.result;
  },
  count,
  emulator: () => emu,
});

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
