/**
 * `listTaskFlowInstances` against answers the emulator does not give, from a
 * local server scripted per request (support/canned-server.mjs): a
 * connection reset that a read may retry and a rerun must not, status
 * numbers this version does not know, both spellings of the start time,
 * absent or empty lists, and malformed lists (InvalidResponse.BadList).
 *
 *   node --test tests/js/list-answers.test.mjs
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { importPackage } from '../support/consumer.mjs';
import { DEMO_KEY, SMALL_FLOW, assertDmsError, rejectionOf } from './support/harness.mjs';
import { listAnswer, startCannedServer } from './support/canned-server.mjs';

const { listTaskFlowInstances, rerunTaskFlowInstance, DmsError, ErrorCode } = await importPackage();

/** Runs `fn(server)` against a canned server answering with `answer`, then closes it. */
async function withServer(answer, fn) {
  const server = await startCannedServer(answer);
  try {
    return await fn(server, { ...DEMO_KEY, endpoint: server.url });
  } finally {
    await server.close();
  }
}

const RERUN_OK = { body: { RequestId: 'RERUN-OK', Success: true } };
const LIST_OK = { body: listAnswer(['{"Id":47,"DagId":"7","DagVersion":"2","Status":3}'], { requestId: 'LIST-OK' }) };

test('a connection reset on the first request: list retries it (read-only), the rerun does not', async () => {
  await withServer((_, i) => (i === 0 ? 'reset' : LIST_OK), async (server, config) => {
    const page = await listTaskFlowInstances(config, { dagId: 7 });
    assert.equal(page.requestId, 'LIST-OK');
    assert.deepEqual(page.instances.map((i) => i.id), ['47']);
    assert.equal(server.requests.length, 2);
    const [first, second] = server.requests.map((r) => r.params);
    assert.notEqual(first.SignatureNonce, second.SignatureNonce, 'the retry is signed afresh');
    assert.equal(second.Action, 'ListTaskFlowInstance');
  });
  await withServer((_, i) => (i === 0 ? 'reset' : RERUN_OK), async (server, config) => {
    const err = await rejectionOf(rerunTaskFlowInstance(config, SMALL_FLOW));
    // Not retried: the rerun may have happened before the connection dropped.
    assertDmsError(err, DmsError, { kind: 'Network', code: 'NetworkError', attempts: 1 });
    assert.equal(server.requests.length, 1);
  });
});

test('list network retries follow maxRetries (0: none; 2: three attempts in all)', async () => {
  await withServer(() => 'reset', async (server, config) => {
    const none = await rejectionOf(listTaskFlowInstances({ ...config, maxRetries: 0 }, { dagId: 7 }));
    assertDmsError(none, DmsError, { kind: 'Network', code: 'NetworkError', attempts: 1 });
    assert.equal(server.requests.length, 1);
    const three = await rejectionOf(listTaskFlowInstances({ ...config, maxRetries: 2 }, { dagId: 7 }));
    assertDmsError(three, DmsError, { kind: 'Network', code: 'NetworkError', attempts: 3 });
    assert.equal(server.requests.length, 4);
  });
});

test('an unknown status number keeps its number with statusName "unknown"; unknown trigger types pass through', async () => {
  const items = [
    '{"Id":1,"DagId":"7","DagVersion":"2","Status":9,"TriggerType":7}',
    '{"Id":2,"DagId":"7","DagVersion":"2","Status":6}',
    '{"Id":3,"DagId":"7","DagVersion":"2"}',
    '{"Id":4,"DagId":"7","DagVersion":"2","Status":5,"TriggerType":1}',
  ];
  await withServer(() => ({ body: listAnswer(items) }), async (_, config) => {
    const { instances } = await listTaskFlowInstances(config, { dagId: 7 });
    assert.deepEqual(instances.map((i) => [i.id, i.status, i.statusName, i.triggerType]), [
      ['1', 9, 'unknown', 7],
      ['2', 6, 'unknown', undefined],
      ['3', undefined, 'unknown', undefined],
      ['4', 5, 'completed', 1],
    ]);
  });
});

test('startTime (the official model\'s spelling) and StartTime are both read; ids as strings are exact too', async () => {
  const items = [
    '{"Id":"9223372036854775807","DagId":9223372036854775807,"DagVersion":"2","startTime":"2026-01-01 00:00:00"}',
    '{"Id":9007199254740993,"DagId":"7","DagVersion":3,"StartTime":"2026-01-02 00:00:00","HistoryDagId":"9007199254740995"}',
  ];
  await withServer(() => ({ body: listAnswer(items) }), async (_, config) => {
    const { instances } = await listTaskFlowInstances(config, { dagId: 7 });
    assert.deepEqual(instances.map((i) => [i.id, i.dagId, i.dagVersion, i.startTime, i.historyDagId]), [
      ['9223372036854775807', '9223372036854775807', '2', '2026-01-01 00:00:00', undefined],
      ['9007199254740993', '7', '3', '2026-01-02 00:00:00', '9007199254740995'],
    ]);
  });
});

