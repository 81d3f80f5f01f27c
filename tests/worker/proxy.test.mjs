/**
 * examples/worker, the Worker proxy, bundled by wrangler exactly as its README
 * deploys it and run in workerd (Miniflare) against the DMS emulator, with the
 * AccessKey in bindings the way `wrangler secret put` provides them.
 *
 *   node --test tests/worker/proxy.test.mjs
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Miniflare } from 'miniflare';
import { startEmulator } from '../../emulator/server.mjs';
import { DEMO_KEY, STS_KEY, MAX_LONG, TASK_FLOWS } from '../../emulator/data.mjs';
import { buildProxy, bundleModules } from './proxy-build.mjs';

const BIG_FLOW = TASK_FLOWS[1]; // DagId 2^63−1, version 'v-大数据-🚀', instance 2^63−2
const TOKEN = 'proxy-token-0123456789abcdef';
const WRONG_SECRET = 'wrong-secret-for-the-proxy';
const ORIGIN = 'https://ops.example.com';
const REQUEST_ID = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/;
const OK_BODY = Object.freeze({ dagId: '7', dagInstanceId: '47', dagVersion: '2' });
/** Nothing a response may ever contain. */
const NEVER_SHOWN = [DEMO_KEY.accessKeySecret, STS_KEY.accessKeySecret, WRONG_SECRET, TOKEN];

let build;
let emu;
let mf;
const seen = []; // every response (status, headers, body), checked for leaks at the end

before(async () => {
  [build, emu] = await Promise.all([buildProxy(), startEmulator()]);
  const secrets = {
    ALIBABA_CLOUD_ACCESS_KEY_ID: DEMO_KEY.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: DEMO_KEY.accessKeySecret,
    PROXY_TOKEN: TOKEN,
    DMS_ENDPOINT: emu.url,
  };
  // One workerd, one Worker per configuration under test, all running the same bundle,
  // each routed by host name (dispatchFetch, not getWorker().fetch: the latter goes
  // through Miniflare's /cdn-cgi proxy, which rejects foreign Origin headers).
  const configs = {
    proxy: { ...secrets, ALLOWED_ORIGIN: ORIGIN },
    short: { ...secrets, DMS_TIMEOUT_MS: '300' },
    sts: { ...secrets, ALIBABA_CLOUD_ACCESS_KEY_ID: STS_KEY.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: STS_KEY.accessKeySecret, ALIBABA_CLOUD_SECURITY_TOKEN: STS_KEY.securityToken },
    wrongSecret: { ...secrets, ALIBABA_CLOUD_ACCESS_KEY_SECRET: WRONG_SECRET },
    open: { ...secrets, PROXY_TOKEN: undefined },
    weak: { ...secrets, PROXY_TOKEN: 'short' },
    noKey: { ...secrets, ALIBABA_CLOUD_ACCESS_KEY_SECRET: undefined },
    badEndpoint: { ...secrets, DMS_ENDPOINT: 'ftp://dms.example.com' },
    unreachable: { ...secrets, DMS_ENDPOINT: 'http://127.0.0.1:1' },
  };
  const modules = bundleModules(build);
  mf = new Miniflare({
    workers: Object.entries(configs).map(([name, bindings]) => ({
      name,
      routes: [`${name}.proxy.test/*`],
      compatibilityDate: '2025-09-01',
      modulesRoot: build.outDir,
      modules,
      bindings: Object.fromEntries(Object.entries(bindings).filter(([, v]) => v !== undefined)),
    })),
  });
  await mf.ready;
});

after(async () => {
  await mf?.dispose();
  await emu?.close();
});

/**
 * One request to a Worker; returns the answer and what reached the emulator meanwhile.
 * `body` objects are sent as JSON, strings as they are.
 */
async function call({ worker = 'proxy', method = 'POST', path = '/rerun', token = TOKEN, body = OK_BODY, headers = {} } = {}) {
  const requestsBefore = emu.state.requests;
  const logBefore = emu.state.log.length;
  const init = { method, headers: { 'content-type': 'application/json', ...headers } };
  if (token !== null) init.headers.authorization = `Bearer ${token}`;
  if (method !== 'GET' && method !== 'HEAD' && body !== null) init.body = typeof body === 'string' ? body : JSON.stringify(body);
  const res = await mf.dispatchFetch(`https://${worker}.proxy.test${path}`, init);
  const text = await res.text();
  const answer = {
    status: res.status,
    headers: Object.fromEntries(res.headers),
    text,
    json: text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : undefined,
    requests: emu.state.requests - requestsBefore,
    log: emu.state.log.slice(logBefore),
  };
  seen.push(answer);
  for (const secret of NEVER_SHOWN) assert.ok(!JSON.stringify(answer.headers).includes(secret) && !text.includes(secret), `leaked: ${text}`);
  return answer;
}

