/**
 * ListTaskFlowInstance in the emulator: paging, every filter, the answer's
 * exact shape (ids above 2^53 as bare JSON numbers), validation of hostile
 * input, and the gateway checks it shares with the rerun. Requests are
 * signed by @alicloud/openapi-util; expected dates are worked out by hand
 * from a pinned seed anchor, not by the emulator's own code.
 *
 *   node --test tests/emulator/list.test.mjs
 */
import { test, describe, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { startEmulator } from '../../emulator/server.mjs';
import { BIG_ID_FLOW, FAILED_RUNS, LIST_FLOW, MAX_LONG, STATUS, STS_KEY, TRIGGER } from '../../emulator/data.mjs';
import { stringToSign } from '../../emulator/signature.mjs';
import { assertGatewayError, call, idsOf, list, parseExact, recordsOf, signedList, toQuery } from './client.mjs';

/** Every seeded time is this minus `hoursAgo` hours: 2026-03-10 12:00 UTC. */
const ANCHOR = '2026-03-10T12:00:00Z';
const ALL_IDS = LIST_FLOW.runs.map((r) => r.id); // the seed is written newest first
const TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

let emu;
before(async () => {
  emu = await startEmulator({ seedAnchor: ANCHOR, rerunOutcomeMs: null });
});
after(() => emu.close());
beforeEach(() => emu.state.reset());

async function ok(overrides, options) {
  const reply = await list(emu, overrides, options);
  assert.equal(reply.status, 200, reply.text);
  assert.equal(reply.json.Success, true, reply.text);
  return reply;
}

describe('answer', () => {
  test('top level: RequestId (also in the header), Success, TotalCount, DAGInstanceList.DAGInstance', async () => {
    const reply = await ok();
    assert.deepEqual(Object.keys(reply.json), ['RequestId', 'Success', 'TotalCount', 'DAGInstanceList']);
    assert.equal(reply.res.headers.get('x-acs-request-id'), reply.json.RequestId);
    assert.equal(reply.res.headers.get('content-type'), 'application/json;charset=utf-8');
    assert.equal(reply.res.headers.get('access-control-allow-origin'), '*'); // the API keeps CORS for the demo page
    assert.equal(reply.json.TotalCount, 45);
    assert.deepEqual(Object.keys(reply.json.DAGInstanceList), ['DAGInstance']);
    assert.equal(emu.state.log.at(-1).params.Action, 'ListTaskFlowInstance');
    assert.equal(emu.state.log.at(-1).status, 200);
  });

  test('a finished record: every field, its type and its time format (instance 47)', async () => {
    const [record] = recordsOf(await ok({ StartTimeBegin: '2026-03-08', StartTimeEnd: '2026-03-08', Status: '3', TriggerType: '0' }));
    assert.deepEqual(record, {
      Id: '47',
      DagId: '7',
      DagName: 'nightly-orders-etl',
      DagVersion: '2',
      Status: 3,
      TriggerType: 0,
      BusinessTime: '2026-03-07 11:00:00', // the day before the run (bizdate)
      startTime: '2026-03-08 11:00:00', // 49 h before the anchor
      EndTime: '2026-03-08 11:11:00',
      Message: 'Node sync_orders failed: table orders_tmp does not exist',
      OwnerName: 'demo-owner',
      HistoryDagId: '70002',
    });
    const raw = /\{"Id":47,[^}]*\}/.exec((await ok({ Status: '3' })).text)[0];
    assert.match(raw, /^\{"Id":47,"DagId":"7",.*"Status":3,"TriggerType":0,.*"HistoryDagId":70002\}$/);
  });

  test('unfinished records have no EndTime; a waiting one has no startTime either', async () => {
    const [waiting] = recordsOf(await ok({ Status: String(STATUS.waiting) }));
    assert.equal(waiting.Id, '7100');
    assert.equal(waiting.startTime, undefined);
    assert.equal(waiting.EndTime, undefined);
    assert.equal(waiting.BusinessTime, '2026-03-09 19:00:00');
    for (const status of [STATUS.running, STATUS.suspended]) {
      for (const record of recordsOf(await ok({ Status: String(status) }))) {
        assert.match(record.startTime, TIME);
        assert.equal(record.EndTime, undefined);
        assert.ok(!('EndTime' in record));
      }
    }
  });

  test('ids above 2^53 are bare JSON numbers, digit for digit', async () => {
    const reply = await ok({ DagId: MAX_LONG });
    const { text } = reply;
    for (const id of ['9223372036854775807', '9223372036854775806', '9007199254740993', '9007199254740992']) {
      assert.match(text, new RegExp(`"Id":${id}[,}]`));
    }
    assert.match(text, /"Id":9223372036854775807,"DagId":"9223372036854775807",/);
    assert.match(text, /"HistoryDagId":9007199254740995\}/);
    assert.doesNotMatch(text, /"(Id|HistoryDagId)":"/, 'Long fields are never strings');
    assert.deepEqual(idsOf(reply), BIG_ID_FLOW.runs.map((r) => r.id));
    // The seed is a real trap: a plain JSON.parse merges the four ids into two.
    assert.equal(new Set(reply.json.DAGInstanceList.DAGInstance.map((r) => r.Id)).size, 2);
  });

  test('text with quotes, a newline, a tab, a backslash and non-ASCII survives the writer', async () => {
    const reply = await ok({ DagId: MAX_LONG, Status: '3', TriggerType: '1' });
    const [record] = recordsOf(reply);
    assert.equal(record.Id, '9223372036854775806');
    assert.equal(record.Message, BIG_ID_FLOW.runs[1].message);
    assert.equal(record.Message, '节点 "load_大数据" 失败:\n\tquota exceeded \\ retry');
    assert.equal(record.DagVersion, 'v-大数据-🚀');
    assert.equal(record.OwnerName, '数据团队');
    assert.match(reply.text, /"Message":"节点 \\"load_大数据\\" 失败:\\n\\tquota exceeded \\\\ retry"/);
  });

  test('numericDagId writes DagId as a bare number too', async () => {
    const numeric = await startEmulator({ numericDagId: true });
    try {
      const reply = await list(numeric, { DagId: MAX_LONG, PageSize: '1' });
      assert.match(reply.text, /"Id":9223372036854775807,"DagId":9223372036854775807,/);
    } finally {
      await numeric.close();
    }
  });

  test('GET with the query, and POST with the parameters in a form body, give the same records', async () => {
    const get = await call(emu, signedList({ Status: '3' }, { method: 'GET' }));
    assert.equal(get.status, 200, get.text);
    const params = signedList({ Status: '3' });
    const { DagId, PageIndex, PageSize, Status, ...rest } = params;
    const form = await fetch(`${emu.url}/?${toQuery(rest)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: toQuery({ DagId, PageIndex, PageSize, Status }),
    });
    const formText = await form.text();
    assert.equal(form.status, 200, formText);
    assert.deepEqual(idsOf(get), idsOf({ text: formText }));
    assert.deepEqual(idsOf(get), ['7097', '48', '47', '7086', '7079', '7071', '7058']);
  });
});

describe('paging', () => {
  test('pages of 20 join to all 45 records in order; every page says TotalCount 45', async () => {
    const pages = [];
    for (const index of [1, 2, 3]) {
      const reply = await ok({ PageIndex: String(index), PageSize: '20' });
      assert.equal(reply.json.TotalCount, 45);
      pages.push(idsOf(reply));
    }
    assert.deepEqual(pages.map((p) => p.length), [20, 20, 5]);
    assert.deepEqual(pages.flat(), ALL_IDS);
    assert.equal(new Set(pages.flat()).size, 45);
  });

  test('a page past the end is empty with the full TotalCount', async () => {
    for (const [index, size] of [['4', '20'], ['46', '1'], ['2147483647', '100']]) {
      const reply = await ok({ PageIndex: index, PageSize: size });
      assert.equal(reply.json.TotalCount, 45);
      assert.deepEqual(reply.json.DAGInstanceList, { DAGInstance: [] });
    }
  });

  test('page size 1 and 100 (the limits)', async () => {
    const one = await ok({ PageIndex: '45', PageSize: '1' });
    assert.deepEqual(idsOf(one), ['7056']);
    assert.deepEqual(idsOf(await ok({ PageSize: '100' })), ALL_IDS);
  });

  test('paging a filtered set counts the filtered set', async () => {
    const first = await ok({ Status: '3', PageSize: '5' });
    const second = await ok({ Status: '3', PageSize: '5', PageIndex: '2' });
    assert.equal(first.json.TotalCount, 7);
    assert.equal(second.json.TotalCount, 7);
    assert.deepEqual([...idsOf(first), ...idsOf(second)], ['7097', '48', '47', '7086', '7079', '7071', '7058']);
  });
});

describe('filters', () => {
  test('Status: each of 0..5 gives exactly the seeded records with that status', async () => {
    for (const status of Object.values(STATUS)) {
      const expected = LIST_FLOW.runs.filter((r) => r.status === status).map((r) => r.id);
      assert.ok(expected.length > 0, `the seed has status ${status}`);
      const reply = await ok({ Status: String(status), PageSize: '100' });
      assert.equal(reply.json.TotalCount, expected.length);
      assert.deepEqual(idsOf(reply), expected);
      assert.ok(recordsOf(reply).every((r) => r.Status === status));
    }
  });

  test('Status=3 lists the failed runs FAILED_RUNS names, with their own DagVersion', async () => {
    for (const dagId of ['7', MAX_LONG]) {
      const records = recordsOf(await ok({ DagId: dagId, Status: '3', PageSize: '100' }));
      const seeded = FAILED_RUNS.filter((r) => r.dagId === dagId);
      assert.deepEqual(records.map((r) => [r.Id, r.DagVersion]), seeded.map((r) => [r.id, r.dagVersion]));
    }
    assert.deepEqual(
      FAILED_RUNS.filter((r) => r.dagVersion === '1').map((r) => r.id),
      ['7079', '7071', '7058'],
      'old failures were made by version 1',
    );
  });

  test('TriggerType: 0 scheduled, 1 manual', async () => {
    const manual = await ok({ TriggerType: String(TRIGGER.manual), PageSize: '100' });
    const scheduled = await ok({ TriggerType: String(TRIGGER.scheduled), PageSize: '100' });
    assert.deepEqual(idsOf(manual), ['7098', '7095', '48', '7090', '7087', '7082', '7074', '7069', '7063', '7059', '7058']);
    assert.equal(scheduled.json.TotalCount, 45 - 11);
    assert.ok(recordsOf(scheduled).every((r) => r.TriggerType === 0));
  });

  test('one day of run time (whole UTC day, both ends inclusive)', async () => {
    // 2026-03-09 00:00..23:59:59 is 12..36 hours before the anchor: seeds at 17, 25, 33 h.
    const reply = await ok({ StartTimeBegin: '2026-03-09', StartTimeEnd: '2026-03-09' });
    assert.deepEqual(idsOf(reply), ['7097', '7096', '7095']);
    assert.equal(reply.json.TotalCount, 3);
    assert.ok(recordsOf(reply).every((r) => r.startTime.startsWith('2026-03-09 ')));
  });

  test('UseBizDate=true filters the business date (the day before the run) instead', async () => {
    const biz = await ok({ StartTimeBegin: '2026-03-09', StartTimeEnd: '2026-03-09', UseBizDate: 'true' });
    // runs of 2026-03-10 (the waiting one included: it has a business date but no start)
    assert.deepEqual(idsOf(biz), ['7100', '7099', '7098']);
    assert.ok(recordsOf(biz).every((r) => r.BusinessTime.startsWith('2026-03-09 ')));
    const run = await ok({ StartTimeBegin: '2026-03-09', StartTimeEnd: '2026-03-09', UseBizDate: 'false' });
    assert.deepEqual(idsOf(run), ['7097', '7096', '7095']);
    // The official Python SDK writes str(True): the gateway must take any letter case.
    assert.deepEqual(idsOf(await ok({ StartTimeBegin: '2026-03-09', StartTimeEnd: '2026-03-09', UseBizDate: 'True' })), ['7100', '7099', '7098']);
    assert.deepEqual(idsOf(await ok({ StartTimeBegin: '2026-03-09', StartTimeEnd: '2026-03-09', UseBizDate: 'False' })), ['7097', '7096', '7095']);
  });

  test('open-ended ranges: only a beginning, only an end', async () => {
    // from 2026-03-08 00:00 = 60 h before the anchor; the waiting run has not started
    assert.deepEqual(idsOf(await ok({ StartTimeBegin: '2026-03-08' })), ['7099', '7098', '7097', '7096', '7095', '48', '47', '7092']);
    // up to 2026-02-25 23:59:59 = more than 300 h before
    assert.deepEqual(idsOf(await ok({ StartTimeEnd: '2026-02-25' })), ['7061', '7060', '7059', '7058', '7057', '7056']);
  });

  test('filters combine', async () => {
    assert.deepEqual(idsOf(await ok({ Status: '3', StartTimeBegin: '2026-03-07' })), ['7097', '48', '47']);
    assert.deepEqual(idsOf(await ok({ Status: '3', TriggerType: '1' })), ['48', '7058']);
    const none = await ok({ Status: '0', TriggerType: '1' });
    assert.equal(none.json.TotalCount, 0);
    assert.deepEqual(none.json.DAGInstanceList.DAGInstance, []);
  });

  test('a range that ends before it begins, or lies in the future, matches nothing', async () => {
    for (const range of [
      { StartTimeBegin: '2026-03-09', StartTimeEnd: '2026-03-08' },
      { StartTimeBegin: '2026-03-11' },
      { StartTimeEnd: '2026-02-23' },
    ]) {
      const reply = await ok(range);
      assert.equal(reply.json.TotalCount, 0, JSON.stringify(range));
    }
  });

  test('Tid: known tenants list, an unknown one is a business failure (HTTP 200)', async () => {
    assert.equal((await ok({ Tid: '1' })).json.TotalCount, 45);
    assert.equal((await ok({ Tid: MAX_LONG, DagId: MAX_LONG })).json.TotalCount, 4);
    const unknown = await list(emu, { Tid: '2' });
    assert.equal(unknown.status, 200);
    assert.deepEqual(Object.keys(unknown.json), ['RequestId', 'Success', 'ErrorCode', 'ErrorMessage']);
    assert.equal(unknown.json.ErrorCode, 'InvalidTid');
    assert.equal(emu.state.log.at(-1).code, 'InvalidTid');
  });

  test('an unknown task flow is DagNotExist; a known one without records lists nothing', async () => {
    const unknown = await list(emu, { DagId: '8' });
    assert.equal(unknown.status, 200);
    assert.equal(unknown.json.Success, false);
    assert.equal(unknown.json.ErrorCode, 'DagNotExist');
    const extra = await startEmulator({ taskFlows: [{ dagId: '8', dagVersion: '1', instances: ['800'] }] });
    try {
      const empty = await list(extra, { DagId: '8' });
      assert.equal(empty.json.Success, true, empty.text);
      assert.equal(empty.json.TotalCount, 0);
    } finally {
      await extra.close();
    }
  });

  test('extra task flows with runs are listed like the seed', async () => {
    const extra = await startEmulator({
      seedAnchor: ANCHOR,
      taskFlows: [{ dagId: '18014398509481985', dagVersion: 'x', historyDagIds: { x: '18014398509481987' }, runs: [{ id: '18014398509481989', hoursAgo: 3, status: 'failed', message: 'boom' }] }],
    });
    try {
      const reply = await list(extra, { DagId: '18014398509481985' });
      assert.match(reply.text, /"Id":18014398509481989,"DagId":"18014398509481985",.*"Status":3,"TriggerType":0,.*"startTime":"2026-03-10 09:00:00".*"Message":"boom".*"HistoryDagId":18014398509481987\}/);
    } finally {
      await extra.close();
    }
  });
});

describe('validation', () => {
  test('missing required parameters: MissingDagId, MissingPageIndex, MissingPageSize (empty = missing)', async () => {
    for (const name of ['DagId', 'PageIndex', 'PageSize']) {
      assertGatewayError(await list(emu, {}, { omit: [name] }), 400, `Missing${name}`);
      assertGatewayError(await list(emu, { [name]: '' }), 400, `Missing${name}`);
    }
    // every missing one is reported before any malformed one
    assertGatewayError(await list(emu, { Status: '9' }, { omit: ['PageSize'] }), 400, 'MissingPageSize');
  });

  test('hostile and malformed values: InvalidParameter.<Name>, value never echoed', async () => {
    const cases = {
      DagId: ['-7', '7.0', '07', '0x7', '9223372036854775808', '1e3', '7 ', '７'],
      PageIndex: ['0', '-1', '2147483648', '1.5', 'abc', '+1', '01'],
      PageSize: ['0', '-1', '101', '1000000', '1e2', '20.0', ' 20', '020', '99999999999999999999', 'NaN', 'Infinity'],
      Tid: ['', 'abc', '-1', '9223372036854775808'],
      StartTimeBegin: ["2026-03-10' OR '1'='1", '2026-02-29', '2026-02-30', '2026-3-1', '20260301', '2026-03-10T00:00:00Z', '', '2026-03-10\n', '<script>'],
      StartTimeEnd: ['2026-13-01', '2026-00-10', '2026-03-32', '10000-01-01', 'today'],
      UseBizDate: ['1', '0', 'yes', 'on', '', 'truee', ' true'],
      Status: ['6', '-1', 'failed', '', '3.0', '03'],
      TriggerType: ['2', 'manual', '', '-0'],
    };
    for (const [name, values] of Object.entries(cases)) {
      for (const value of values) {
        const reply = await list(emu, { [name]: value });
        assertGatewayError(reply, 400, `InvalidParameter.${name}`);
        if (value.length > 1) assert.ok(!reply.json.Message.includes(value), `${name}=${value} echoed`);
      }
    }
    assert.equal(emu.state.log.filter((e) => e.status === 400).length, emu.state.requests);
  });

  test('the same parameter twice is refused', async () => {
    const params = signedList({ Status: '3' });
    const reply = await fetch(`${emu.url}/?${toQuery(params)}&Status=4`, { method: 'POST' });
    assert.equal(reply.status, 400);
    assert.equal((await reply.json()).Code, 'InvalidParameter');
  });

  test('leap days of leap years are real dates (2026-02-29, above, is not)', async () => {
    assert.equal((await ok({ StartTimeBegin: '2028-02-29' })).json.TotalCount, 0);
    assert.equal((await ok({ StartTimeEnd: '2024-02-29' })).json.TotalCount, 0);
  });

  test('actions are looked up as own names only', async () => {
    for (const action of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'listtaskflowinstance']) {
      assertGatewayError(await list(emu, { Action: action }), 404, 'InvalidAction.NotFound');
    }
  });
});

describe('gateway checks', () => {
  test('a tampered parameter breaks the signature; the server string to sign is quoted', async () => {
    const params = signedList({ PageSize: '20' });
    params.PageSize = '100';
    const reply = await call(emu, params, { method: 'POST' });
    assertGatewayError(reply, 400, 'SignatureDoesNotMatch');
    assert.equal(reply.json.Message, 'Specified signature is not matched with our calculation. server string to sign is:' + stringToSign('POST', params));
    assert.match(reply.json.Message, /^.*POST&%2F&.*Action%3DListTaskFlowInstance.*PageSize%3D100/);
  });

  test('a GET signature does not verify a POST; a wrong secret fails', async () => {
    assertGatewayError(await call(emu, signedList({}, { method: 'GET' }), { method: 'POST' }), 400, 'SignatureDoesNotMatch');
    const wrong = { accessKeyId: 'LTAI-demo-key', accessKeySecret: 'not-the-secret' };
    assertGatewayError(await list(emu, {}, { key: wrong }), 400, 'SignatureDoesNotMatch');
  });

  test('nonce replay, STS token, version: same rules as the rerun', async () => {
    const params = signedList();
    assert.equal((await call(emu, params, { method: 'POST' })).status, 200);
    assertGatewayError(await call(emu, params, { method: 'POST' }), 400, 'SignatureNonceUsed');
    assertGatewayError(await list(emu, {}, { key: STS_KEY }), 400, 'InvalidSecurityToken.Mismatch');
    assert.equal((await list(emu, { SecurityToken: STS_KEY.securityToken }, { key: STS_KEY })).status, 200);
    assertGatewayError(await list(emu, { Version: '2014-05-26' }), 400, 'InvalidVersion');
  });

  test('faults apply to the list like to the rerun', async () => {
    emu.injectFaults([{ type: 'throttling-api' }, { type: 'slow', delayMs: 50 }]);
    assertGatewayError(await list(emu), 400, 'Throttling.Api');
    const slow = await list(emu, { DagId: MAX_LONG });
    assert.equal(slow.status, 200);
    assert.match(slow.text, /"Id":9223372036854775807,/); // the slow path writes the same exact body
  });

  test('listing changes nothing', async () => {
    const before = (await ok({ PageSize: '100' })).text.replace(/"RequestId":"[^"]+"/, '');
    await ok({ Status: '3' });
    const after = (await ok({ PageSize: '100' })).text.replace(/"RequestId":"[^"]+"/, '');
    assert.equal(after, before);
    assert.equal(emu.state.reruns.size, 0);
  });
});

test('the default seed counts back from the start: the last 3 days hold failed runs 47 and 48', async () => {
  const relative = await startEmulator();
  try {
    const since = new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10); // what `--since` would send
    const reply = await list(relative, { Status: '3', StartTimeBegin: since, PageSize: '100' });
    assert.equal(reply.status, 200, reply.text);
    const ids = idsOf(reply);
    for (const id of ['47', '48', '7097']) assert.ok(ids.includes(id), `${id} in ${ids}`);
    const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000;
    const start47 = new Date(hour - 49 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
    const record = recordsOf(reply).find((r) => r.Id === '47');
    // the anchor is taken at start: equal unless an hour boundary passed in between
    assert.ok(record.startTime === start47 || Date.parse(`${record.startTime}Z`) === Date.parse(`${start47}Z`) - 3_600_000, record.startTime);
    assert.deepEqual(parseExact(reply.text).DAGInstanceList.DAGInstance.map((r) => r.Status), ids.map(() => 3));
  } finally {
    await relative.close();
  }
});
