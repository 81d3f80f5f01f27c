/**
 * End to end from Node: the packed package (loaded as `import 'dms-rerun'`
 * from the consumer project) against the real local DMS emulator. Every
 * request that reaches the emulator is counted through its state.
 *
 *   node --test tests/js/node-e2e.test.mjs
 */
import { test, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { importPackage } from '../support/consumer.mjs';
import { startEmulator } from '../../emulator/server.mjs';
import {
  ALL_SECRETS,
  BASE_PARAM_NAMES,
  BIG_FLOW,
  DEMO_KEY,
  MAX_LONG,
  SMALL_FLOW,
  STS_KEY,
  WRONG_SECRET,
  assertDmsError,
  assertNoSecrets,
  configFor,
  queryPairs,
  rejectionOf,
  signaturesSeen,
} from './support/harness.mjs';
import { closedPort, startRecordingProxy } from './support/wire.mjs';

const { rerunTaskFlowInstance, signRerunTaskFlowInstance, DmsError } = await importPackage();

const TWENTY_MINUTES = 20 * 60 * 1000;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

let emu;
/** Every DmsError this file provoked, and every signature the emulator saw. */
const errors = [];
const signatures = new Set();

before(async () => {
  emu = await startEmulator();
});
after(async () => {
  await emu?.close();
});
beforeEach(() => {
  emu.state.reset();
  emu.setClockSkewMs(0);
});
afterEach(() => {
  for (const signature of signaturesSeen(emu.state)) signatures.add(signature);
});

/** The gateway's Recommend link for `code` and `requestId` (as the emulator builds it). */
const recommendFor = (code, requestId) =>
  `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(code)}&product=dms-enterprise&requestId=${requestId}`;

/** A valid call still succeeds with exactly one more request, proving the module survived. */
async function assertStillWorks() {
  assert.equal(emu.state.faults.length, 0, 'faults left queued');
  emu.setClockSkewMs(0);
  const before = emu.state.requests;
  const result = await rerunTaskFlowInstance(configFor(emu), SMALL_FLOW);
  assert.equal(emu.state.requests, before + 1);
  assert.deepEqual(result, { requestId: emu.state.log.at(-1).requestId, success: true });
}

/**
 * Awaits a rejection, asserts its exact fields, the number of requests the
 * emulator got, that nothing secret leaks, then that the module still works.
 */
async function expectFailure(promise, expected, { requests }) {
  const err = await rejectionOf(promise);
  assertDmsError(err, DmsError, expected);
  assert.equal(emu.state.requests, requests, 'requests that reached the emulator');
  assert.equal(emu.state.log.length, requests, 'log entries');
  assertNoSecrets(err, { signatures: signaturesSeen(emu.state) });
  errors.push(err);
  await assertStillWorks();
  return err;
}

const distinct = (values) => new Set(values).size;

// ---------- success ----------

for (const method of [undefined, 'GET']) {
  const label = method ?? 'POST (default)';
  test(`success with ${label}: every parameter in the query, an empty body, exact RerunResult`, async () => {
    const proxy = await startRecordingProxy(emu.url);
    try {
      const config = configFor(proxy.url, method ? { method } : {});
      const result = await rerunTaskFlowInstance(config, SMALL_FLOW);

      assert.equal(emu.state.requests, 1);
      const [entry] = emu.state.log;
      assert.deepEqual(result, { requestId: entry.requestId, success: true });
      assert.deepEqual(Object.keys(result), ['requestId', 'success']);
      assert.match(result.requestId, /^[0-9A-F-]{36}$/);

      assert.equal(entry.method, method ?? 'POST');
      assert.equal(entry.status, 200);
      assert.equal(entry.code, null);
      const pairs = queryPairs(entry.rawQuery);
      const names = pairs.map(([name]) => name);
      assert.equal(names.filter((n) => n === 'Signature').length, 1);
      assert.deepEqual(names.filter((n) => n !== 'Signature').sort(), BASE_PARAM_NAMES);
      // The emulator merges query and form body: equal params prove the body added none.
      assert.deepEqual(entry.params, Object.fromEntries(pairs.filter(([n]) => n !== 'Signature')));
      const { Timestamp, SignatureNonce, ...fixed } = entry.params;
      assert.deepEqual(fixed, {
        AccessKeyId: DEMO_KEY.accessKeyId,
        Action: 'ReRunTaskFlowInstance',
        DagId: '7',
        DagInstanceId: '47',
        DagVersion: '2',
        Format: 'JSON',
        SignatureMethod: 'HMAC-SHA1',
        SignatureVersion: '1.0',
        Version: '2018-11-01',
      });
      assert.match(Timestamp, TIMESTAMP);
      assert.ok(SignatureNonce.length >= 16, SignatureNonce);
      assert.equal(emu.state.reruns.get('47'), 1);

      // On the wire: one request, the method, the same query, zero body bytes.
      assert.equal(proxy.seen.length, 1);
      const [wire] = proxy.seen;
      assert.equal(wire.method, method ?? 'POST');
      assert.equal(wire.url, `/?${entry.rawQuery}`);
      assert.equal(wire.body.length, 0);
      assert.equal(wire.headers['content-type'], undefined);
      assert.ok(['0', undefined].includes(wire.headers['content-length']), wire.headers['content-length']);
      assert.equal(wire.headers['transfer-encoding'], undefined);
    } finally {
      await proxy.close();
    }
  });
}

test('the default method is POST, also for the signer', () => {
  const signed = signRerunTaskFlowInstance(configFor(emu), SMALL_FLOW);
  assert.equal(signed.method, 'POST');
  assert.equal(signed.body, null);
  assert.ok(signed.url.startsWith(`${emu.url}/?`));
});

test('STS credentials: the token with + / = is sent encoded and accepted', async () => {
  const config = { ...STS_KEY, endpoint: emu.url };
  const result = await rerunTaskFlowInstance(config, SMALL_FLOW);
  const [entry] = emu.state.log;
  assert.deepEqual(result, { requestId: entry.requestId, success: true });
  assert.equal(emu.state.requests, 1);
  assert.equal(entry.params.SecurityToken, STS_KEY.securityToken);
  assert.equal(entry.params.AccessKeyId, STS_KEY.accessKeyId);
  assert.ok(entry.rawQuery.includes('SecurityToken=CAIS%2Bdemo%2Ftoken%3D%3D'), entry.rawQuery);
});

test('STS key without its token → Api InvalidSecurityToken.Mismatch', async () => {
  const { securityToken: _token, ...withoutToken } = STS_KEY;
  const err = await expectFailure(
    rerunTaskFlowInstance({ ...withoutToken, endpoint: emu.url }, SMALL_FLOW),
    {
      kind: 'Api',
      code: 'InvalidSecurityToken.Mismatch',
      httpStatus: 400,
      requestId: (id) => assert.equal(id, emu.state.log[0].requestId),
      attempts: 1,
      recommend: (link, e) => assert.equal(link, recommendFor(e.code, e.requestId)),
    },
    { requests: 1 },
  );
  assertNoSecrets(err, { secrets: [...ALL_SECRETS, STS_KEY.securityToken] });
});

test('tid given is sent as Tid; tid absent sends no Tid', async () => {
  await rerunTaskFlowInstance(configFor(emu), { ...SMALL_FLOW, tid: 1 });
  await rerunTaskFlowInstance(configFor(emu), SMALL_FLOW);
  await rerunTaskFlowInstance(configFor(emu), { ...SMALL_FLOW, tid: undefined });
  assert.equal(emu.state.requests, 3);
  const [given, absent, undef] = emu.state.log;
  assert.equal(given.params.Tid, '1');
  assert.equal(Object.hasOwn(absent.params, 'Tid'), false);
  assert.equal(Object.hasOwn(undef.params, 'Tid'), false);
  assert.ok(!absent.rawQuery.includes('Tid='));
});

test('unknown tid → Api InvalidTid (business error, HTTP 200)', async () => {
  await expectFailure(
    rerunTaskFlowInstance(configFor(emu), { ...SMALL_FLOW, tid: 2 }),
    { kind: 'Api', code: 'InvalidTid', httpStatus: 200, requestId: (id) => assert.equal(id, emu.state.log[0].requestId), attempts: 1 },
    { requests: 1 },
  );
});

test('ids as number, bigint and decimal string all send the same decimal text', async () => {
  const forms = [
    { tid: 1, dagId: 7, dagInstanceId: 47 },
    { tid: 1n, dagId: 7n, dagInstanceId: 47n },
    { tid: '1', dagId: '7', dagInstanceId: '47' },
    { tid: 1n, dagId: '7', dagInstanceId: 47 },
  ];
  for (const ids of forms) {
    const result = await rerunTaskFlowInstance(configFor(emu), { ...ids, dagVersion: '2' });
    assert.equal(result.success, true);
  }
  assert.equal(emu.state.requests, forms.length);
  for (const entry of emu.state.log) {
    assert.equal(entry.params.Tid, '1');
    assert.equal(entry.params.DagId, '7');
    assert.equal(entry.params.DagInstanceId, '47');
    assert.equal(entry.status, 200);
  }
  assert.equal(emu.state.reruns.get('47'), forms.length);
});

test('the 2^63−1 task flow with dagVersion v-大数据-🚀: 64-bit precision and UTF-8 signing', async () => {
  assert.equal(BIG_FLOW.dagVersion, 'v-大数据-🚀');
  const instance = BIG_FLOW.instances[0];
  const requests = [
    { tid: 2n ** 63n - 1n, dagId: 2n ** 63n - 1n, dagInstanceId: BigInt(instance), dagVersion: 'v-大数据-🚀' },
    { tid: MAX_LONG, dagId: MAX_LONG, dagInstanceId: instance, dagVersion: 'v-大数据-🚀' },
  ];
  for (const request of requests) {
    const result = await rerunTaskFlowInstance(configFor(emu), request);
    assert.deepEqual(result, { requestId: emu.state.log.at(-1).requestId, success: true });
  }
  assert.equal(emu.state.requests, 2);
  for (const entry of emu.state.log) {
    assert.equal(entry.params.DagId, '9223372036854775807');
    assert.equal(entry.params.Tid, '9223372036854775807');
    assert.equal(entry.params.DagInstanceId, '9223372036854775806');
    assert.equal(entry.params.DagVersion, 'v-大数据-🚀');
    assert.ok(entry.rawQuery.includes('DagVersion=v-%E5%A4%A7%E6%95%B0%E6%8D%AE-%F0%9F%9A%80'), entry.rawQuery);
  }
  assert.equal(emu.state.reruns.get('9223372036854775806'), 2);
});

test('regionId is ignored when endpoint is given', async () => {
  const config = configFor(emu, { regionId: 'cn-hangzhou' });
  assert.ok(signRerunTaskFlowInstance(config, SMALL_FLOW).url.startsWith(`${emu.url}/?`));
  const result = await rerunTaskFlowInstance(config, SMALL_FLOW);
  assert.deepEqual(result, { requestId: emu.state.log[0].requestId, success: true });
  assert.equal(emu.state.requests, 1);
});

// ---------- API and gateway errors ----------

test('unknown instance → Api InstanceNotExist, HTTP 200, not retryable', async () => {
  const err = await expectFailure(
    rerunTaskFlowInstance(configFor(emu), { ...SMALL_FLOW, dagInstanceId: 49 }),
    {
      kind: 'Api',
      code: 'InstanceNotExist',
      httpStatus: 200,
      requestId: (id) => assert.equal(id, emu.state.log[0].requestId),
      retryable: false,
      attempts: 1,
    },
    { requests: 1 },
  );
  assert.ok(err instanceof DmsError);
  assert.ok(err instanceof Error);
  assert.equal(err.name, 'DmsError');
  assert.equal(err.message, 'The task flow instance does not exist.');
  assert.equal(emu.state.reruns.get('49'), undefined);
});

test('wrong secret → Api SignatureDoesNotMatch, HTTP 400, recommend kept', async () => {
  await expectFailure(
    rerunTaskFlowInstance(configFor(emu, { accessKeySecret: WRONG_SECRET }), SMALL_FLOW),
    {
      kind: 'Api',
      code: 'SignatureDoesNotMatch',
      httpStatus: 400,
      requestId: (id) => assert.equal(id, emu.state.log[0].requestId),
      attempts: 1,
      recommend: (link, e) => assert.equal(link, recommendFor('SignatureDoesNotMatch', e.requestId)),
    },
    { requests: 1 },
  );
  assert.equal(emu.state.reruns.size, 1); // only the follow-up valid call
});

test('unknown access key → Api InvalidAccessKeyId.NotFound, HTTP 404', async () => {
  await expectFailure(
    rerunTaskFlowInstance(configFor(emu, { accessKeyId: 'LTAI-nobody' }), SMALL_FLOW),
    {
      kind: 'Api',
      code: 'InvalidAccessKeyId.NotFound',
      httpStatus: 404,
      requestId: (id) => assert.equal(id, emu.state.log[0].requestId),
      attempts: 1,
      recommend: (link, e) => assert.equal(link, recommendFor(e.code, e.requestId)),
    },
    { requests: 1 },
  );
});

for (const skew of [TWENTY_MINUTES, -TWENTY_MINUTES]) {
  test(`timestamp outside the window (server clock ${skew > 0 ? '+' : '-'}20 min) → Api InvalidTimeStamp.Expired`, async () => {
    emu.setClockSkewMs(skew);
    await expectFailure(
      rerunTaskFlowInstance(configFor(emu), SMALL_FLOW),
      {
        kind: 'Api',
        code: 'InvalidTimeStamp.Expired',
        httpStatus: 400,
        requestId: (id) => assert.equal(id, emu.state.log[0].requestId),
        attempts: 1,
        recommend: (link, e) => assert.equal(link, recommendFor(e.code, e.requestId)),
      },
      { requests: 1 },
    );
  });
}

// ---------- retries ----------

test('Throttling.User twice, then success, with maxRetries 2: resolves after 3 requests with 3 nonces', async () => {
  emu.injectFaults([{ type: 'throttling-user' }, { type: 'throttling-user' }]);
  const result = await rerunTaskFlowInstance(configFor(emu, { maxRetries: 2 }), SMALL_FLOW);
  assert.equal(emu.state.requests, 3);
  const log = emu.state.log;
  assert.deepEqual(log.map((e) => e.code), ['Throttling.User', 'Throttling.User', null]);
  assert.deepEqual(result, { requestId: log[2].requestId, success: true });
  assert.equal(distinct(log.map((e) => e.nonce)), 3);
  assert.equal(emu.state.reruns.get('47'), 1);
});

test('Throttling.User three times with maxRetries 2 → Api Throttling.User, attempts 3, retryable', async () => {
  emu.injectFaults([{ type: 'throttling-user' }, { type: 'throttling-user' }, { type: 'throttling-user' }]);
  await expectFailure(
    rerunTaskFlowInstance(configFor(emu, { maxRetries: 2 }), SMALL_FLOW),
    {
      kind: 'Api',
      code: 'Throttling.User',
      httpStatus: 400,
      requestId: (id) => assert.equal(id, emu.state.log[2].requestId),
      retryable: true,
      attempts: 3,
      recommend: (link, e) => assert.equal(link, recommendFor(e.code, e.requestId)),
    },
    { requests: 3 },
  );
});

test('maxRetries 0: a throttled call is sent exactly once', async () => {
  emu.injectFaults([{ type: 'throttling-api' }]);
  await expectFailure(
    rerunTaskFlowInstance(configFor(emu, { maxRetries: 0 }), SMALL_FLOW),
    {
      kind: 'Api',
      code: 'Throttling.Api',
      httpStatus: 400,
      requestId: (id) => assert.equal(id, emu.state.log[0].requestId),
      retryable: true,
      attempts: 1,
      recommend: (link, e) => assert.equal(link, recommendFor(e.code, e.requestId)),
    },
    { requests: 1 },
  );
});

test('HTTP 503 then success → resolves after 2 requests', async () => {
  emu.injectFaults([{ type: 'status', status: 503 }]);
  const result = await rerunTaskFlowInstance(configFor(emu), SMALL_FLOW);
  assert.equal(emu.state.requests, 2);
  const log = emu.state.log;
  assert.deepEqual(log.map((e) => [e.status, e.code]), [[503, 'ServiceUnavailable'], [200, null]]);
  assert.deepEqual(result, { requestId: log[1].requestId, success: true });
  assert.equal(distinct(log.map((e) => e.nonce)), 2);
});

test('HTTP 500 with a non-JSON body → InvalidResponse.NotJson, exactly 1 request (no retry)', async () => {
  emu.injectFaults([{ type: 'status', status: 500, body: '<html>Internal Server Error</html>', contentType: 'text/html' }]);
  await expectFailure(
    rerunTaskFlowInstance(configFor(emu), SMALL_FLOW),
    {
      kind: 'InvalidResponse',
      code: 'InvalidResponse.NotJson',
      httpStatus: 500,
      // The body carries no RequestId; the header one may or may not be used.
      requestId: (id) => assert.ok(id === undefined || id === emu.state.log[0].requestId, id),
      retryable: false,
      attempts: 1,
    },
    { requests: 1 },
  );
});

test('HTTP 200 with a non-JSON body → InvalidResponse.NotJson', async () => {
  emu.injectFaults([{ type: 'raw', status: 200, body: 'OK', contentType: 'text/plain' }]);
  await expectFailure(
    rerunTaskFlowInstance(configFor(emu), SMALL_FLOW),
    {
      kind: 'InvalidResponse',
      code: 'InvalidResponse.NotJson',
      httpStatus: 200,
      requestId: (id) => assert.ok(id === undefined || id === emu.state.log[0].requestId, id),
      attempts: 1,
    },
    { requests: 1 },
  );
});

test('HTTP 200 {"RequestId":"x"} → InvalidResponse.MissingSuccess with requestId x', async () => {
  emu.injectFaults([{ type: 'raw', status: 200, body: '{"RequestId":"x"}' }]);
  await expectFailure(
    rerunTaskFlowInstance(configFor(emu), SMALL_FLOW),
    { kind: 'InvalidResponse', code: 'InvalidResponse.MissingSuccess', httpStatus: 200, requestId: 'x', attempts: 1 },
    { requests: 1 },
  );
});

// ---------- time, cancellation, network ----------

test('a hanging gateway with timeoutMs 300 → Timeout after exactly 1 request', async () => {
  emu.injectFaults([{ type: 'hang' }]);
  const started = performance.now();
  await expectFailure(
    rerunTaskFlowInstance(configFor(emu, { timeoutMs: 300 }), SMALL_FLOW),
    { kind: 'Timeout', code: 'Timeout', attempts: 1 },
    { requests: 1 },
  );
  const elapsed = performance.now() - started;
  assert.ok(elapsed >= 250, `gave up after ${elapsed} ms`);
  assert.ok(elapsed < 5000, `took ${elapsed} ms`);
});

test('an AbortSignal aborted before the call → Aborted with zero requests', async () => {
  await expectFailure(
    rerunTaskFlowInstance(configFor(emu, { signal: AbortSignal.abort() }), SMALL_FLOW),
    { kind: 'Aborted', code: 'Aborted' },
    { requests: 0 },
  );
});

test('aborting during a hanging request → Aborted', async () => {
  emu.injectFaults([{ type: 'hang' }]);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 150);
  const started = performance.now();
  try {
    await expectFailure(
      rerunTaskFlowInstance(configFor(emu, { signal: controller.signal }), SMALL_FLOW),
      { kind: 'Aborted', code: 'Aborted', attempts: 1 },
      { requests: 1 },
    );
  } finally {
    clearTimeout(timer);
  }
  assert.ok(performance.now() - started < 5000);
});