/** The `{error:{…}}` body of a failed call, with the expected status and fields. */
function assertError(answer, status, expected) {
  assert.equal(answer.status, status, `status ${answer.status}: ${answer.text}`);
  assert.equal(answer.headers['content-type'], 'application/json');
  assert.deepEqual(Object.keys(answer.json), ['error']);
  for (const [key, value] of Object.entries(expected)) assert.equal(answer.json.error[key], value, `error.${key}: ${answer.text}`);
  assert.equal(typeof answer.json.error.message, 'string');
  assert.ok(!/Signature=/.test(answer.text), 'a signed URL leaked');
  return answer.json.error;
}

test('wrangler dry-run bundles the example with dms-rerun (workerd entry) and its .wasm', (t) => {
  t.diagnostic(`wrangler dry-run ${build.ms.toFixed(0)} ms: ${build.stdout.trim().replace(/\s*\n+\s*/g, ' | ')}`);
  assert.match(build.stdout, /Total Upload:/);
  assert.equal(build.wasmFiles.length, 1, build.files.join(', '));
  const inputs = Object.keys(build.metafile.inputs);
  assert.ok(inputs.includes('src/index.mjs'), inputs.join('\n'));
  assert.ok(inputs.some((p) => p.endsWith('consumer/node_modules/dms-rerun/dist/workerd/index.mjs')), inputs.join('\n'));
  assert.ok(!inputs.some((p) => p.includes('/dist/node/')), 'the Node entry was bundled');
  // the example imports the package by name, not by path
  assert.match(readFileSync(new URL('../../examples/worker/src/index.mjs', import.meta.url), 'utf8'), /from 'dms-rerun';/);
});

test('success: 200 {requestId, success:true}, one signed POST reaches DMS', async () => {
  const rerunsBefore = emu.state.reruns.get('47') ?? 0;
  const answer = await call();
  assert.equal(answer.status, 200, answer.text);
  assert.deepEqual(answer.json, { requestId: answer.log[0].requestId, success: true });
  assert.match(answer.json.requestId, REQUEST_ID);
  assert.equal(answer.headers['cache-control'], 'no-store');
  assert.equal(answer.requests, 1);
  assert.equal(answer.log[0].method, 'POST');
  assert.deepEqual([answer.log[0].params.DagId, answer.log[0].params.DagInstanceId, answer.log[0].params.DagVersion], ['7', '47', '2']);
  assert.equal(answer.log[0].params.AccessKeyId, DEMO_KEY.accessKeyId);
  assert.equal(emu.state.reruns.get('47'), rerunsBefore + 1);
});

test('ids as safe integers or decimal strings; 2^63−1, a tid and the non-ASCII version go through exactly', async () => {
  const numbers = await call({ body: { dagId: 7, dagInstanceId: 48, dagVersion: '2', tid: 1 } });
  assert.equal(numbers.status, 200, numbers.text);
  assert.deepEqual([numbers.log[0].params.DagInstanceId, numbers.log[0].params.Tid], ['48', '1']);

  const big = await call({ body: { dagId: MAX_LONG, dagInstanceId: BIG_FLOW.instances[0], dagVersion: BIG_FLOW.dagVersion, tid: MAX_LONG } });
  assert.equal(big.status, 200, big.text);
  const { params } = big.log[0];
  assert.deepEqual(
    [params.DagId, params.DagInstanceId, params.DagVersion, params.Tid],
    ['9223372036854775807', '9223372036854775806', 'v-大数据-🚀', '9223372036854775807'],
  );

  const sts = await call({ worker: 'sts' });
  assert.equal(sts.status, 200, sts.text);
  assert.equal(sts.log[0].params.SecurityToken, STS_KEY.securityToken);
});

