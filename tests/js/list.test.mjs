/**
 * `listTaskFlowInstances` (issue 11) from Node against the emulator: paging
 * and totalCount, every filter by name and by number, every field of every
 * record against the emulator's own view, ids exact above 2^53 although the
 * answer writes them as bare JSON numbers, and a listed record passed
 * straight into `rerunTaskFlowInstance`. Bad queries are refused with the
 * field's code before anything is sent.
 *
 *   node --test tests/js/list.test.mjs
 */
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { importPackage } from '../support/consumer.mjs';
import { startEmulator } from '../../emulator/server.mjs';
import { BIG_ID_FLOW, FAILED_RUNS, LIST_FLOW } from '../../emulator/data.mjs';
import { DEMO_KEY, assertDmsError, configFor, queryPairs, rejectionOf, thrownBy } from './support/harness.mjs';

const { listTaskFlowInstances, signListTaskFlowInstances, iterateTaskFlowInstances, rerunTaskFlowInstance, DmsError } = await importPackage();

const BIG = '9223372036854775807';
const BIG_IDS = ['9223372036854775807', '9223372036854775806', '9007199254740993', '9007199254740992'];
const STATUS_NAMES = ['waiting', 'running', 'suspended', 'failed', 'succeeded', 'completed'];

let emu;
before(async () => {
  // Reruns stay running until a test settles them.
  emu = await startEmulator({ rerunOutcomeMs: null });
});
after(async () => {
  await emu?.close();
});
beforeEach(() => {
  emu.state.reset();
});

/** The emulator's own view of a flow's records (admin API, ids as strings), in list order. */
async function recordsOf(dagId) {
  return (await emu.admin(`/runs?dagId=${dagId}`)).runs;
}

/** The signed parameters of the n-th logged request. */
const sentParams = (n) => Object.fromEntries(queryPairs(emu.state.log[n].rawQuery));

/** What the package must make of one of the emulator's records. */
function expectedInstance(record, flow) {
  const out = {
    id: record.id,
    dagId: record.dagId,
    dagVersion: record.dagVersion,
    dagName: flow.dagName,
    status: record.status,
    triggerType: record.triggerType,
    businessTime: record.businessTime,
    message: record.message,
    ownerName: flow.ownerName,
    historyDagId: flow.historyDagIds[record.dagVersion],
    statusName: record.statusName,
  };
  if (record.startTime !== null) out.startTime = record.startTime;
  if (record.endTime !== null) out.endTime = record.endTime;
  return out;
}

test('pages of 20: 20 + 20 + 5 records, totalCount 45 on each, every field as the emulator holds it', async () => {
  const records = await recordsOf(7);
  assert.equal(records.length, 45);
  const pages = [];
  for (const pageIndex of [1, 2, 3, 4]) pages.push(await listTaskFlowInstances(configFor(emu), { dagId: 7, pageIndex }));
  assert.deepEqual(pages.map((p) => p.instances.length), [20, 20, 5, 0]);
  for (const [i, page] of pages.entries()) {
    assert.deepEqual(Object.keys(page), ['requestId', 'totalCount', 'pageIndex', 'pageSize', 'instances']);
    assert.equal(page.requestId, emu.state.log[i].requestId);
    assert.equal(page.totalCount, 45);
    assert.equal(page.pageIndex, i + 1);
    assert.equal(page.pageSize, 20);
    assert.equal(sentParams(i).PageSize, '20', 'the default page size is signed and sent');
  }
  const instances = pages.flatMap((p) => p.instances);
  assert.deepEqual(instances, records.map((r) => expectedInstance(r, LIST_FLOW)));
  // Absent times are absent, not null or empty.
  const waiting = instances.find((i) => i.statusName === 'waiting');
  assert.ok(!('startTime' in waiting) && !('endTime' in waiting), JSON.stringify(waiting));
});

