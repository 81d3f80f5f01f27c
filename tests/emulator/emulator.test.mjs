/**
 * Tests of the DMS emulator itself. Requests are signed with Alibaba's own
 * signer (@alicloud/openapi-util), so the emulator's verifier is checked
 * against the reference implementation, not against itself.
 *
 *   node --test tests/emulator/emulator.test.mjs  (the emulator itself lives in emulator/)
 */
import { test, describe, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startEmulator } from '../../emulator/server.mjs';
import { computeSignature, percentEncode, stringToSign } from '../../emulator/signature.mjs';
import { NonceStore } from '../../emulator/nonces.mjs';
import { STS_KEY, MAX_LONG, TASK_FLOWS } from '../../emulator/data.mjs';
import { OpenApiUtil, assertGatewayError, call, signed, timestamp, toQuery, waitFor } from './client.mjs';

const BIG_FLOW = TASK_FLOWS[1];
const SERVER = fileURLToPath(new URL('../../emulator/server.mjs', import.meta.url));

// ---------- signature algorithm ----------

describe('signature', () => {
  // The documented example, as stored for every test layer.
  const vector = JSON.parse(readFileSync(new URL('../vectors/describe-regions-doc.json', import.meta.url), 'utf8')).params;

  test('documented DescribeRegions vector', () => {
    const { signature, stringToSign: toSign } = computeSignature('GET', vector, 'testsecret');
    assert.equal(
      toSign,
      'GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1' +
        '%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0' +
        '%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26',
    );
    assert.equal(signature, 'OLeaidS1JvxuMvnyHOwuJ+uX5qY=');
    assert.equal(OpenApiUtil.getRPCSignature(vector, 'GET', 'testsecret'), signature);
  });

  test('percent-encoding keeps only unreserved characters', () => {
    assert.equal(percentEncode('aZ09-_.~'), 'aZ09-_.~');
    assert.equal(percentEncode(' *+/=:'), '%20%2A%2B%2F%3D%3A');
    assert.equal(percentEncode("!'()"), '%21%27%28%29');
    assert.equal(percentEncode('大🚀'), '%E5%A4%A7%F0%9F%9A%80');
  });

  test('agrees with the official signer on awkward values, GET and POST', () => {
    const params = { ...vector, DagVersion: 'v-大数据-🚀', SecurityToken: STS_KEY.securityToken, Odd: " *~!'()" };
    for (const method of ['GET', 'POST']) {
      assert.equal(
        computeSignature(method, params, 'sec ret+&').signature,
        OpenApiUtil.getRPCSignature(params, method, 'sec ret+&'),
      );
    }
  });

  test('nonce store forgets nonces outside the window and stays bounded', () => {
    const store = new NonceStore({ windowMs: 1000, maxEntries: 3 });
    store.add('k', 'a', 0);
    assert.equal(store.has('k', 'a', 999), true);
    assert.equal(store.has('other', 'a', 999), false);
    assert.equal(store.has('k', 'a', 1000), false);
    for (const n of ['b', 'c', 'd', 'e']) store.add('k', n, 2000);
    assert.equal(store.size, 3);
    assert.deepEqual(store.recent(), ['c', 'd', 'e']);
  });
});

// ---------- gateway and DMS behaviour ----------

