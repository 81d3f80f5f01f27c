/**
 * What a successful ReRunTaskFlowInstance does to a listed record: running
 * at once, then its scripted outcome after `rerunOutcomeMs` (or when
 * settled). Failures and unknown instances leave records alone. Observed
 * through ListTaskFlowInstance, as a client would, and the admin API.
 *
 *   node --test tests/emulator/reruns.test.mjs
 */
import { test, describe, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { startEmulator } from '../../emulator/server.mjs';
import { MAX_LONG, STATUS } from '../../emulator/data.mjs';
import { call, list, recordsOf, signed, waitFor } from './client.mjs';

const ANCHOR = '2026-03-10T12:00:00Z';
const TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

/** The listed record `id` of task flow `dagId` (ids compared exactly, as strings). */
async function recordOf(emu, id, dagId = '7') {
  const reply = await list(emu, { DagId: dagId, PageSize: '100' });
  assert.equal(reply.status, 200, reply.text);
  const record = recordsOf(reply).find((r) => r.Id === id);
  assert.ok(record, `record ${id} listed`);
  return record;
}

async function rerun(emu, overrides) {
  const reply = await call(emu, signed(overrides));
  assert.equal(reply.status, 200, reply.text);
  return reply.json;
}

/** Close to the emulator's clock, in the list's time format. */
function assertNow(text) {
  assert.match(text, TIME);
  const ms = Date.parse(`${text.replace(' ', 'T')}Z`);
  assert.ok(Math.abs(ms - Date.now()) < 5000, `${text} is now`);
}

describe('settled by hand (rerunOutcomeMs: null)', () => {
  let emu;
  before(async () => {
    emu = await startEmulator({ seedAnchor: ANCHOR, rerunOutcomeMs: null });
  });
  after(() => emu.close());
  beforeEach(() => emu.state.reset());

  test('failed → running (new start, no end, no message) → succeeded on settle', async () => {
    const seeded = await recordOf(emu, '47');
    assert.equal(seeded.Status, STATUS.failed);
    assert.deepEqual(await rerun(emu), { RequestId: emu.state.log.at(-1).requestId, Success: true });

    const running = await recordOf(emu, '47');
    assert.equal(running.Status, STATUS.running);
    assertNow(running.startTime);
    assert.equal(running.EndTime, undefined);
    assert.equal(running.Message, '');
    assert.equal(running.BusinessTime, seeded.BusinessTime, 'the business date is the run’s, not the rerun’s');
    assert.equal(running.TriggerType, seeded.TriggerType);
    assert.ok(!(await list(emu, { Status: '3', PageSize: '100' })).text.includes('"Id":47,'), 'no longer failed');
    assert.deepEqual(emu.runs.pendingIds(), ['47']);

    assert.deepEqual(await emu.admin('/settle', {}), { settled: ['47'] });
    const done = await recordOf(emu, '47');
    assert.equal(done.Status, STATUS.succeeded);
    assert.equal(done.startTime, running.startTime);
    assertNow(done.EndTime);
    assert.ok(done.EndTime >= done.startTime);
    assert.deepEqual(emu.runs.pendingIds(), []);
    assert.equal(emu.state.reruns.get('47'), 1);
  });

  test('the list order stays put: a rerun record keeps its place', async () => {
    const before = (await list(emu, { PageSize: '100' })).text.match(/"Id":\d+/g);
    await rerun(emu, { DagInstanceId: '48' });
    const after = (await list(emu, { PageSize: '100' })).text.match(/"Id":\d+/g);
    assert.deepEqual(after, before);
  });

  test('a scripted failure (admin), then the default success', async () => {
    assert.deepEqual(await emu.admin('/outcomes', { instanceId: '47', outcomes: ['failed'] }), { instanceId: '47', outcomes: ['failed'] });
    await rerun(emu);
    await emu.admin('/settle', { instanceId: '47' });
    const failed = await recordOf(emu, '47');
    assert.equal(failed.Status, STATUS.failed);
    assert.equal(failed.Message, 'Rerun failed (outcome scripted in the DMS emulator)');
    assertNow(failed.EndTime);

    await rerun(emu);
    await emu.admin('/settle', { instanceId: '47' });
    assert.equal((await recordOf(emu, '47')).Status, STATUS.succeeded);
  });

  test('settle of one instance leaves the others running; settle of an idle one is a no-op', async () => {
    await rerun(emu, { DagInstanceId: '47' });
    await rerun(emu, { DagInstanceId: '48' });
    assert.deepEqual(await emu.admin('/settle', { instanceId: '48' }), { settled: ['48'] });
    assert.equal((await recordOf(emu, '47')).Status, STATUS.running);
    assert.equal((await recordOf(emu, '48')).Status, STATUS.succeeded);
    assert.deepEqual(await emu.admin('/settle', { instanceId: '7096' }), { settled: [] });
    assert.deepEqual(emu.runs.settle(), ['47']);
  });

  test('a version-1 record is rerun with version 1; version 2 is a mismatch and moves nothing', async () => {
    const refused = await rerun(emu, { DagInstanceId: '7079', DagVersion: '2' });
    assert.equal(refused.ErrorCode, 'DagVersionMismatch');
    assert.equal((await recordOf(emu, '7079')).Status, STATUS.failed);
    assert.equal((await rerun(emu, { DagInstanceId: '7079', DagVersion: '1' })).Success, true);
    assert.equal((await recordOf(emu, '7079')).Status, STATUS.running);
  });

  test('business failures leave the record as it was', async () => {
    const before = await recordOf(emu, '47');
    assert.equal((await rerun(emu, { Tid: '2' })).ErrorCode, 'InvalidTid');
    assert.equal((await rerun(emu, { DagVersion: '3' })).ErrorCode, 'DagVersionMismatch');
    assert.deepEqual(await recordOf(emu, '47'), before);
    assert.equal(emu.state.reruns.size, 0);
  });

  test('ids a JS Number would merge: only the exact instance moves', async () => {
    const request = { DagId: MAX_LONG, DagInstanceId: '9007199254740993', DagVersion: 'v-大数据-🚀' };
    assert.equal((await rerun(emu, request)).Success, true);
    assert.equal((await recordOf(emu, '9007199254740993', MAX_LONG)).Status, STATUS.running);
    assert.equal((await recordOf(emu, '9007199254740992', MAX_LONG)).Status, STATUS.succeeded);
    const text = (await list(emu, { DagId: MAX_LONG, Status: '1' })).text;
    assert.match(text, /"TotalCount":1,.*"Id":9007199254740993,/);
  });

  test('reset puts records back to the seed and drops running reruns', async () => {
    const seeded = await recordOf(emu, '47');
    await rerun(emu);
    await emu.admin('/reset', {});
    assert.deepEqual(await recordOf(emu, '47'), seeded);
    assert.deepEqual(emu.runs.pendingIds(), []);
  });

  test('instances declared without records keep the old behaviour: counted, nothing listed', async () => {
    const extra = await startEmulator({ taskFlows: [{ dagId: '8', dagVersion: '1', instances: ['800', '47'] }], rerunOutcomeMs: null });
    try {
      const reply = await call(extra, signed({ DagId: '8', DagInstanceId: '800', DagVersion: '1' }));
      assert.equal(reply.json.Success, true, reply.text);
      assert.equal(extra.state.reruns.get('800'), 1);
      assert.deepEqual(extra.runs.pendingIds(), []);
      // dag 8 declares an instance id that dag 7's records use: dag 7's record must not move
      assert.equal((await call(extra, signed({ DagId: '8', DagInstanceId: '47', DagVersion: '1' }))).json.Success, true);
      assert.equal((await recordOf(extra, '47')).Status, STATUS.failed);
    } finally {
      await extra.close();
    }
  });
});

test('default timing: running right after the answer, the outcome after rerunOutcomeMs', async () => {
  const emu = await startEmulator({ rerunOutcomeMs: 300 });
  try {
    const started = Date.now();
    assert.equal((await call(emu, signed())).json.Success, true);
    assert.equal((await recordOf(emu, '47')).Status, STATUS.running);
    await waitFor(async () => (await recordOf(emu, '47')).Status !== STATUS.running, 3000);
    assert.ok(Date.now() - started >= 290, 'not before the delay');
    assert.equal((await recordOf(emu, '47')).Status, STATUS.succeeded);
  } finally {
    await emu.close();
  }
});

test('the default delay is a demo-friendly 1.5 s', async () => {
  const emu = await startEmulator();
  try {
    assert.equal(emu.runs.outcomeMs, 1500);
    assert.equal((await emu.admin('/runs?dagId=7')).rerunOutcomeMs, 1500);
  } finally {
    await emu.close();
  }
});

test('rerunOutcomeMs 0: the outcome is there when the answer is', async () => {
  const emu = await startEmulator({ rerunOutcomeMs: 0, rerunOutcomes: { 47: ['failed'] } });
  try {
    await call(emu, signed());
    assert.equal((await recordOf(emu, '47')).Status, STATUS.failed);
    await call(emu, signed());
    assert.equal((await recordOf(emu, '47')).Status, STATUS.succeeded);
    emu.state.reset(); // the scripts given at start come back with the seed
    await call(emu, signed());
    assert.equal((await recordOf(emu, '47')).Status, STATUS.failed);
  } finally {
    await emu.close();
  }
});

test('admin config switches the delay; a second rerun restarts the wait', async () => {
  const emu = await startEmulator({ rerunOutcomeMs: null });
  try {
    await call(emu, signed());
    assert.deepEqual(await emu.admin('/config', { rerunOutcomeMs: 200 }), { rerunOutcomeMs: 200 });
    assert.equal((await recordOf(emu, '47')).Status, STATUS.running, 'a change applies to later reruns');
    await call(emu, signed());
    await waitFor(async () => (await recordOf(emu, '47')).Status === STATUS.succeeded, 3000);
    await emu.admin('/config', { rerunOutcomeMs: 0 });
    await call(emu, signed({ DagInstanceId: '48' }));
    assert.equal((await recordOf(emu, '48')).Status, STATUS.succeeded);
  } finally {
    await emu.close();
  }
});

test('close() does not wait for pending outcomes', async () => {
  const emu = await startEmulator({ rerunOutcomeMs: 60_000 });
  await call(emu, signed());
  const started = Date.now();
  await emu.close();
  assert.ok(Date.now() - started < 1000);
  assert.deepEqual(emu.runs.pendingIds(), []);
});

test('options are checked at start', async () => {
  await assert.rejects(startEmulator({ rerunOutcomeMs: -1 }), /rerunOutcomeMs/);
  await assert.rejects(startEmulator({ rerunOutcomeMs: 1.5 }), /rerunOutcomeMs/);
  await assert.rejects(startEmulator({ rerunOutcomeMs: 'soon' }), /rerunOutcomeMs/);
  await assert.rejects(startEmulator({ rerunOutcomes: { 47: ['exploded'] } }), /outcomes/);
  await assert.rejects(startEmulator({ seedAnchor: 'yesterday' }), /seedAnchor/);
  await assert.rejects(startEmulator({ taskFlows: [{ dagId: '9', dagVersion: '1', runs: [{ id: '47', hoursAgo: 1, status: 'failed' }] }] }), /seeded twice/);
  await assert.rejects(startEmulator({ taskFlows: [{ dagId: '9', dagVersion: '1', runs: [{ id: '9x', hoursAgo: 1, status: 'failed' }] }] }), /not a Long/);
  await assert.rejects(startEmulator({ taskFlows: [{ dagId: '9', dagVersion: '1', runs: [{ id: '90', hoursAgo: 1, status: 'broken' }] }] }), /unknown status/);
});