test('pageSize 1 and 100 (the bounds), pageIndex past the end', async () => {
  const one = await listTaskFlowInstances(configFor(emu), { dagId: 7, pageSize: 1, pageIndex: 45 });
  assert.deepEqual([one.instances.length, one.totalCount, one.pageIndex, one.pageSize], [1, 45, 45, 1]);
  assert.equal(one.instances[0].id, '7056');
  const all = await listTaskFlowInstances(configFor(emu), { dagId: 7, pageSize: 100 });
  assert.equal(all.instances.length, 45);
  const past = await listTaskFlowInstances(configFor(emu), { dagId: 7, pageSize: 100, pageIndex: 2 });
  assert.deepEqual([past.instances, past.totalCount], [[], 45]);
});

test('status by name and by number: the same records, the number signed', async () => {
  const records = await recordsOf(7);
  for (const [number, name] of STATUS_NAMES.entries()) {
    const expected = records.filter((r) => r.status === number).map((r) => r.id);
    assert.ok(expected.length > 0, name);
    const byName = await listTaskFlowInstances(configFor(emu), { dagId: 7, status: name, pageSize: 100 });
    const byNumber = await listTaskFlowInstances(configFor(emu), { dagId: 7, status: number, pageSize: 100 });
    assert.deepEqual(byName.instances.map((i) => i.id), expected, name);
    assert.deepEqual(byNumber.instances, byName.instances, `${name} = ${number}`);
    assert.ok(byName.instances.every((i) => i.status === number && i.statusName === name));
    assert.equal(byName.totalCount, expected.length);
    assert.equal(sentParams(emu.state.log.length - 1).Status, String(number));
    assert.equal(sentParams(emu.state.log.length - 2).Status, String(number));
  }
  assert.equal(FAILED_RUNS.filter((r) => r.dagId === '7').length, 7);
});

test('triggerType by name and by number', async () => {
  const records = await recordsOf(7);
  for (const [number, name] of ['scheduled', 'manual'].entries()) {
    const expected = records.filter((r) => r.triggerType === number).map((r) => r.id);
    const byName = await listTaskFlowInstances(configFor(emu), { dagId: 7, triggerType: name, pageSize: 100 });
    const byNumber = await listTaskFlowInstances(configFor(emu), { dagId: 7, triggerType: number, pageSize: 100 });
    assert.deepEqual(byName.instances.map((i) => i.id), expected, name);
    assert.deepEqual(byNumber.instances, byName.instances);
    assert.equal(sentParams(emu.state.log.length - 1).TriggerType, String(number));
  }
  const manualFailed = await listTaskFlowInstances(configFor(emu), { dagId: 7, triggerType: 'manual', status: 'failed' });
  assert.deepEqual(manualFailed.instances.map((i) => i.id), ['48', '7058']);
});

