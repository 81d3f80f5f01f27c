/**
 * Secrets never leave the library: for every error kind, with a permanent
 * key and with realistic STS credentials, the secret, the security token,
 * every signature the emulator received and every signed URL appear in no
 * message, property (own, non-enumerable, symbol, cause), String(err),
 * JSON.stringify(err), stack or util.inspect(err), and the library writes
 * nothing at all to the console meanwhile.
 *
 *   node --test tests/js/secrets.test.mjs
 */
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { importPackage } from '../support/consumer.mjs';
import { startEmulator } from '../../emulator/server.mjs';
import { closedPort } from './support/wire.mjs';
import { percentEncode } from '../../emulator/signature.mjs';
import { DEMO_KEY, SMALL_FLOW, formatTally } from './reliability/common.mjs';
import { assertNoNeedles, captureOutput, errorTexts, needlesFor } from './reliability/leaks.mjs';

const { rerunTaskFlowInstance, signRerunTaskFlowInstance, listTaskFlowInstances, signListTaskFlowInstances, DmsError } = await importPackage();

/** Fresh, realistic STS credentials: a long base64 token with + / and = padding. */
const base62 = (n) => randomBytes(n * 2).toString('base64').replace(/[^A-Za-z0-9]/g, '').slice(0, n);
const STS = {
  accessKeyId: 'STS.' + base62(28),
  accessKeySecret: base62(44),
  securityToken: 'CAIS' + randomBytes(420).toString('base64').replace(/=+$/, '') + '+/x/y+z==',
};
/** A wrong secret and a wrong token are just as secret as the right ones. */
const WRONG_SECRET = 'wrong-' + base62(30);
const WRONG_TOKEN = 'CAIS' + base62(200) + '+/=';
const SECRETS = [DEMO_KEY.accessKeySecret, STS.accessKeySecret, WRONG_SECRET];
const TOKENS = [STS.securityToken, WRONG_TOKEN];

let emu;
const kinds = new Map();

before(async () => {
  emu = await startEmulator({ credentials: [STS] });
});
after(async () => {
  await emu?.close();
  console.log(formatTally('secrets: error cases per kind', kinds));
});
beforeEach(() => {
  emu.state.reset();
});

const demo = (extra = {}) => ({ ...DEMO_KEY, endpoint: emu.url, ...extra });
const sts = (extra = {}) => ({ ...STS, endpoint: emu.url, ...extra });

/**
 * One way to fail: `faults` to queue, then `call()` (given the emulator
 * url) must throw or reject with a DmsError of `kind`.
 */
