/**
 * The packed package inside a real Cloudflare Workers runtime (workerd via
 * Miniflare), bundled the way users deploy: `wrangler deploy --dry-run`.
 *
 *   node --test tests/worker/*.test.mjs
 *
 * Needs the packed package in test-output/consumer (scripts/pack.mjs).
 * The worker talks to the DMS emulator on 127.0.0.1 (Miniflare allows it by default).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Miniflare } from 'miniflare';
import { importPackage, packageDir } from '../support/consumer.mjs';
import { startEmulator } from '../../emulator/server.mjs';
import { DEMO_KEY, STS_KEY, MAX_LONG, TASK_FLOWS } from '../../emulator/data.mjs';
import { buildWithWrangler, bundleModules, COMPATIBILITY_DATE } from './wrangler-build.mjs';

const BIG_FLOW = TASK_FLOWS[1]; // DagId 2^63−1, version 'v-大数据-🚀', instance 2^63−2
const BIG_INSTANCE = BIG_FLOW.instances[0];
const REQUEST_ID = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/;
const OK_REQUEST = Object.freeze({ dagId: '7', dagInstanceId: '47', dagVersion: '2' });
const FIXED = Object.freeze({ timestamp: '2024-05-06T07:08:09Z', nonce: '3f1c6a2e-workerd-parity' });

let build;
let emu;
let mf;
let node; // the package as Node's ESM consumer sees it
const measured = {};
const isolates = new Set();

before(async () => {
  build = await buildWithWrangler();
  emu = await startEmulator();
  node = await importPackage();

  const started = performance.now();
  mf = new Miniflare({
    compatibilityDate: COMPATIBILITY_DATE,
    modulesRoot: build.outDir,
    modules: bundleModules(build),
  });
  await mf.ready;
  measured.miniflareStartupMs = performance.now() - started;
});

after(async () => {
  await mf?.dispose();
  await emu?.close();
  if (build) {
    console.log(
      `worker layer summary: wrangler ${build.wranglerVersion} dry-run ${build.ms.toFixed(0)} ms, ` +
        `Total Upload ${build.totalUpload?.raw} / gzip ${build.totalUpload?.gzip} ` +
        `(worker.js ${build.scriptBytes} B, wasm ${build.wasmBytes.join('+')} B); ` +
        `Miniflare startup ${measured.miniflareStartupMs?.toFixed(0)} ms, first dispatch ${measured.firstDispatchMs?.toFixed(0)} ms, ` +
        `first rerun ${measured.firstRerunMs?.toFixed(0)} ms`,
    );
  }
});

/** POSTs JSON to a worker route; returns the worker's `{ok, result | error}`. */
async function call(route, body = {}) {
  const res = await mf.dispatchFetch(`http://worker.test${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  assert.equal(res.status, 200, `${route} answered ${res.status}`);
  const out = await res.json();
  isolates.add(out.isolate.id);
  return out;
}

const demo = (extra = {}) => ({ ...DEMO_KEY, endpoint: emu.url, ...extra });
const rerun = (config, request) => call('/rerun', { config, request });

/** Runs `fn` and returns what reached the emulator meanwhile. */
async function observe(fn) {
  const requestsBefore = emu.state.requests;
  const logBefore = emu.state.log.length;
  const out = await fn();
  return { out, requests: emu.state.requests - requestsBefore, log: emu.state.log.slice(logBefore) };
}

function assertOk(out) {
  assert.equal(out.ok, true, `expected success, got ${JSON.stringify(out.error)}`);
  return out.result;
}

function assertDmsError(out, expected) {
  assert.equal(out.ok, false, `expected an error, got ${JSON.stringify(out.result)}`);
  const { error } = out;
  assert.equal(error.isDmsError, true, `not a DmsError inside the worker: ${JSON.stringify(error)}`);
  assert.equal(error.isError, true);
  assert.equal(error.name, 'DmsError');
  for (const [key, value] of Object.entries(expected)) assert.equal(error[key], value, `error.${key}: ${JSON.stringify(error)}`);
  assert.ok(!error.message.includes(DEMO_KEY.accessKeySecret), 'the secret leaked into the message');
  return error;
}

// ---------- bundling ----------

test('wrangler bundles dms-rerun through the workerd condition, .wasm as a module, no Node entry', (t) => {
  t.diagnostic(`wrangler ${build.wranglerVersion}: ${build.stdout.trim().replace(/\n+/g, ' | ')}`);
  if (build.stderr.trim()) t.diagnostic(`wrangler stderr: ${build.stderr.trim()}`);

  // exactly one .wasm module next to the script, byte-identical to the packed one
  assert.equal(build.wasmFiles.length, 1, `outdir: ${build.files.join(', ')}`);
  assert.match(build.wasmFiles[0], /dms_rerun_bg\.wasm$/);
  const packedWasm = readFileSync(join(packageDir, 'dist', 'web', 'dms_rerun_bg.wasm'));
  assert.deepEqual(readFileSync(join(build.outDir, build.wasmFiles[0])), packedWasm);

  // the script imports that module (not inlined, not fetched)
  const bundle = readFileSync(build.scriptPath, 'utf8');
  assert.ok(bundle.includes(`from "./${build.wasmFiles[0]}"`), 'the bundle does not import the .wasm module');
  const output = build.metafile.outputs[Object.keys(build.metafile.outputs).find((k) => k.endsWith('/worker.js'))];
  assert.deepEqual(
    output.imports.map((i) => [i.path, i.external]),
    [[`./${build.wasmFiles[0]}`, true]],
  );

  // resolved by package name through the `workerd` export condition
  const inputs = Object.keys(build.metafile.inputs);
  t.diagnostic(`bundle inputs: ${inputs.join(', ')}`);
  // The workerd entry is one self-contained file (glue and API inside); it imports only the .wasm.
  const fromPackage = inputs.filter((p) => p.includes('node_modules/dms-rerun/'));
  assert.equal(fromPackage.length, 1, inputs.join('\n'));
  assert.ok(fromPackage[0].endsWith('node_modules/dms-rerun/dist/workerd/index.mjs'), inputs.join('\n'));
  assert.ok(!inputs.some((p) => p.includes('/dist/node/')), 'the Node entry was bundled');
  assert.ok(!inputs.some((p) => p.endsWith('/dist/web/index.mjs')), 'the inline entry (compiles wasm bytes at runtime, forbidden in Workers) was bundled');

  // nothing of the Node entry or Node built-ins in the text either
  for (const needle of ['readFileSync', '__dirname', "require('fs')", 'require("fs")', 'node:', 'api.cjs', 'index.cjs']) {
    assert.ok(!bundle.includes(needle), `bundle contains ${needle}`);
  }

  assert.ok(build.totalUpload, `no "Total Upload" line in wrangler's output:\n${build.stdout}`);
  t.diagnostic(
    `wrangler reports Total Upload ${build.totalUpload.raw} / gzip ${build.totalUpload.gzip}; ` +
      `worker.js ${build.scriptBytes} B, wasm ${build.wasmBytes.join('+')} B; dry-run took ${build.ms.toFixed(0)} ms`,
  );
});