test('date range on the start time, and on the business date with useBizDate', async () => {
  const records = await recordsOf(7);
  const day = (text) => text?.slice(0, 10);
  // A range of two whole days around the failed run 48 (41 h before the seed anchor).
  const begin = day(records.find((r) => r.id === '48').startTime);
  const end = day(records.find((r) => r.id === '7097').startTime);
  const inRange = (d) => d !== undefined && d >= begin && d <= end;
  const byStart = await listTaskFlowInstances(configFor(emu), { dagId: 7, startTimeBegin: begin, startTimeEnd: end, pageSize: 100 });
  assert.deepEqual(byStart.instances.map((i) => i.id), records.filter((r) => inRange(day(r.startTime ?? undefined))).map((r) => r.id));
  assert.ok(byStart.instances.some((i) => i.id === '48'));
  assert.deepEqual(
    [sentParams(0).StartTimeBegin, sentParams(0).StartTimeEnd, sentParams(0).UseBizDate],
    [begin, end, undefined],
  );
  const byBiz = await listTaskFlowInstances(configFor(emu), { dagId: 7, startTimeBegin: begin, startTimeEnd: end, useBizDate: true, pageSize: 100 });
  assert.deepEqual(byBiz.instances.map((i) => i.id), records.filter((r) => inRange(day(r.businessTime))).map((r) => r.id));
  assert.notDeepEqual(byBiz.instances, byStart.instances, 'the business date is a day earlier');
  assert.equal(sentParams(1).UseBizDate, 'true');
  const notBiz = await listTaskFlowInstances(configFor(emu), { dagId: 7, startTimeBegin: begin, useBizDate: false, pageSize: 100 });
  assert.equal(sentParams(2).UseBizDate, 'false');
  assert.ok(notBiz.instances.length > byStart.instances.length);
  // Only one end of the range; the range and a status together.
  const failedSince = await listTaskFlowInstances(configFor(emu), { dagId: 7, startTimeBegin: begin, status: 'failed' });
  const expected = records.filter((r) => r.statusName === 'failed' && day(r.startTime) >= begin).map((r) => r.id);
  assert.deepEqual(failedSince.instances.map((i) => i.id), expected);
  assert.ok(expected.includes('7097') && expected.includes('48'));
});

test('tid: a known tenant is signed and sent, an unknown one is the API\'s InvalidTid', async () => {
  const page = await listTaskFlowInstances(configFor(emu), { dagId: 7, tid: 1, pageSize: 1 });
  assert.equal(page.instances.length, 1);
  assert.equal(sentParams(0).Tid, '1');
  const err = await rejectionOf(listTaskFlowInstances(configFor(emu), { dagId: 7, tid: 5 }));
  assertDmsError(err, DmsError, { kind: 'Api', code: 'InvalidTid', httpStatus: 200, requestId: emu.state.log[1].requestId, attempts: 1, recommend: () => {} });
  const unknown = await rejectionOf(listTaskFlowInstances(configFor(emu), { dagId: 8 }));
  assertDmsError(unknown, DmsError, { kind: 'Api', code: 'DagNotExist', httpStatus: 200, requestId: emu.state.log[2].requestId, attempts: 1, recommend: () => {} });
});

test('exact 64-bit ids from bare JSON numbers: 2^63−1, 2^63−2, 2^53+1, 2^53', async () => {
  const seen = [];
  const realFetch = globalThis.fetch;
  // Keep a copy of the raw answer to prove the ids were bare numbers on the wire.
  const fetch = async (url, init) => {
    const response = await realFetch(url, init);
    seen.push(await response.clone().text());
    return response;
  };
  for (const dagId of [BIG, 2n ** 63n - 1n]) {
    const page = await listTaskFlowInstances(configFor(emu, { fetch }), { dagId });
    assert.deepEqual(page.instances.map((i) => i.id), BIG_IDS);
    assert.ok(page.instances.every((i) => i.dagId === BIG && i.historyDagId === '9007199254740995'));
    const records = await recordsOf(BIG);
    assert.deepEqual(page.instances, records.map((r) => expectedInstance(r, BIG_ID_FLOW)));
  }
  for (const id of [...BIG_IDS, '9007199254740995']) assert.ok(seen[0].includes(`:${id}`), `${id} is not a bare number in the answer`);
  // What JSON.parse would have made of them: the pairs collide.
  const rounded = JSON.parse(seen[0]).DAGInstanceList.DAGInstance.map((i) => String(i.Id));
  assert.equal(new Set(rounded).size, 2, `JSON.parse rounds: ${rounded}`);
});

test('DagId written as a bare number too (numericDagId emulator) stays exact', async () => {
  const numeric = await startEmulator({ numericDagId: true });
  try {
    const page = await listTaskFlowInstances(configFor(numeric), { dagId: BIG, status: 'failed' });
    assert.deepEqual(page.instances.map((i) => [i.id, i.dagId]), [[BIG_IDS[1], BIG], [BIG_IDS[2], BIG]]);
  } finally {
    await numeric.close();
  }
});