const CASES = [
  // InvalidInput: nothing is sent, but the bad value may itself be secret.
  { kind: 'InvalidInput', id: 'bad dagId, permanent key', call: () => rerunTaskFlowInstance(demo(), { ...SMALL_FLOW, dagId: '-1' }) },
  { kind: 'InvalidInput', id: 'bad dagId, STS', call: () => rerunTaskFlowInstance(sts(), { ...SMALL_FLOW, dagId: 2 ** 60 }) },
  { kind: 'InvalidInput', id: 'secret with a lone surrogate (the secret itself is the bad value)', call: () => rerunTaskFlowInstance(sts({ accessKeySecret: STS.accessKeySecret + '\ud800' }), SMALL_FLOW) },
  { kind: 'InvalidInput', id: 'token with a lone surrogate', call: () => rerunTaskFlowInstance(sts({ securityToken: STS.securityToken + '\udc00' }), SMALL_FLOW) },
  { kind: 'InvalidInput', id: 'endpoint with the key and secret as URL userinfo', call: () => rerunTaskFlowInstance(sts({ endpoint: `http://${STS.accessKeyId}:${STS.accessKeySecret}@127.0.0.1:9` }), SMALL_FLOW) },
  { kind: 'InvalidInput', id: 'the token passed as regionId by mistake', call: () => rerunTaskFlowInstance(sts({ regionId: STS.securityToken, endpoint: undefined }), SMALL_FLOW) },
  { kind: 'InvalidInput', id: 'signer: bad timestamp override, STS', call: async () => signRerunTaskFlowInstance(sts(), SMALL_FLOW, { timestamp: 'yesterday' }) },
  { kind: 'InvalidInput', id: 'bad timeoutMs, STS', call: () => rerunTaskFlowInstance(sts({ timeoutMs: -1 }), SMALL_FLOW) },
  // Network
  { kind: 'Network', id: 'refused connection, STS', call: async () => rerunTaskFlowInstance(sts({ endpoint: `http://127.0.0.1:${await closedPort()}` }), SMALL_FLOW) },
  { kind: 'Network', id: 'connection destroyed, permanent key', faults: [{ type: 'destroy' }], call: () => rerunTaskFlowInstance(demo(), SMALL_FLOW) },
  { kind: 'Network', id: 'truncated body, STS', faults: [{ type: 'truncate' }], call: () => rerunTaskFlowInstance(sts(), SMALL_FLOW) },
  // Timeout
  { kind: 'Timeout', id: 'hang, STS', faults: [{ type: 'hang' }], call: () => rerunTaskFlowInstance(sts({ timeoutMs: 200 }), SMALL_FLOW) },
  { kind: 'Timeout', id: 'hang, permanent key', faults: [{ type: 'hang' }], call: () => rerunTaskFlowInstance(demo({ timeoutMs: 200 }), SMALL_FLOW) },
  // Aborted
  { kind: 'Aborted', id: 'aborted before, STS', call: () => rerunTaskFlowInstance(sts({ signal: AbortSignal.abort() }), SMALL_FLOW) },
  { kind: 'Aborted', id: 'aborted while hanging, STS', faults: [{ type: 'hang' }], call: () => rerunTaskFlowInstance(sts({ signal: AbortSignal.timeout(200) }), SMALL_FLOW) },
  // Api
  // The gateway's string to sign is kept on purpose (README: debugging a mismatch).
  { kind: 'Api', id: 'SignatureDoesNotMatch (the gateway quotes its string to sign), permanent key', call: () => rerunTaskFlowInstance(demo({ accessKeySecret: WRONG_SECRET }), SMALL_FLOW), check: (err) => assert.match(err.message, /string to sign is:POST&%2F&/) },
  { kind: 'Api', id: 'STS with a wrong token → InvalidSecurityToken.Mismatch', call: () => rerunTaskFlowInstance(sts({ securityToken: WRONG_TOKEN }), SMALL_FLOW), check: (err) => assert.equal(err.code, 'InvalidSecurityToken.Mismatch') },
  { kind: 'Api', id: 'throttled three times, STS (three signatures)', faults: [{ type: 'throttling-user' }, { type: 'throttling-user' }, { type: 'throttling-user' }], call: () => rerunTaskFlowInstance(sts(), SMALL_FLOW) },
  { kind: 'Api', id: 'InstanceNotExist, STS', call: () => rerunTaskFlowInstance(sts(), { ...SMALL_FLOW, dagInstanceId: 49 }) },
  // InvalidResponse
  { kind: 'InvalidResponse', id: 'not JSON, STS', faults: [{ type: 'raw', status: 200, body: 'OK', contentType: 'text/plain' }], call: () => rerunTaskFlowInstance(sts(), SMALL_FLOW) },
  { kind: 'InvalidResponse', id: 'too large, STS', faults: [{ type: 'large', bytes: 3 * 1024 * 1024, chunked: true }], call: () => rerunTaskFlowInstance(sts(), SMALL_FLOW) },
  { kind: 'InvalidResponse', id: 'MissingSuccess, STS', faults: [{ type: 'raw', status: 200, body: '{"RequestId":"x"}' }], call: () => rerunTaskFlowInstance(sts(), SMALL_FLOW) },
  { kind: 'InvalidResponse', id: '503 HTML page retried twice, STS', faults: [0, 1, 2].map(() => ({ type: 'status', status: 503, body: '<h1>busy</h1>', contentType: 'text/html' })), call: () => rerunTaskFlowInstance(sts(), SMALL_FLOW) },
  // The list operation: its own errors, and the network retries only a read makes.
  { kind: 'InvalidInput', id: 'list: bad status, STS', call: () => listTaskFlowInstances(sts(), { dagId: 7, status: 'broken' }) },
  { kind: 'InvalidInput', id: 'list signer: the secret passed as a date by mistake', call: async () => signListTaskFlowInstances(sts(), { dagId: 7, startTimeBegin: STS.accessKeySecret }) },
  { kind: 'Network', id: 'list: refused connection, retried twice, STS', call: async () => listTaskFlowInstances(sts({ endpoint: `http://127.0.0.1:${await closedPort()}` }), { dagId: 7 }) },
  { kind: 'Network', id: 'list: connection destroyed three times, STS (three signatures)', faults: [0, 1, 2].map(() => ({ type: 'destroy' })), call: () => listTaskFlowInstances(sts(), { dagId: 7 }) },
  { kind: 'Timeout', id: 'list: hang, STS', faults: [{ type: 'hang' }], call: () => listTaskFlowInstances(sts({ timeoutMs: 200 }), { dagId: 7 }) },
  { kind: 'Api', id: 'list: DagNotExist, STS', call: () => listTaskFlowInstances(sts(), { dagId: 8 }) },
  { kind: 'InvalidResponse', id: 'list: a malformed list (BadList), STS', faults: [{ type: 'raw', status: 200, body: '{"RequestId":"x","Success":true,"TotalCount":1,"DAGInstanceList":{"DAGInstance":[{"Id":-1}]}}' }], call: () => listTaskFlowInstances(sts(), { dagId: 7 }) },
];