// ---------- in workerd ----------

test('first call: the worker runs in workerd (no window) with the package initialised', async (t) => {
  const started = performance.now();
  const out = await call('/env');
  measured.firstDispatchMs = performance.now() - started;
  t.diagnostic(`Miniflare startup ${measured.miniflareStartupMs.toFixed(0)} ms; first dispatch ${measured.firstDispatchMs.toFixed(0)} ms`);
  const env = assertOk(out);
  assert.equal(env.typeofWindow, 'undefined');
  assert.equal(env.typeofWebSocketPair, 'function'); // a workerd global: this is not Node
  assert.equal(env.typeofProcess, 'undefined'); // no nodejs_compat
  assert.equal(env.dmsErrorIsClass, true);
  assert.deepEqual(env.exports, {
    DmsError: 'function',
    ErrorCode: 'object',
    ErrorKind: 'object',
    iterateTaskFlowInstances: 'function',
    listTaskFlowInstances: 'function',
    rerunTaskFlowInstance: 'function',
    signListTaskFlowInstances: 'function',
    signRerunTaskFlowInstance: 'function',
  });
  assert.deepEqual(Object.keys(env.errorKinds).sort(), ['Aborted', 'Api', 'InvalidInput', 'InvalidResponse', 'Network', 'Timeout']);
});

test('rerun succeeds against the emulator on 127.0.0.1', async (t) => {
  const rerunsBefore = emu.state.reruns.get('47') ?? 0;
  const started = performance.now();
  const { out, requests, log } = await observe(() => rerun(demo(), OK_REQUEST));
  measured.firstRerunMs = performance.now() - started;
  t.diagnostic(`first rerun round trip ${measured.firstRerunMs.toFixed(0)} ms`);
  const result = assertOk(out);
  assert.match(result.requestId, REQUEST_ID);
  assert.equal(result.success, true);
  assert.equal(requests, 1);
  assert.equal(log[0].requestId, result.requestId);
  assert.equal(log[0].method, 'POST');
  assert.equal(log[0].status, 200);
  assert.deepEqual([log[0].params.DagId, log[0].params.DagInstanceId, log[0].params.DagVersion], ['7', '47', '2']);
  assert.equal(emu.state.reruns.get('47'), rerunsBefore + 1);
});