test('a refused connection → Network', async () => {
  const port = await closedPort();
  await expectFailure(
    rerunTaskFlowInstance(configFor(`http://127.0.0.1:${port}`), SMALL_FLOW),
    { kind: 'Network', code: 'NetworkError', attempts: 1 },
    { requests: 0 },
  );
});

test('a custom fetch is used for every attempt, the global fetch for none', async () => {
  const realFetch = globalThis.fetch;
  const globalCalls = [];
  const customCalls = [];
  globalThis.fetch = (...args) => {
    globalCalls.push(args[0]);
    return realFetch(...args);
  };
  try {
    const custom = (url, init) => {
      customCalls.push({ url, method: init?.method });
      return realFetch(url, init);
    };
    emu.injectFaults([{ type: 'throttling-user' }]);
    const result = await rerunTaskFlowInstance(configFor(emu, { fetch: custom }), SMALL_FLOW);
    assert.deepEqual(result, { requestId: emu.state.log[1].requestId, success: true });
    assert.equal(emu.state.requests, 2);
    assert.equal(customCalls.length, 2);
    assert.equal(globalCalls.length, 0);
    for (const call of customCalls) {
      assert.equal(call.method, 'POST');
      assert.ok(call.url.startsWith(`${emu.url}/?`), call.url);
    }

    // A fetch that never touches the network: its answer is the result.
    const fake = async () => new Response('{"RequestId":"FAKE-ID","Success":true}', { status: 200 });
    const faked = await rerunTaskFlowInstance(configFor(emu, { fetch: fake }), SMALL_FLOW);
    assert.deepEqual(faked, { requestId: 'FAKE-ID', success: true });
    assert.equal(emu.state.requests, 2);
    assert.equal(globalCalls.length, 0);
  } finally {
    globalThis.fetch = realFetch;
  }
});

test('x-acs-retry-after is honoured: the retry waits at least that long', async () => {
  emu.injectFaults([{ type: 'throttling-user', headers: { 'x-acs-retry-after': '600' } }]);
  const started = performance.now();
  const result = await rerunTaskFlowInstance(configFor(emu), SMALL_FLOW);
  const elapsed = performance.now() - started;
  assert.equal(emu.state.requests, 2);
  const [first, second] = emu.state.log;
  assert.deepEqual(result, { requestId: second.requestId, success: true });
  // Loose lower bounds only (without the hint the first backoff is < 200 ms).
  assert.ok(second.at - first.at >= 500, `retried after ${second.at - first.at} ms`);
  assert.ok(elapsed >= 500, `resolved after ${elapsed} ms`);
});

// ---------- secrets, across the whole file ----------

test('no error of this file carries a secret or any signature the emulator saw', () => {
  assert.ok(errors.length >= 15, `only ${errors.length} errors collected`);
  for (const signature of signaturesSeen(emu.state)) signatures.add(signature);
  assert.ok(signatures.size > 0);
  for (const err of errors) {
    assertNoSecrets(err, { secrets: [...ALL_SECRETS, STS_KEY.securityToken], signatures: [...signatures] });
  }
});