describe('ReRunTaskFlowInstance', () => {
  let emu;
  before(async () => {
    emu = await startEmulator();
  });
  after(() => emu.close());
  beforeEach(() => emu.state.reset());

  test('GET rerun succeeds and is recorded', async () => {
    const params = signed();
    const reply = await call(emu, params);
    assert.equal(reply.status, 200, reply.text);
    assert.deepEqual(Object.keys(reply.json).sort(), ['RequestId', 'Success']);
    assert.equal(reply.json.Success, true);
    assert.equal(reply.res.headers.get('x-acs-request-id'), reply.json.RequestId);
    assert.equal(reply.res.headers.get('access-control-allow-origin'), '*');
    assert.match(reply.res.headers.get('access-control-expose-headers'), /x-acs-request-id/);
    assert.equal(emu.state.requests, 1);
    assert.equal(emu.state.reruns.get('47'), 1);
    const [entry] = emu.state.log;
    assert.equal(entry.method, 'GET');
    assert.equal(entry.status, 200);
    assert.equal(entry.code, null);
    assert.equal(entry.nonce, params.SignatureNonce);
    assert.equal(entry.timestamp, params.Timestamp);
    assert.equal(entry.params.Signature, undefined);
    assert.equal(entry.params.DagInstanceId, '47');
  });

  test('POST rerun with the query string and an empty body', async () => {
    const reply = await call(emu, signed({}, { method: 'POST' }), { method: 'POST' });
    assert.equal(reply.status, 200, reply.text);
    assert.equal(reply.json.Success, true);
    assert.equal(emu.state.log[0].method, 'POST');
  });

  test('POST with parameters in a form body is merged with the query', async () => {
    const params = signed({ DagInstanceId: '48' }, { method: 'POST' });
    const { DagId, DagInstanceId, DagVersion, ...common } = params;
    const res = await fetch(`${emu.url}/?${toQuery(common)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: toQuery({ DagId, DagInstanceId, DagVersion }),
    });
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal((await res.json()).Success, true);
    assert.equal(emu.state.reruns.get('48'), 1);
  });

  test('a GET signature does not verify a POST', async () => {
    const reply = await call(emu, signed({}, { method: 'GET' }), { method: 'POST' });
    assertGatewayError(reply, 400, 'SignatureDoesNotMatch');
  });

  test('business failures are HTTP 200 with Success:false', async () => {
    const cases = [
      [{ DagInstanceId: '999' }, 'InstanceNotExist', 'The task flow instance does not exist.'],
      [{ DagId: '8' }, 'DagNotExist'],
      [{ DagVersion: '3' }, 'DagVersionMismatch'],
      [{ Tid: '2' }, 'InvalidTid'],
      [{ DagId: MAX_LONG, DagInstanceId: '47', DagVersion: BIG_FLOW.dagVersion }, 'InstanceNotExist'],
    ];
    for (const [overrides, code, message] of cases) {
      const reply = await call(emu, signed(overrides));
      assert.equal(reply.status, 200, reply.text);
      assert.equal(reply.json.Success, false);
      assert.equal(reply.json.ErrorCode, code);
      if (message) assert.equal(reply.json.ErrorMessage, message);
      assert.equal(emu.state.log.at(-1).code, code);
    }
    assert.equal(emu.state.reruns.size, 0);
  });

  test('2^63-1 ids and a non-ASCII DagVersion round-trip exactly', async () => {
    const params = signed({
      Tid: MAX_LONG,
      DagId: BIG_FLOW.dagId,
      DagInstanceId: BIG_FLOW.instances[0],
      DagVersion: BIG_FLOW.dagVersion,
    });
    const reply = await call(emu, params);
    assert.equal(reply.status, 200, reply.text);
    assert.equal(reply.json.Success, true);
    assert.equal(emu.state.reruns.get('9223372036854775806'), 1);
    const logged = emu.state.log[0].params;
    assert.equal(logged.DagId, '9223372036854775807');
    assert.equal(logged.Tid, '9223372036854775807');
    assert.equal(logged.DagVersion, 'v-大数据-🚀');
    assert.match(emu.state.log[0].rawQuery, /DagVersion=v-%E5%A4%A7%E6%95%B0%E6%8D%AE-%F0%9F%9A%80/);
  });

  test('Longs must be canonical decimals within 0..2^63-1', async () => {
    for (const [name, value] of [
      ['DagId', '9223372036854775808'],
      ['DagId', '007'],
      ['DagInstanceId', '-1'],
      ['DagInstanceId', '4.7e1'],
      ['Tid', ''],
      ['Tid', ' 1'],
    ]) {
      assertGatewayError(await call(emu, signed({ [name]: value })), 400, `InvalidParameter.${name}`);
    }
  });

  test('missing parameters are named in the code', async () => {
    for (const name of ['AccessKeyId', 'SignatureNonce', 'Timestamp', 'Action', 'Version']) {
      assertGatewayError(await call(emu, signed({}, { omit: [name] })), 400, `Missing${name}`);
    }
    const noSignature = signed();
    delete noSignature.Signature;
    assertGatewayError(await call(emu, noSignature), 400, 'MissingSignature');
    for (const name of ['DagId', 'DagInstanceId', 'DagVersion']) {
      assertGatewayError(await call(emu, signed({}, { omit: [name] })), 400, `Missing${name}`);
    }
  });

  test('signature method, version and format are checked', async () => {
    assertGatewayError(await call(emu, signed({ SignatureMethod: 'HMAC-SHA256' })), 400, 'InvalidSignatureMethod');
    assertGatewayError(await call(emu, signed({ SignatureVersion: '2.0' })), 400, 'InvalidSignatureVersion');
    assertGatewayError(await call(emu, signed({ Format: 'XML' })), 400, 'InvalidParameter.Format');
    const noFormat = await call(emu, signed({}, { omit: ['Format'] }));
    assert.equal(noFormat.json.Success, true);
  });

  test('a bad signature quotes the server string to sign', async () => {
    const params = signed({ DagVersion: 'v-大数据-🚀 *+' });
    params.Signature = 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=';
    const reply = await call(emu, params);
    assertGatewayError(reply, 400, 'SignatureDoesNotMatch');
    assert.equal(
      reply.json.Message,
      'Specified signature is not matched with our calculation. server string to sign is:' +
        stringToSign('GET', params),
    );
    assert.match(reply.json.Message, /DagVersion%3Dv-%25E5%25A4%25A7.*%2520%252A%252B/);
  });

  test('a replayed nonce is refused; a forged request does not burn the nonce', async () => {
    const nonce = crypto.randomUUID();
    const forged = signed({ SignatureNonce: nonce });
    forged.Signature = 'bm90IGEgc2lnbmF0dXJl';
    assertGatewayError(await call(emu, forged), 400, 'SignatureDoesNotMatch');
    const first = await call(emu, signed({ SignatureNonce: nonce }));
    assert.equal(first.json.Success, true);
    assertGatewayError(await call(emu, signed({ SignatureNonce: nonce })), 400, 'SignatureNonceUsed');
    // nonces are per AccessKeyId
    const sts = await call(emu, signed({ SignatureNonce: nonce, SecurityToken: STS_KEY.securityToken }, { key: STS_KEY }));
    assert.equal(sts.json.Success, true);
    assert.equal(emu.state.reruns.get('47'), 2);
  });

  test('timestamps: format and 15-minute window (clockSkewMs)', async () => {
    assertGatewayError(await call(emu, signed({ Timestamp: '2016-02-23 12:46:24' })), 400, 'InvalidTimeStamp.Format');
    assertGatewayError(await call(emu, signed({ Timestamp: '2016-13-23T12:46:24Z' })), 400, 'InvalidTimeStamp.Format');
    assertGatewayError(await call(emu, signed({ Timestamp: timestamp(-16 * 60_000) })), 400, 'InvalidTimeStamp.Expired');
    assert.equal((await call(emu, signed({ Timestamp: timestamp(-14 * 60_000) }))).json.Success, true);

    const skewed = await startEmulator({ clockSkewMs: 20 * 60_000 });
    try {
      assertGatewayError(await call(skewed, signed()), 400, 'InvalidTimeStamp.Expired');
      skewed.setClockSkewMs(0);
      assert.equal((await call(skewed, signed())).json.Success, true);
    } finally {
      await skewed.close();
    }
  });

  test('unknown AccessKeyId is 404', async () => {
    const reply = await call(emu, signed({}, { key: { accessKeyId: 'LTAI-nobody', accessKeySecret: 'x' } }));
    assertGatewayError(reply, 404, 'InvalidAccessKeyId.NotFound');
  });

  test('STS key needs its SecurityToken; permanent key ignores one', async () => {
    const ok = await call(emu, signed({ SecurityToken: STS_KEY.securityToken }, { key: STS_KEY }));
    assert.equal(ok.json.Success, true, ok.text);
    assert.match(emu.state.log[0].rawQuery, /SecurityToken=CAIS%2Bdemo%2Ftoken%3D%3D/);
    assertGatewayError(await call(emu, signed({}, { key: STS_KEY })), 400, 'InvalidSecurityToken.Mismatch');
    assertGatewayError(
      await call(emu, signed({ SecurityToken: 'CAIS demo/token==' }, { key: STS_KEY })),
      400,
      'InvalidSecurityToken.Mismatch',
    );
    const permanent = await call(emu, signed({ SecurityToken: 'whatever' }));
    assert.equal(permanent.json.Success, true);
  });

  test('an expired STS key and extra keys from options', async () => {
    const extra = await startEmulator({
      credentials: [{ accessKeyId: 'STS.old', accessKeySecret: 's', securityToken: 't', expired: true }],
    });
    try {
      const reply = await call(extra, signed({ SecurityToken: 't' }, { key: { accessKeyId: 'STS.old', accessKeySecret: 's' } }));
      assertGatewayError(reply, 400, 'InvalidSecurityToken.Expired');
    } finally {
      await extra.close();
    }
  });

  test('unknown Action is 404, wrong Version is 400', async () => {
    assertGatewayError(await call(emu, signed({ Action: 'DescribeRegions' })), 404, 'InvalidAction.NotFound');
    assertGatewayError(await call(emu, signed({ Version: '2014-05-26' })), 400, 'InvalidVersion');
  });

  test('duplicate and badly encoded parameters are refused', async () => {
    const params = signed();
    const duplicate = await fetch(`${emu.url}/?${toQuery(params)}&DagId=7`);
    assert.equal(duplicate.status, 400);
    assert.equal((await duplicate.json()).Code, 'InvalidParameter');
    const malformed = await fetch(`${emu.url}/?${toQuery(signed())}&X=%E5%A4`);
    assert.equal((await malformed.json()).Code, 'InvalidParameter');
  });

  test('a raw + is a literal plus by default, a space with plusAsSpace', async () => {
    const params = signed({ SecurityToken: STS_KEY.securityToken }, { key: STS_KEY });
    const raw = toQuery(params).replace('%2B', '+');
    assert.equal((await (await fetch(`${emu.url}/?${raw}`)).json()).Success, true);
    const servlet = await startEmulator({ plusAsSpace: true });
    try {
      const body = await (await fetch(`${servlet.url}/?${raw}`)).json();
      assert.equal(body.Code, 'SignatureDoesNotMatch');
    } finally {
      await servlet.close();
    }
  });

  test('CORS preflight', async () => {
    const res = await fetch(`${emu.url}/`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'GET', 'access-control-request-headers': 'x-acs-foo' },
    });
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    assert.equal(res.headers.get('access-control-allow-methods'), 'GET, POST, OPTIONS');
    assert.equal(res.headers.get('access-control-allow-headers'), '*, x-acs-foo');
    assert.equal(res.headers.get('access-control-max-age'), '600');
    assert.equal(
      res.headers.get('access-control-expose-headers'),
      'x-acs-request-id, x-acs-retry-after, retry-after, content-length',
    );
    assert.equal(emu.state.requests, 0);
  });

  test('unknown paths are 404 and not counted', async () => {
    const res = await fetch(`${emu.url}/v1/whatever?${toQuery(signed())}`);
    assert.equal(res.status, 404);
    assert.equal((await res.json()).Code, 'InvalidAction.NotFound');
    assert.equal(emu.state.requests, 0);
  });

  test('the request log is bounded', async () => {
    const small = await startEmulator({ logLimit: 3 });
    try {
      for (let i = 0; i < 5; i++) await call(small, signed());
      assert.equal(small.state.requests, 5);
      assert.equal(small.state.log.length, 3);
    } finally {
      await small.close();
    }
  });
});

// ---------- fault injection ----------

describe('faults', () => {
  let emu;
  before(async () => {
    emu = await startEmulator();
  });
  after(() => emu.close());
  beforeEach(() => emu.state.reset());

  test('throttling (user and api) with retry headers, before verification', async () => {
    emu.injectFaults([
      { type: 'throttling-user', headers: { 'x-acs-retry-after': '1500' } },
      { type: 'throttling-api', headers: { 'retry-after': '2' } },
    ]);
    const unsigned = { Action: 'ReRunTaskFlowInstance' };
    const user = await call(emu, unsigned);
    assertGatewayError(user, 400, 'Throttling.User');
    assert.equal(user.json.Message, 'Request was denied due to user flow control.');
    assert.equal(user.res.headers.get('x-acs-retry-after'), '1500');
    const api = await call(emu, signed());
    assertGatewayError(api, 400, 'Throttling.Api');
    assert.equal(api.res.headers.get('retry-after'), '2');
    assert.equal((await call(emu, signed())).json.Success, true); // queue drained
    assert.deepEqual(emu.state.log.map((e) => e.fault), ['throttling-user', 'throttling-api', null]);
    assert.equal(emu.state.reruns.get('47'), 1);
  });

  test('status faults: default gateway body and custom raw body', async () => {
    emu.injectFaults([
      { type: 'status', status: 503 },
      { type: 'status', status: 502, body: '<html>Bad Gateway</html>', contentType: 'text/html' },
    ]);
    assertGatewayError(await call(emu, signed()), 503, 'ServiceUnavailable');
    const html = await call(emu, signed());
    assert.equal(html.status, 502);
    assert.equal(html.text, '<html>Bad Gateway</html>');
    assert.equal(html.res.headers.get('content-type'), 'text/html');
  });

  test('raw faults: body without Success, empty body without content type', async () => {
    emu.injectFaults([
      { type: 'raw', status: 200, body: '{"RequestId":"x"}' },
      { type: 'raw', status: 200, body: '', contentType: null, headers: { 'x-acs-request-id': null } },
    ]);
    const noSuccess = await call(emu, signed());
    assert.equal(noSuccess.status, 200);
    assert.deepEqual(noSuccess.json, { RequestId: 'x' });
    const empty = await call(emu, signed());
    assert.equal(empty.text, '');
    assert.equal(empty.res.headers.get('content-type'), null);
    assert.equal(empty.res.headers.get('x-acs-request-id'), null);
    assert.equal(emu.state.reruns.size, 0);
  });

  test('truncate: the connection closes before the declared length', async () => {
    emu.injectFaults([{ type: 'truncate', status: 200, body: '{"RequestId":"x","Succ', declaredLength: 500 }]);
    const res = await fetch(`${emu.url}/?${toQuery(signed())}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-length'), '500');
    await assert.rejects(res.text());
  });

  test('destroy: no answer at all', async () => {
    emu.injectFaults([{ type: 'destroy' }]);
    await assert.rejects(fetch(`${emu.url}/?${toQuery(signed())}`), TypeError);
    assert.equal(emu.state.requests, 1);
    assert.equal(emu.state.reruns.size, 0);
  });

  test('hang: never answers, and close() still returns promptly', async () => {
    const hanging = await startEmulator({ faults: [{ type: 'hang' }] });
    await assert.rejects(
      fetch(`${hanging.url}/?${toQuery(signed())}`, { signal: AbortSignal.timeout(150) }),
      (e) => e.name === 'TimeoutError',
    );
    // a second hung request still open while closing
    hanging.injectFaults([{ type: 'hang' }]);
    const pending = fetch(`${hanging.url}/?${toQuery(signed())}`).catch((e) => e);
    await waitFor(() => hanging.state.requests === 2);
    const started = Date.now();
    await hanging.close();
    assert.ok(Date.now() - started < 1000);
    assert.ok((await pending) instanceof Error);
    assert.equal(hanging.state.log[0].fault, 'hang');
    assert.equal(hanging.state.log[0].status, null);
  });

  test('large: full bodies with Content-Length and chunked', async () => {
    emu.injectFaults([
      { type: 'large', bytes: 300_000, chunked: false },
      { type: 'large', bytes: 300_000, chunked: true },
    ]);
    const fixed = await fetch(`${emu.url}/?${toQuery(signed())}`);
    assert.equal(fixed.headers.get('content-length'), '300000');
    const fixedBody = await fixed.text();
    assert.equal(Buffer.byteLength(fixedBody), 300_000);
    assert.equal(JSON.parse(fixedBody).Success, true);
    const chunked = await fetch(`${emu.url}/?${toQuery(signed())}`);
    assert.equal(chunked.headers.get('content-length'), null);
    assert.equal(chunked.headers.get('transfer-encoding'), 'chunked');
    assert.equal((await chunked.arrayBuffer()).byteLength, 300_000);
    await waitFor(() => emu.state.streams.every((s) => s.completed));
    assert.deepEqual(emu.state.streams.map((s) => s.aborted), [false, false]);
  });

  test('large: a client that stops reading early is observed', async () => {
    emu.injectFaults([{ type: 'large', bytes: 20_000_000, chunked: true, chunkDelayMs: 2 }]);
    const res = await fetch(`${emu.url}/?${toQuery(signed())}`);
    const reader = res.body.getReader();
    await reader.read();
    await reader.cancel();
    await waitFor(() => emu.state.streams[0]?.aborted === true);
    assert.ok(emu.state.streams[0].sent < 20_000_000);
    assert.equal(emu.state.streams[0].completed, false);
  });

  test('slow: processed at once, answered after delayMs; delayMs on other faults', async () => {
    emu.injectFaults([{ type: 'slow', delayMs: 200 }, { type: 'throttling-user', delayMs: 100 }]);
    let started = Date.now();
    const slow = await call(emu, signed());
    assert.ok(Date.now() - started >= 190);
    assert.equal(slow.json.Success, true);
    started = Date.now();
    assertGatewayError(await call(emu, signed()), 400, 'Throttling.User');
    assert.ok(Date.now() - started >= 90);
  });

  test('slow: the rerun happens even when the client gives up', async () => {
    emu.injectFaults([{ type: 'slow', delayMs: 300 }]);
    await assert.rejects(fetch(`${emu.url}/?${toQuery(signed())}`, { signal: AbortSignal.timeout(50) }));
    assert.equal(emu.state.reruns.get('47'), 1);
  });

  test('invalid faults are refused as a whole', () => {
    assert.throws(() => emu.injectFaults([{ type: 'hang' }, { type: 'explode' }]), TypeError);
    assert.throws(() => emu.injectFaults([{ type: 'status' }]), /needs a status/);
    assert.throws(() => emu.injectFaults([{ type: 'large' }]), /bytes/);
    assert.equal(emu.state.faults.length, 0);
  });
});

// ---------- admin interface and CLI ----------

describe('admin over HTTP', () => {
  let emu;
  before(async () => {
    emu = await startEmulator();
  });
  after(() => emu.close());

  test('queue faults, read state, reset', async () => {
    const post = (path, body) => emu.admin(path, body);

    assert.deepEqual(await post('/__admin/faults', { faults: [{ type: 'throttling-api' }] }), { queued: 1, pending: 1 });
    const bad = await post('/__admin/faults', { faults: [{ type: 'nope' }] }).catch((e) => e);
    assert.equal(bad.status, 400);
    assert.match(JSON.parse(bad.body).error, /unknown fault type/);

    assertGatewayError(await call(emu, signed()), 400, 'Throttling.Api');
    const params = signed({ DagInstanceId: '48' });
    assert.equal((await call(emu, params)).json.Success, true);

    const state = await emu.admin('/__admin/state');
    assert.equal(state.requests, 2);
    assert.deepEqual(state.reruns, { 48: 1 });
    assert.deepEqual(state.nonces, [params.SignatureNonce]);
    assert.equal(state.pendingFaults, 0);

    assert.deepEqual(await post('/__admin/clock', { skewMs: 3_600_000 }), { clockSkewMs: 3_600_000 });
    assertGatewayError(await call(emu, signed()), 400, 'InvalidTimeStamp.Expired');
    await post('/__admin/clock', { skewMs: 0 });

    assert.deepEqual(await post('/__admin/reset', {}), { ok: true });
    const after = await emu.admin('/state');
    assert.equal(after.requests, 0);
    assert.deepEqual(after.reruns, {});
    assert.deepEqual(after.nonces, []);
    assert.equal(emu.state.log.length, 0);
  });
});

test('CLI prints the listening line, then how to use the admin API with its token', async () => {
  const child = spawn(process.execPath, [SERVER, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, DMS_EMULATOR_ADMIN_TOKEN: '' }, // an inherited token must not mask the random one
  });
  try {
    const lines = await new Promise((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        if (out.split('\n').length > 3) resolve(out.split('\n'));
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}`)));
    });
    const match = /^DMS emulator listening on (http:\/\/127\.0\.0\.1:(\d+))$/.exec(lines[0]);
    assert.ok(match, lines[0]);
    const res = await fetch(`${match[1]}/?${toQuery(signed())}`);
    assert.equal((await res.json()).Success, true);

    const header = /^Admin API \(http:\/\/127\.0\.0\.1:\d+\/__admin\/\): send the header "X-Emulator-Admin: ([\x21-\x7e]{32,})", e\.g\.$/.exec(lines[1]);
    assert.ok(header, lines[1]);
    assert.equal(lines[2], `  curl -H 'X-Emulator-Admin: ${header[1]}' ${match[1]}/__admin/state`);
    const state = await fetch(`${match[1]}/__admin/state`, { headers: { 'x-emulator-admin': header[1] } });
    assert.equal((await state.json()).requests, 1);
    assert.equal((await fetch(`${match[1]}/__admin/state`)).status, 401);
  } finally {
    child.kill('SIGTERM');
  }
});

test('CLI: --admin-token and --rerun-outcome-ms', async () => {
  const token = 'cli-chosen-token-0123456789';
  const child = spawn(process.execPath, [SERVER, '--port=0', '--admin-token', token, '--rerun-outcome-ms=manual'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const url = await new Promise((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        const match = /listening on (\S+)\n/.exec(out);
        if (match) resolve(match[1]);
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}`)));
    });
    const runs = await (await fetch(`${url}/__admin/runs?dagId=7`, { headers: { 'X-Emulator-Admin': token } })).json();
    assert.equal(runs.rerunOutcomeMs, null);
    assert.equal(runs.runs.length, 45);
  } finally {
    child.kill('SIGTERM');
  }
});