test('unknown instance: Api InstanceNotExist, HTTP 200, instanceof DmsError inside the worker', async () => {
  const { out, requests, log } = await observe(() => rerun(demo(), { ...OK_REQUEST, dagInstanceId: '49' }));
  const error = assertDmsError(out, { kind: 'Api', code: 'InstanceNotExist', httpStatus: 200, retryable: false, attempts: 1 });
  assert.equal(requests, 1);
  assert.equal(error.requestId, log[0].requestId);
  assert.match(error.requestId, REQUEST_ID);
});

test('invalid input: InvalidInput before any request reaches the emulator', async () => {
  const cases = [
    [{ ...OK_REQUEST, dagId: '-1' }, 'InvalidParameter.DagId'],
    [{ ...OK_REQUEST, dagInstanceId: '9223372036854775808' }, 'InvalidParameter.DagInstanceId'], // 2^63
    [{ ...OK_REQUEST, dagId: 9007199254740993 }, 'InvalidParameter.DagId'], // JSON number above 2^53: already rounded
    [{ ...OK_REQUEST, dagVersion: '' }, 'InvalidParameter.DagVersion'],
  ];
  for (const [request, code] of cases) {
    const { out, requests } = await observe(() => rerun(demo(), request));
    assertDmsError(out, { kind: 'InvalidInput', code, retryable: false });
    assert.equal(requests, 0, `${code}: a request reached the emulator`);
  }
  const { out, requests } = await observe(() => rerun({ accessKeySecret: 'x', endpoint: emu.url }, OK_REQUEST));
  assertDmsError(out, { kind: 'InvalidInput', code: 'InvalidParameter.AccessKeyId' });
  assert.equal(requests, 0);
  // signing is synchronous and throws the same class
  assertDmsError(await call('/sign', { config: demo(), request: { ...OK_REQUEST, dagId: 'x' } }), {
    kind: 'InvalidInput',
    code: 'InvalidParameter.DagId',
  });
});

test("2^63−1 ids and DagVersion 'v-大数据-🚀' survive: decimal strings and BigInt literals", async () => {
  const rerunsBefore = emu.state.reruns.get(BIG_INSTANCE) ?? 0;
  const viaStrings = await observe(() =>
    rerun(demo(), { dagId: MAX_LONG, dagInstanceId: BIG_INSTANCE, dagVersion: BIG_FLOW.dagVersion }),
  );
  const viaBigInt = await observe(() => call('/rerun-bigint', { config: demo() }));
  for (const { out, requests, log } of [viaStrings, viaBigInt]) {
    assert.match(assertOk(out).requestId, REQUEST_ID);
    assert.equal(requests, 1);
    assert.equal(log[0].params.DagId, '9223372036854775807');
    assert.equal(log[0].params.DagInstanceId, '9223372036854775806');
    assert.equal(log[0].params.DagVersion, 'v-大数据-🚀');
    assert.equal(log[0].status, 200);
  }
  assert.equal(emu.state.reruns.get(BIG_INSTANCE), rerunsBefore + 2);
});

test('Throttling.User then success: the retry is re-signed with a fresh random nonce', async (t) => {
  emu.injectFaults([{ type: 'throttling-user' }]);
  const started = performance.now();
  const { out, requests, log } = await observe(() => rerun(demo(), OK_REQUEST));
  const result = assertOk(out);
  assert.equal(requests, 2);
  assert.deepEqual(log.map((e) => [e.fault, e.code]), [['throttling-user', 'Throttling.User'], [null, null]]);
  assert.equal(log[1].status, 200);
  assert.equal(log[1].requestId, result.requestId);
  assert.notEqual(log[0].nonce, log[1].nonce);
  t.diagnostic(
    `retry after throttling took ${(performance.now() - started).toFixed(0)} ms; ` +
      `timestamps ${log[0].timestamp} / ${log[1].timestamp}; nonces ${log[0].nonce} / ${log[1].nonce}`,
  );

  // Production Workers freeze Date.now() between I/O; local workerd need not
  // (it moved here), so the proof does not rely on it: many signatures with no
  // I/O between them, several within one and the same millisecond, all get
  // distinct nonces. The nonce comes from the random source, not the clock.
  const burst = assertOk(await call('/sign-burst', { config: demo(), request: OK_REQUEST, count: 300 }));
  assert.equal(burst.length, 300);
  assert.equal(new Set(burst.map((s) => s.nonce)).size, burst.length, 'a nonce repeated');
  const sameMs = new Map();
  for (const s of burst.filter((s) => s.before === s.after)) sameMs.set(s.before, (sameMs.get(s.before) ?? 0) + 1);
  const crowded = Math.max(0, ...sameMs.values());
  assert.ok(crowded >= 2, 'no two signatures fell in the same millisecond: cannot tell a clock nonce from a random one');
  const spread = burst.at(-1).after - burst[0].before;
  t.diagnostic(
    `300 signatures in ${spread} ms of Date.now() (${spread === 0 ? 'frozen' : 'not frozen'} in local workerd), ` +
      `up to ${crowded} in one millisecond, 300 distinct nonces`,
  );
});