test('a listed record passes straight into rerunTaskFlowInstance, and the emulator shows it running', async () => {
  const failed = await listTaskFlowInstances(configFor(emu), { dagId: 7, status: 'failed', pageSize: 100 });
  assert.deepEqual(failed.instances.map((i) => i.id), FAILED_RUNS.filter((r) => r.dagId === '7').map((r) => r.id));
  // A version-1 record (older than a week) must be rerun with its own version.
  for (const inst of failed.instances.filter((i) => ['47', '7079'].includes(i.id))) {
    const result = await rerunTaskFlowInstance(configFor(emu), { dagId: inst.dagId, dagInstanceId: inst.id, dagVersion: inst.dagVersion });
    assert.equal(result.success, true, inst.id);
  }
  const after = await listTaskFlowInstances(configFor(emu), { dagId: 7, status: 'running', pageSize: 100 });
  assert.deepEqual(after.instances.map((i) => i.id).sort(), ['47', '7079', '7099']);
  const records = await recordsOf(7);
  assert.equal(records.find((r) => r.id === '47').statusName, 'running');
  assert.equal(records.find((r) => r.id === '7079').dagVersion, '1');

  // Above 2^53: the exact record reruns, not its rounded neighbour.
  const big = await listTaskFlowInstances(configFor(emu), { dagId: BIG, status: 'failed' });
  for (const inst of big.instances) {
    await rerunTaskFlowInstance(configFor(emu), { dagId: inst.dagId, dagInstanceId: inst.id, dagVersion: inst.dagVersion });
  }
  const bigAfter = await recordsOf(BIG);
  assert.deepEqual(bigAfter.map((r) => [r.id, r.statusName]), [
    [BIG_IDS[0], 'succeeded'],
    [BIG_IDS[1], 'running'],
    [BIG_IDS[2], 'running'],
    [BIG_IDS[3], 'succeeded'],
  ]);
  assert.deepEqual(Object.keys(Object.fromEntries(emu.state.reruns)).sort(), ['47', '7079', BIG_IDS[1], BIG_IDS[2]].sort());
});

test('signListTaskFlowInstances previews exactly what listTaskFlowInstances sends', async () => {
  const query = { dagId: 7, tid: 1, pageIndex: 2, pageSize: 5, startTimeBegin: '2024-02-29', startTimeEnd: '2024-03-01', useBizDate: true, status: 'failed', triggerType: 'manual' };
  const signed = signListTaskFlowInstances(configFor(emu, { method: 'GET' }), query, { timestamp: '2024-03-01T00:00:00Z', nonce: 'n-1' });
  assert.equal(signed.method, 'GET');
  assert.deepEqual(queryPairs(signed.canonicalQuery).map(([k]) => k), [
    'AccessKeyId', 'Action', 'DagId', 'Format', 'PageIndex', 'PageSize', 'SignatureMethod', 'SignatureNonce', 'SignatureVersion',
    'StartTimeBegin', 'StartTimeEnd', 'Status', 'Tid', 'Timestamp', 'TriggerType', 'UseBizDate', 'Version',
  ]);
  const p = Object.fromEntries(queryPairs(signed.canonicalQuery));
  assert.deepEqual([p.Action, p.DagId, p.PageIndex, p.PageSize, p.Status, p.TriggerType, p.UseBizDate], ['ListTaskFlowInstance', '7', '2', '5', '3', '1', 'true']);
  // The same query, sent: the emulator verifies the signature and records the same set (fresh nonce and time).
  await listTaskFlowInstances(configFor(emu), query);
  const { SignatureNonce: _n, Timestamp: _t, ...sent } = sentParams(0);
  const { SignatureNonce: _n2, Timestamp: _t2, ...previewed } = p;
  const { Signature: _s, ...sentSigned } = sent;
  assert.deepEqual(sentSigned, previewed);
  assert.equal(emu.state.log[0].status, 200);
  assert.equal(emu.state.log[0].method, 'POST');
});