test('unknown instance: 422 with code InstanceNotExist and the RequestId', async () => {
  const answer = await call({ body: { ...OK_BODY, dagInstanceId: '49' } });
  assertError(answer, 422, { kind: 'Api', code: 'InstanceNotExist', httpStatus: 200, requestId: answer.log[0].requestId });
  assert.equal(answer.requests, 1);
});

test('invalid input: 400 (413 when too large) and nothing reaches DMS', async () => {
  const cases = [
    [{ ...OK_BODY, dagId: 'abc' }, 'InvalidParameter.DagId'],
    [{ ...OK_BODY, dagInstanceId: '9223372036854775808' }, 'InvalidParameter.DagInstanceId'], // 2^63
    ['{"dagId":9223372036854775807,"dagInstanceId":"47","dagVersion":"2"}', 'InvalidParameter.DagId'], // rounded by JSON.parse
    [{ ...OK_BODY, dagVersion: '' }, 'InvalidParameter.DagVersion'],
    [{ dagId: '7', dagInstanceId: '47' }, 'InvalidParameter.DagVersion'],
    [{ ...OK_BODY, tid: '-1' }, 'InvalidParameter.Tid'],
    [{ ...OK_BODY, tenant: '1' }, 'InvalidParameter.Body'], // a typo must not rerun without the tenant
    ['{"dagId":', 'InvalidParameter.Body'],
    ['[1,2]', 'InvalidParameter.Body'],
    ['null', 'InvalidParameter.Body'],
    ['', 'InvalidParameter.Body'],
  ];
  for (const [body, code] of cases) {
    const answer = await call({ body });
    assertError(answer, 400, { kind: 'InvalidInput', code });
    assert.equal(answer.requests, 0, `${code}: a request reached the emulator`);
  }
  const large = await call({ body: { ...OK_BODY, dagVersion: 'x'.repeat(5000) } });
  assertError(large, 413, { kind: 'InvalidInput', code: 'InvalidParameter.Body' });
  assert.equal(large.requests, 0);
});

test('missing or wrong token: 401 with WWW-Authenticate: Bearer, nothing reaches DMS', async () => {
  const cases = [
    { token: null },
    { token: 'wrong-token-0123456789abcdef' },
    { token: TOKEN.slice(0, -1) }, // a prefix
    { token: `${TOKEN}x` }, // longer
    { token: '' },
    { token: null, headers: { authorization: `Basic ${btoa(`user:${TOKEN}`)}` } },
    { token: null, headers: { authorization: TOKEN } }, // no scheme
  ];
  for (const options of cases) {
    const answer = await call(options);
    assertError(answer, 401, { kind: 'Proxy', code: 'Unauthorized' });
    assert.equal(answer.headers['www-authenticate'], 'Bearer');
    assert.equal(answer.requests, 0);
  }
  // the scheme is case-insensitive (RFC 9110)
  const lower = await call({ token: null, headers: { authorization: `bearer ${TOKEN}` } });
  assert.equal(lower.status, 200, lower.text);
});

test('refuses to run open or misconfigured: 500, nothing reaches DMS', async () => {
  for (const worker of ['open', 'weak']) {
    for (const token of [TOKEN, 'undefined', 'short', null]) {
      const answer = await call({ worker, token });
      assertError(answer, 500, { kind: 'Proxy', code: 'NotConfigured' });
      assert.equal(answer.requests, 0);
    }
  }
  const noKey = await call({ worker: 'noKey' });
  assertError(noKey, 500, { kind: 'InvalidInput', code: 'InvalidParameter.AccessKeySecret' });
  const badEndpoint = await call({ worker: 'badEndpoint' });
  assertError(badEndpoint, 500, { kind: 'InvalidInput', code: 'InvalidParameter.Endpoint' });
  assert.equal(noKey.requests + badEndpoint.requests, 0);
});

test('routing: wrong path 404, wrong method 405 with Allow, nothing reaches DMS', async () => {
  for (const path of ['/', '/rerun/', '/Rerun', '/rerun2']) {
    const answer = await call({ path });
    assertError(answer, 404, { kind: 'Proxy', code: 'NotFound' });
    assert.equal(answer.requests, 0);
  }
  for (const method of ['GET', 'PUT', 'DELETE', 'PATCH']) {
    const answer = await call({ method });
    assertError(answer, 405, { kind: 'Proxy', code: 'MethodNotAllowed' });
    assert.equal(answer.headers.allow, 'POST, OPTIONS');
    assert.equal(answer.requests, 0);
  }
});