test('an absent, null or empty list is an empty page', async () => {
  for (const body of [
    '{"RequestId":"E","Success":true,"TotalCount":0}',
    '{"RequestId":"E","Success":true,"TotalCount":0,"DAGInstanceList":null}',
    '{"RequestId":"E","Success":true,"TotalCount":0,"DAGInstanceList":{}}',
    '{"RequestId":"E","Success":true,"TotalCount":0,"DAGInstanceList":{"DAGInstance":[]}}',
    '{"RequestId":"E","Success":true,"DAGInstanceList":{"DAGInstance":null}}',
  ]) {
    await withServer(() => ({ body }), async (_, config) => {
      assert.deepEqual(await listTaskFlowInstances(config, { dagId: 7, pageSize: 5 }), { requestId: 'E', totalCount: 0, pageIndex: 1, pageSize: 5, instances: [] }, body);
    });
  }
});

test('Success:false is the API\'s error, with its code and message', async () => {
  await withServer(() => ({ body: { RequestId: 'F', Success: false, ErrorCode: 'DagNotExist', ErrorMessage: 'The task flow does not exist.' } }), async (_, config) => {
    const err = await rejectionOf(listTaskFlowInstances(config, { dagId: 7 }));
    assertDmsError(err, DmsError, { kind: 'Api', code: 'DagNotExist', httpStatus: 200, requestId: 'F', attempts: 1, recommend: () => {} });
    assert.equal(err.message, 'The task flow does not exist.');
  });
});

/** [label, body]: each a successful answer whose list cannot be read as records. */
const BAD_LISTS = [
  ['DAGInstanceList an array', '{"RequestId":"B","Success":true,"TotalCount":1,"DAGInstanceList":[]}'],
  ['DAGInstance an object', '{"RequestId":"B","Success":true,"TotalCount":1,"DAGInstanceList":{"DAGInstance":{}}}'],
  ['an instance a number', listAnswer(['7'], { requestId: 'B' })],
  ['an instance without Id', listAnswer(['{"DagId":"7","DagVersion":"2"}'], { requestId: 'B' })],
  ['Id 1.5', listAnswer(['{"Id":1.5,"DagId":"7"}'], { requestId: 'B' })],
  ['Id -1', listAnswer(['{"Id":-1,"DagId":"7"}'], { requestId: 'B' })],
  ['Id 1e3', listAnswer(['{"Id":1e3,"DagId":"7"}'], { requestId: 'B' })],
  ['Id 2^63 (overflow)', listAnswer(['{"Id":9223372036854775808,"DagId":"7"}'], { requestId: 'B' })],
  ['Id "0042"', listAnswer(['{"Id":"0042","DagId":"7"}'], { requestId: 'B' })],
  ['Id true', listAnswer(['{"Id":true,"DagId":"7"}'], { requestId: 'B' })],
  ['TotalCount -1', '{"RequestId":"B","Success":true,"TotalCount":-1}'],
  ['TotalCount 1.5', '{"RequestId":"B","Success":true,"TotalCount":1.5}'],
  ['TotalCount "many"', '{"RequestId":"B","Success":true,"TotalCount":"many"}'],
];

test(`${BAD_LISTS.length} malformed lists → InvalidResponse.BadList, never a rounded or made-up record`, async () => {
  for (const [label, body] of BAD_LISTS) {
    await withServer(() => ({ body }), async (server, config) => {
      const err = await rejectionOf(listTaskFlowInstances(config, { dagId: 7 }));
      assert.ok(err instanceof DmsError, `${label}: ${err}`);
      assert.deepEqual([err.kind, err.code, err.attempts, err.retryable], ['InvalidResponse', ErrorCode.BadList, 1, false], `${label}: ${err.code} ${err.message}`);
      assert.match(err.message, /^list answer: /, label);
      assert.equal(server.requests.length, 1, `${label}: retried`);
    });
  }
});

// Was a core bug until af51cae: a BadList error had no httpStatus, and its
// requestId was the x-acs-request-id header's instead of the answer's
// RequestId (got httpStatus undefined, requestId 'HDR').
test('a BadList error keeps the answer\'s HTTP status and RequestId, like every other InvalidResponse', async () => {
  const answers = [
    { body: '{"RequestId":"B","Success":true,"TotalCount":-1}', headers: { 'x-acs-request-id': 'HDR' } },
    { body: '{"RequestId":"B","Success":"yes"}', headers: { 'x-acs-request-id': 'HDR' } },
  ];
  await withServer((_, i) => answers[i], async (_, config) => {
    const badList = await rejectionOf(listTaskFlowInstances(config, { dagId: 7 }));
    const missingSuccess = await rejectionOf(listTaskFlowInstances(config, { dagId: 7 }));
    assertDmsError(missingSuccess, DmsError, { kind: 'InvalidResponse', code: 'InvalidResponse.MissingSuccess', httpStatus: 200, requestId: 'B', attempts: 1 });
    assertDmsError(badList, DmsError, { kind: 'InvalidResponse', code: 'InvalidResponse.BadList', httpStatus: 200, requestId: 'B', attempts: 1 });
  });
});