const Q = (field) => `InvalidParameter.${field[0].toUpperCase()}${field.slice(1)}`;

/** [label, query, code]: each refused before anything is signed or sent. */
const BAD_QUERIES = [
  ['query null', null, 'InvalidParameter.Query'],
  ['query array', [7], 'InvalidParameter.Query'],
  ['query string', '7', 'InvalidParameter.Query'],
  ['dagId missing', {}, Q('dagId')],
  ['dagId "07"', { dagId: '07' }, Q('dagId')],
  ['dagId -1', { dagId: -1 }, Q('dagId')],
  ['dagId 2^53 (unsafe number)', { dagId: 2 ** 53 }, Q('dagId')],
  ['dagId 2n**63n', { dagId: 2n ** 63n }, Q('dagId')],
  ['tid ""', { dagId: 7, tid: '' }, Q('tid')],
  ['tid 1.5', { dagId: 7, tid: 1.5 }, Q('tid')],
  ['pageSize 0', { dagId: 7, pageSize: 0 }, Q('pageSize')],
  ['pageSize 101', { dagId: 7, pageSize: 101 }, Q('pageSize')],
  ['pageSize 1.5', { dagId: 7, pageSize: 1.5 }, Q('pageSize')],
  ['pageSize "20"', { dagId: 7, pageSize: '20' }, Q('pageSize')],
  ['pageSize 20n', { dagId: 7, pageSize: 20n }, Q('pageSize')],
  ['pageSize NaN', { dagId: 7, pageSize: NaN }, Q('pageSize')],
  ['pageIndex 0', { dagId: 7, pageIndex: 0 }, Q('pageIndex')],
  ['pageIndex -1', { dagId: 7, pageIndex: -1 }, Q('pageIndex')],
  ['pageIndex 2.5', { dagId: 7, pageIndex: 2.5 }, Q('pageIndex')],
  ['pageIndex Infinity', { dagId: 7, pageIndex: Infinity }, Q('pageIndex')],
  ['pageIndex 2^31', { dagId: 7, pageIndex: 2 ** 31 }, Q('pageIndex')],
  ['startTimeBegin 2023-02-29 (not a leap year)', { dagId: 7, startTimeBegin: '2023-02-29' }, Q('startTimeBegin')],
  ['startTimeBegin 2024-02-30', { dagId: 7, startTimeBegin: '2024-02-30' }, Q('startTimeBegin')],
  ['startTimeBegin 2024-2-01', { dagId: 7, startTimeBegin: '2024-2-01' }, Q('startTimeBegin')],
  ['startTimeBegin with a time', { dagId: 7, startTimeBegin: '2024-01-01T00:00:00Z' }, Q('startTimeBegin')],
  ['startTimeBegin a Date', { dagId: 7, startTimeBegin: new Date(0) }, Q('startTimeBegin')],
  ['startTimeEnd 2024-13-01', { dagId: 7, startTimeEnd: '2024-13-01' }, Q('startTimeEnd')],
  ['startTimeEnd 20240101', { dagId: 7, startTimeEnd: 20240101 }, Q('startTimeEnd')],
  ['startTimeEnd 2024-00-10', { dagId: 7, startTimeEnd: '2024-00-10' }, Q('startTimeEnd')],
  ['useBizDate "true"', { dagId: 7, useBizDate: 'true' }, Q('useBizDate')],
  ['useBizDate 1', { dagId: 7, useBizDate: 1 }, Q('useBizDate')],
  ['status "broken"', { dagId: 7, status: 'broken' }, Q('status')],
  ['status "Failed"', { dagId: 7, status: 'Failed' }, Q('status')],
  ['status 6', { dagId: 7, status: 6 }, Q('status')],
  ['status -1', { dagId: 7, status: -1 }, Q('status')],
  ['status 3.5', { dagId: 7, status: 3.5 }, Q('status')],
  ['status "3"', { dagId: 7, status: '3' }, Q('status')],
  ['triggerType 2', { dagId: 7, triggerType: 2 }, Q('triggerType')],
  ['triggerType "Manual"', { dagId: 7, triggerType: 'Manual' }, Q('triggerType')],
  ['triggerType true', { dagId: 7, triggerType: true }, Q('triggerType')],
];