test('CORS: preflight and answers carry the headers only for ALLOWED_ORIGIN', async () => {
  const preflightHeaders = { origin: ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' };
  const preflight = await call({ method: 'OPTIONS', token: null, body: null, headers: preflightHeaders });
  assert.equal(preflight.status, 204);
  assert.equal(preflight.headers['access-control-allow-origin'], ORIGIN);
  assert.match(preflight.headers['access-control-allow-methods'], /\bPOST\b/);
  assert.match(preflight.headers['access-control-allow-headers'], /authorization/i);
  assert.equal(preflight.requests, 0);

  const other = await call({ method: 'OPTIONS', token: null, body: null, headers: { ...preflightHeaders, origin: 'https://evil.example' } });
  assert.equal(other.headers['access-control-allow-origin'], undefined);

  const ok = await call({ headers: { origin: ORIGIN } });
  assert.equal(ok.status, 200);
  assert.equal(ok.headers['access-control-allow-origin'], ORIGIN);
  assert.match(ok.headers.vary, /Origin/);
  // error answers too, so the page can read them
  const denied = await call({ token: null, headers: { origin: ORIGIN } });
  assert.equal(denied.status, 401);
  assert.equal(denied.headers['access-control-allow-origin'], ORIGIN);
  // a Worker without ALLOWED_ORIGIN sends none
  const plain = await call({ worker: 'short', headers: { origin: ORIGIN } });
  assert.equal(plain.status, 200);
  assert.equal(plain.headers['access-control-allow-origin'], undefined);
});

test('throttling: success after one retry; 429 when every attempt is throttled', async () => {
  emu.injectFaults([{ type: 'throttling-user' }]);
  const retried = await call();
  assert.equal(retried.status, 200, retried.text);
  assert.equal(retried.requests, 2);
  assert.deepEqual(retried.log.map((e) => e.code), ['Throttling.User', null]);

  emu.injectFaults([{ type: 'throttling-api' }, { type: 'throttling-api' }, { type: 'throttling-api' }]); // default maxRetries 2
  const throttled = await call();
  assertError(throttled, 429, { kind: 'Api', code: 'Throttling.Api', httpStatus: 400, requestId: throttled.log[2].requestId });
  assert.equal(throttled.requests, 3);
  assert.equal(emu.state.faults.length, 0);
});

test('gateway and transport failures: 502 / 503', async () => {
  const signature = await call({ worker: 'wrongSecret' });
  assertError(signature, 502, { kind: 'Api', code: 'SignatureDoesNotMatch', httpStatus: 400 });

  emu.injectFaults([{ type: 'status', status: 503 }, { type: 'status', status: 503 }, { type: 'status', status: 503 }]);
  const unavailable = await call();
  assertError(unavailable, 503, { kind: 'Api', code: 'ServiceUnavailable', httpStatus: 503 });
  assert.equal(unavailable.requests, 3);

  emu.injectFaults([{ type: 'raw', status: 200, body: '<html>gateway</html>', contentType: 'text/html' }]);
  assertError(await call(), 502, { kind: 'InvalidResponse', code: 'InvalidResponse.NotJson' });

  const network = await call({ worker: 'unreachable' });
  assertError(network, 502, { kind: 'Network', code: 'NetworkError' });
});

test('timeout: a hung gateway → 504 after DMS_TIMEOUT_MS', async (t) => {
  emu.injectFaults([{ type: 'hang' }]);
  const started = performance.now();
  const answer = await call({ worker: 'short' });
  const elapsed = performance.now() - started;
  assertError(answer, 504, { kind: 'Timeout', code: 'Timeout' });
  assert.equal(answer.requests, 1);
  assert.ok(elapsed >= 250 && elapsed < 10_000, `took ${elapsed} ms`);
  t.diagnostic(`504 after ${elapsed.toFixed(0)} ms (DMS_TIMEOUT_MS 300)`);
});

test('no response ever contained a secret, the proxy token or a signed URL', () => {
  assert.ok(seen.length > 50, `only ${seen.length} responses seen`);
  const all = seen.map((a) => JSON.stringify(a.headers) + a.text).join('\n');
  for (const secret of NEVER_SHOWN) assert.ok(!all.includes(secret));
  assert.ok(!all.includes('Signature='));
});