test('timeout: a hung gateway is abandoned after timeoutMs 300', async (t) => {
  emu.injectFaults([{ type: 'hang' }]);
  const started = performance.now();
  const { out, requests } = await observe(() => rerun(demo({ timeoutMs: 300 }), OK_REQUEST));
  const elapsed = performance.now() - started;
  assertDmsError(out, { kind: 'Timeout', code: 'Timeout', attempts: 1 });
  assert.equal(requests, 1);
  assert.ok(elapsed >= 250 && elapsed < 5000, `took ${elapsed} ms`);
  t.diagnostic(`timed out after ${elapsed.toFixed(0)} ms`);
});

test('signRerunTaskFlowInstance with fixed overrides: identical in workerd and in Node', async () => {
  const cases = [
    { config: demo(), request: OK_REQUEST },
    { config: { ...STS_KEY, regionId: 'cn-hangzhou', method: 'GET' }, request: { ...OK_REQUEST, tid: '1' } },
    { config: demo(), request: { dagId: MAX_LONG, dagInstanceId: BIG_INSTANCE, dagVersion: BIG_FLOW.dagVersion, tid: MAX_LONG } },
  ];
  for (const { config, request } of cases) {
    const inWorker = assertOk(await call('/sign', { config, request, overrides: FIXED }));
    assert.deepEqual(inWorker, node.signRerunTaskFlowInstance(config, request, FIXED));
  }
  // BigInt literals inside the worker vs BigInts in Node
  const inWorker = assertOk(await call('/sign-bigint', { config: demo(), overrides: FIXED }));
  const inNode = node.signRerunTaskFlowInstance(
    demo(),
    { dagId: 9223372036854775807n, dagInstanceId: 9223372036854775806n, dagVersion: 'v-大数据-🚀' },
    FIXED,
  );
  assert.deepEqual(inWorker, inNode);
  assert.ok(inWorker.canonicalQuery.includes('DagId=9223372036854775807&DagInstanceId=9223372036854775806'));
});

test('one isolate keeps working through a mix of errors and successes', async () => {
  const before = await call('/env');
  const steps = [
    ['/rerun', { config: demo(), request: { ...OK_REQUEST, dagId: 'nope' } }, false],
    ['/rerun', { config: demo(), request: OK_REQUEST }, true],
    ['/rerun', { config: demo(), request: { ...OK_REQUEST, dagVersion: '3' } }, false], // DagVersionMismatch
    ['/rerun', { config: { ...demo(), accessKeySecret: 'wrong' }, request: OK_REQUEST }, false], // signature rejected
    ['/rerun', { config: demo({ timeoutMs: 300 }), request: OK_REQUEST, hang: true }, false],
    ['/rerun', { config: demo({ endpoint: 'http://127.0.0.1:1' }), request: OK_REQUEST }, false], // connection refused
    ['/rerun-bigint', { config: demo() }, true],
    ['/sign', { config: demo(), request: OK_REQUEST, overrides: FIXED }, true],
    ['/rerun', { config: demo(), request: OK_REQUEST }, true],
  ];
  const kinds = [];
  let handled = before.isolate.handled;
  for (const [route, body, ok] of steps) {
    if (body.hang) emu.injectFaults([{ type: 'hang' }]);
    const out = await call(route, body);
    assert.equal(out.ok, ok, `${route}: ${JSON.stringify(out)}`);
    if (!ok) {
      assert.equal(out.error.isDmsError, true, JSON.stringify(out.error));
      kinds.push(`${out.error.kind}:${out.error.code}`);
    }
    handled += 1;
    assert.equal(out.isolate.id, before.isolate.id, 'a new isolate answered');
    assert.equal(out.isolate.handled, handled);
  }
  assert.deepEqual(kinds, [
    'InvalidInput:InvalidParameter.DagId',
    'Api:DagVersionMismatch',
    'Api:SignatureDoesNotMatch',
    'Timeout:Timeout',
    'Network:NetworkError',
  ]);
  assert.equal(isolates.size, 1, `calls were spread over isolates: ${[...isolates].join(', ')}`);
});