test(`${BAD_QUERIES.length} bad queries → InvalidParameter.<Field>: sign throws, list and iterate reject, nothing sent`, async () => {
  const realFetch = globalThis.fetch;
  const sent = [];
  globalThis.fetch = async (url) => {
    sent.push(url);
    return new Response('{}');
  };
  try {
    for (const [label, query, code] of BAD_QUERIES) {
      const errors = [
        thrownBy(() => signListTaskFlowInstances(configFor(emu), query)),
        await rejectionOf(listTaskFlowInstances(configFor(emu), query)),
        await rejectionOf(iterateTaskFlowInstances(configFor(emu), query).next()),
      ];
      for (const err of errors) {
        assert.doesNotThrow(() => assertDmsError(err, DmsError, { kind: 'InvalidInput', code }), `${label}: ${err?.code} ${err?.message}`);
      }
    }
  } finally {
    globalThis.fetch = realFetch;
  }
  assert.deepEqual(sent, []);
  assert.equal(emu.state.requests, 0);
});

test('edge queries just inside the rules are accepted and answered', async () => {
  for (const query of [
    { dagId: 0 },
    { dagId: '7', pageIndex: 2 ** 31 - 1 },
    { dagId: 7n, startTimeBegin: '2024-02-29', startTimeEnd: '9999-12-31' },
    { dagId: 7, startTimeBegin: '1000-01-01' },
    { dagId: 7, status: 0, triggerType: 0, useBizDate: false },
  ]) {
    const signed = signListTaskFlowInstances({ ...DEMO_KEY, endpoint: emu.url }, query);
    assert.ok(signed.url.startsWith(emu.url), JSON.stringify(query, (k, v) => (typeof v === 'bigint' ? `${v}n` : v)));
  }
  const page = await listTaskFlowInstances(configFor(emu), { dagId: 7, pageIndex: 2 ** 31 - 1 });
  assert.deepEqual(page.instances, []);
});

test('a read retries what a rerun may not: a reset or a body cut short, and 503; a timeout says nothing of a rerun', async () => {
  for (const fault of [{ type: 'destroy' }, { type: 'truncate' }, { type: 'status', status: 503 }]) {
    emu.state.reset();
    emu.injectFaults([fault]);
    const page = await listTaskFlowInstances(configFor(emu), { dagId: 7, pageSize: 1 });
    assert.equal(emu.state.requests, 2, fault.type);
    assert.equal(page.requestId, emu.state.log[1].requestId, fault.type);
  }
  // A 500 may mean anything: not retried, even for a read.
  emu.state.reset();
  emu.injectFaults([{ type: 'status', status: 500 }]);
  const failed = await rejectionOf(listTaskFlowInstances(configFor(emu), { dagId: 7 }));
  assertDmsError(failed, DmsError, { kind: 'Api', code: 'InternalError', httpStatus: 500, requestId: emu.state.log[0].requestId, attempts: 1, recommend: () => {} });
  emu.state.reset();
  emu.injectFaults([{ type: 'hang' }]);
  const timedOut = await rejectionOf(listTaskFlowInstances(configFor(emu, { timeoutMs: 300 }), { dagId: 7 }));
  assertDmsError(timedOut, DmsError, { kind: 'Timeout', code: 'Timeout', attempts: 1 });
  assert.ok(!/rerun/i.test(timedOut.message), timedOut.message);
});