/** Runs `call` with the console captured; returns the error and what was written. */
async function provoke(c) {
  emu.injectFaults(c.faults ?? []);
  const { value: err, output } = await captureOutput(async () => {
    try {
      const result = await c.call();
      return { resolved: result };
    } catch (error) {
      return error;
    }
  });
  assert.ok(err instanceof DmsError, `expected a DmsError, got ${err?.resolved ? 'a result' : err}`);
  assert.equal(err.kind, c.kind, `${err.code}: ${err.message}`);
  return { err, output };
}

for (const c of CASES) {
  test(`${c.kind}: ${c.id} — no secret, token, signature or signed URL anywhere`, async () => {
    const { err, output } = await provoke(c);
    kinds.set(c.kind, (kinds.get(c.kind) ?? 0) + 1);
    const log = emu.state.log;
    if (c.kind === 'Api' || c.kind === 'InvalidResponse') assert.ok(log.length > 0, 'nothing reached the emulator');
    c.check?.(err);
    assertNoNeedles(errorTexts(err), needlesFor({ secrets: SECRETS, tokens: TOKENS, log, origin: emu.url }));
    assert.equal(output, '', 'the library wrote to the console');
    if (c.kind === 'InvalidInput') assert.equal(emu.state.requests, 0);
  });
}

test('STS + SignatureDoesNotMatch: the gateway quotes its string to sign, but not the token in it', async () => {
  // The quoted string to sign holds SecurityToken double percent-encoded.
  const { err, output } = await provoke({ kind: 'Api', call: () => rerunTaskFlowInstance(sts({ accessKeySecret: WRONG_SECRET }), SMALL_FLOW) });
  assert.equal(err.code, 'SignatureDoesNotMatch');
  assert.match(err.message, /string to sign is:POST&%2F&.*AccessKeyId%3DSTS\./, 'the debugging aid is kept');
  assert.equal(output, '');
  assertNoNeedles(errorTexts(err), needlesFor({ secrets: SECRETS, tokens: TOKENS, log: emu.state.log, origin: emu.url }));
});

test('success with STS: the result holds only requestId and success, and nothing is logged', async () => {
  const { value: result, output } = await captureOutput(() => rerunTaskFlowInstance(sts(), SMALL_FLOW));
  assert.deepEqual(result, { requestId: emu.state.log[0].requestId, success: true });
  assertNoNeedles({ result: JSON.stringify(result) }, needlesFor({ secrets: SECRETS, tokens: TOKENS, log: emu.state.log, origin: emu.url }));
  assert.equal(output, '');
});

test('a list page with STS: the result holds no secret, token or signature, and nothing is logged', async () => {
  const { value: page, output } = await captureOutput(() => listTaskFlowInstances(sts(), { dagId: 7, status: 'failed' }));
  assert.equal(page.requestId, emu.state.log[0].requestId);
  assert.ok(page.instances.length > 0);
  assertNoNeedles({ result: JSON.stringify(page) }, needlesFor({ secrets: SECRETS, tokens: TOKENS, log: emu.state.log, origin: emu.url }));
  assert.equal(output, '');
});

test('the detectors themselves catch a planted leak (hidden property, cause, console, warning)', async () => {
  const planted = new DmsError({ kind: 'Api', code: 'X', message: 'clean', retryable: false });
  Object.defineProperty(planted, 'hidden', { value: { deep: STS.accessKeySecret.slice(3, 20) }, enumerable: false });
  assert.throws(() => assertNoNeedles(errorTexts(planted), needlesFor({ secrets: SECRETS })), /secret found in own properties/);
  const caused = new DmsError({ kind: 'Api', code: 'X', message: 'clean', retryable: false });
  caused.cause = new Error(percentEncode(STS.securityToken));
  assert.throws(() => assertNoNeedles({ cause: errorTexts(caused).cause }, needlesFor({ tokens: TOKENS })), /token \(percent-encoded\) found in cause/);
  const { output } = await captureOutput(() => {
    console.debug('marker-console');
    process.stderr.write('marker-stderr\n');
    process.emitWarning('marker-warning');
  }, { passThrough: false });
  for (const marker of ['marker-console', 'marker-stderr', 'marker-warning']) assert.ok(output.includes(marker), marker);
});

test('every error kind was provoked, with both kinds of credentials', () => {
  for (const kind of ['InvalidInput', 'Network', 'Timeout', 'Aborted', 'Api', 'InvalidResponse']) {
    assert.ok((kinds.get(kind) ?? 0) >= 2, `${kind}: ${kinds.get(kind) ?? 0} cases`);
  }
});
