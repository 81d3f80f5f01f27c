/**
 * Bad inputs: every row must be refused with DmsError kind 'InvalidInput'
 * and the precise `InvalidParameter.<Field>` code, synchronously by
 * signRerunTaskFlowInstance and as a rejection by rerunTaskFlowInstance,
 * without a single request reaching the emulator; the same module instance
 * then still signs and reruns.
 *
 *   node --test tests/js/input-validation.test.mjs
 */
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { importPackage } from '../support/consumer.mjs';
import { startEmulator } from '../../emulator/server.mjs';
import { MAX_LONG, SMALL_FLOW, assertDmsError, assertNoSecrets, configFor, rejectionOf, thrownBy } from './support/harness.mjs';

const { rerunTaskFlowInstance, signRerunTaskFlowInstance, DmsError } = await importPackage();

let emu;
before(async () => {
  emu = await startEmulator();
});
after(async () => {
  await emu?.close();
});
beforeEach(() => {
  emu.state.reset();
});

/** Marks a property to delete from the base config or request. */
const OMIT = Symbol('omit');

function patched(base, patch) {
  const out = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (value === OMIT) delete out[key];
    else out[key] = value;
  }
  return out;
}

/** A row whose config is the valid one (aimed at the emulator) with `patch` applied. */
const cfg = (label, code, patch) => ({ label, code, args: (url) => [patched(configFor(url), patch), { ...SMALL_FLOW }] });
/** A row whose request is the valid one with `patch` applied. */
const req = (label, code, patch) => ({ label, code, args: (url) => [configFor(url), patched(SMALL_FLOW, patch)] });
/** A row with a whole config or request replaced. */
const wholeConfig = (label, value) => ({ label, code: 'InvalidParameter.Config', args: () => [value, { ...SMALL_FLOW }] });
const wholeRequest = (label, value) => ({ label, code: 'InvalidParameter.Request', args: (url) => [configFor(url), value] });

const AKID = 'InvalidParameter.AccessKeyId';
const SECRET = 'InvalidParameter.AccessKeySecret';
const TOKEN = 'InvalidParameter.SecurityToken';
const REGION = 'InvalidParameter.RegionId';
const ENDPOINT = 'InvalidParameter.Endpoint';
const METHOD = 'InvalidParameter.Method';
const TID = 'InvalidParameter.Tid';
const DAG_ID = 'InvalidParameter.DagId';
const INSTANCE = 'InvalidParameter.DagInstanceId';
const VERSION = 'InvalidParameter.DagVersion';

/** Inputs both functions read (credentials, target, request). */
const SIGNING_ROWS = [
  wholeConfig('config null', null),
  wholeConfig("config 'str'", 'str'),
  wholeConfig('config undefined', undefined),
  wholeConfig('config array', []),
  wholeConfig('config number', 42),
  wholeConfig('config boolean', true),
  wholeRequest('request null', null),
  wholeRequest("request 'str'", 'str'),
  wholeRequest('request undefined', undefined),
  wholeRequest('request array', [7, 47, '2']),
  wholeRequest('request bigint', 7n),

  cfg('accessKeyId missing', AKID, { accessKeyId: OMIT }),
  cfg('accessKeyId empty', AKID, { accessKeyId: '' }),
  cfg('accessKeyId number', AKID, { accessKeyId: 123 }),
  cfg('accessKeyId object', AKID, { accessKeyId: {} }),
  cfg('accessKeyId lone surrogate', AKID, { accessKeyId: '\uD800' }),
  cfg('accessKeyId lone low surrogate inside', AKID, { accessKeyId: 'LTAI\uDC00x' }),
  cfg('accessKeySecret missing', SECRET, { accessKeySecret: OMIT }),
  cfg('accessKeySecret empty', SECRET, { accessKeySecret: '' }),
  cfg('accessKeySecret boolean', SECRET, { accessKeySecret: true }),
  cfg('securityToken empty', TOKEN, { securityToken: '' }),
  cfg('securityToken number', TOKEN, { securityToken: 5 }),
  cfg('securityToken lone surrogate', TOKEN, { securityToken: 'tok\uD83D' }),

  cfg("regionId 'evil.com/x'", REGION, { regionId: 'evil.com/x' }),
  cfg("regionId 'CN'", REGION, { regionId: 'CN' }),
  cfg("regionId 'evil.com/x' without endpoint", REGION, { regionId: 'evil.com/x', endpoint: OMIT }),
  cfg('regionId empty', REGION, { regionId: '' }),
  cfg('regionId array', REGION, { regionId: ['cn-hangzhou'] }),

  cfg("endpoint 'ftp://x'", ENDPOINT, { endpoint: 'ftp://x' }),
  cfg("endpoint 'http://a/b'", ENDPOINT, { endpoint: 'http://a/b' }),
  cfg("endpoint 'http://u:p@h'", ENDPOINT, { endpoint: 'http://u:p@h' }),
  cfg("endpoint 'http://a?x'", ENDPOINT, { endpoint: 'http://a?x' }),
  cfg("endpoint 'http://a:0'", ENDPOINT, { endpoint: 'http://a:0' }),
  cfg("endpoint 'javascript:alert(1)'", ENDPOINT, { endpoint: 'javascript:alert(1)' }),
  cfg('endpoint empty', ENDPOINT, { endpoint: '' }),
  cfg('endpoint number', ENDPOINT, { endpoint: 42 }),
  cfg('endpoint URL object', ENDPOINT, { endpoint: new URL('http://127.0.0.1:1') }),

  cfg("method 'PUT'", METHOD, { method: 'PUT' }),
  cfg("method 'post'", METHOD, { method: 'post' }),
  cfg("method 'get'", METHOD, { method: 'get' }),
  cfg('method empty', METHOD, { method: '' }),
  cfg('method number', METHOD, { method: 1 }),

  req('tid empty', TID, { tid: '' }),
  req('tid negative', TID, { tid: -1 }),
  req("tid 'abc'", TID, { tid: 'abc' }),
  req('tid boolean', TID, { tid: false }),

  req('dagId missing', DAG_ID, { dagId: OMIT }),
  req('dagId null', DAG_ID, { dagId: null }),
  req('dagId empty', DAG_ID, { dagId: '' }),
  req('dagId NaN', DAG_ID, { dagId: NaN }),
  req('dagId Infinity', DAG_ID, { dagId: Infinity }),
  req('dagId -Infinity', DAG_ID, { dagId: -Infinity }),
  req('dagId 2**53 (unsafe)', DAG_ID, { dagId: 2 ** 53 }),
  req('dagId Number(2^63-1) (already rounded)', DAG_ID, { dagId: Number(MAX_LONG) }),
  req('dagId -1', DAG_ID, { dagId: -1 }),
  req('dagId -1n', DAG_ID, { dagId: -1n }),
  req('dagId 1.5', DAG_ID, { dagId: 1.5 }),
  req("dagId '9223372036854775808' (overflow)", DAG_ID, { dagId: '9223372036854775808' }),
  req('dagId 2n**63n (overflow)', DAG_ID, { dagId: 2n ** 63n }),
  req("dagId '07'", DAG_ID, { dagId: '07' }),
  req("dagId '+7'", DAG_ID, { dagId: '+7' }),
  req("dagId '-7'", DAG_ID, { dagId: '-7' }),
  req("dagId '0x1f'", DAG_ID, { dagId: '0x1f' }),
  req("dagId '1e3'", DAG_ID, { dagId: '1e3' }),
  req("dagId ' 7'", DAG_ID, { dagId: ' 7' }),
  req("dagId '7 '", DAG_ID, { dagId: '7 ' }),
  req("dagId '7.0'", DAG_ID, { dagId: '7.0' }),
  req('dagId full-width digit', DAG_ID, { dagId: '\uFF17' }),
  req('dagId object', DAG_ID, { dagId: {} }),
  req('dagId array', DAG_ID, { dagId: [7] }),
  req('dagId boolean', DAG_ID, { dagId: true }),
  req('dagId symbol', DAG_ID, { dagId: Symbol('7') }),
  req('dagId function', DAG_ID, { dagId: () => 7 }),

  req('dagInstanceId missing', INSTANCE, { dagInstanceId: OMIT }),
  req("dagInstanceId 'abc'", INSTANCE, { dagInstanceId: 'abc' }),
  req('dagInstanceId 2n**64n', INSTANCE, { dagInstanceId: 2n ** 64n }),
  req('dagInstanceId 47.5', INSTANCE, { dagInstanceId: 47.5 }),

  req('dagVersion missing', VERSION, { dagVersion: OMIT }),
  req('dagVersion null', VERSION, { dagVersion: null }),
  req('dagVersion empty', VERSION, { dagVersion: '' }),
  req('dagVersion number', VERSION, { dagVersion: 2 }),
  req('dagVersion lone surrogate', VERSION, { dagVersion: '\uD800' }),
  req('dagVersion lone low surrogate inside', VERSION, { dagVersion: 'v-\uDFFF-x' }),
  req('dagVersion reversed pair', VERSION, { dagVersion: '\uDE80\uD83D' }),
];

/** Transport options: only rerunTaskFlowInstance uses them. */
const TRANSPORT_ROWS = [
  cfg('timeoutMs -1', 'InvalidParameter.TimeoutMs', { timeoutMs: -1 }),
  cfg('timeoutMs 1.5', 'InvalidParameter.TimeoutMs', { timeoutMs: 1.5 }),
  cfg("timeoutMs '100'", 'InvalidParameter.TimeoutMs', { timeoutMs: '100' }),
  cfg('timeoutMs NaN', 'InvalidParameter.TimeoutMs', { timeoutMs: NaN }),
  cfg('timeoutMs Infinity', 'InvalidParameter.TimeoutMs', { timeoutMs: Infinity }),
  cfg('timeoutMs 2**31', 'InvalidParameter.TimeoutMs', { timeoutMs: 2 ** 31 }),
  cfg('maxRetries 11', 'InvalidParameter.MaxRetries', { maxRetries: 11 }),
  cfg('maxRetries -1', 'InvalidParameter.MaxRetries', { maxRetries: -1 }),
  cfg('maxRetries 1.5', 'InvalidParameter.MaxRetries', { maxRetries: 1.5 }),
  cfg("maxRetries '2'", 'InvalidParameter.MaxRetries', { maxRetries: '2' }),
  cfg('signal {}', 'InvalidParameter.Signal', { signal: {} }),
  cfg("signal 'x'", 'InvalidParameter.Signal', { signal: 'x' }),
  cfg('signal {aborted: false} without addEventListener', 'InvalidParameter.Signal', { signal: { aborted: false } }),
  cfg("fetch 'x'", 'InvalidParameter.Fetch', { fetch: 'x' }),
  cfg('fetch {}', 'InvalidParameter.Fetch', { fetch: {} }),
];

/** `InvalidParameter.DagId` → `dagId`: the message starts with the field's name. */
const fieldOf = (code) => {
  const field = code.slice('InvalidParameter.'.length);
  return field[0].toLowerCase() + field.slice(1);
};

function assertInvalid(err, code) {
  assertDmsError(err, DmsError, { kind: 'InvalidInput', code, retryable: false });
  assert.equal(err.recommend, undefined);
  assert.ok(err.message.startsWith(`${fieldOf(code)} `), `message ${JSON.stringify(err.message)} should name ${fieldOf(code)}`);
  assertNoSecrets(err);
}

/** rerunTaskFlowInstance never throws synchronously: it returns a promise that rejects. */
async function rerunRejection(config, request) {
  let promise;
  assert.doesNotThrow(() => {
    promise = rerunTaskFlowInstance(config, request);
  });
  return rejectionOf(promise);
}

/** The same module instance still signs and reruns, with exactly one request. */
async function assertStillWorks() {
  const before = emu.state.requests;
  const signed = signRerunTaskFlowInstance(configFor(emu), SMALL_FLOW);
  assert.ok(signed.url.startsWith(`${emu.url}/?`));
  const result = await rerunTaskFlowInstance(configFor(emu), SMALL_FLOW);
  assert.equal(emu.state.requests, before + 1);
  assert.deepEqual(result, { requestId: emu.state.log.at(-1).requestId, success: true });
}

test('the table is large enough', () => {
  assert.ok(SIGNING_ROWS.length + TRANSPORT_ROWS.length >= 40);
  const labels = [...SIGNING_ROWS, ...TRANSPORT_ROWS].map((r) => r.label);
  assert.equal(new Set(labels).size, labels.length, 'duplicate labels');
});

for (const row of SIGNING_ROWS) {
  test(`${row.label} → ${row.code} (sign throws, rerun rejects, nothing sent)`, async () => {
    const [config, request] = row.args(emu.url);
    assertInvalid(thrownBy(() => signRerunTaskFlowInstance(config, request)), row.code);
    assertInvalid(await rerunRejection(config, request), row.code);
    assert.equal(emu.state.requests, 0, 'a request reached the emulator');
    await assertStillWorks();
  });
}

for (const row of TRANSPORT_ROWS) {
  test(`${row.label} → ${row.code} (rerun rejects, nothing sent)`, async () => {
    const [config, request] = row.args(emu.url);
    assertInvalid(await rerunRejection(config, request), row.code);
    assert.equal(emu.state.requests, 0, 'a request reached the emulator');
    await assertStillWorks();
  });
}

// The brief asks for BOTH functions on every row: a config the caller will
// later hand to rerunTaskFlowInstance should be refused by the signer too.
test('signRerunTaskFlowInstance refuses the same bad transport options (throws synchronously)', () => {
  const accepted = [];
  for (const row of TRANSPORT_ROWS) {
    const [config, request] = row.args(emu.url);
    let err;
    try {
      signRerunTaskFlowInstance(config, request);
      accepted.push(row.label);
      continue;
    } catch (error) {
      err = error;
    }
    assertInvalid(err, row.code);
  }
  assert.deepEqual(accepted, [], `the signer accepted: ${accepted.join(', ')}`);
  assert.equal(emu.state.requests, 0);
});

test('signer-only overrides are validated too', () => {
  const rows = [
    ["overrides 'str'", 'InvalidParameter.Overrides', 'str'],
    ['overrides array', 'InvalidParameter.Overrides', []],
    ['overrides number', 'InvalidParameter.Overrides', 5],
    ['timestamp with a space', 'InvalidParameter.Timestamp', { timestamp: '2024-01-02 03:04:05Z' }],
    ['timestamp with milliseconds', 'InvalidParameter.Timestamp', { timestamp: '2024-01-02T03:04:05.000Z' }],
    ['timestamp month 13', 'InvalidParameter.Timestamp', { timestamp: '2024-13-02T03:04:05Z' }],
    ['timestamp number', 'InvalidParameter.Timestamp', { timestamp: 1700000000000 }],
    ['nonce empty', 'InvalidParameter.Nonce', { nonce: '' }],
    ['nonce number', 'InvalidParameter.Nonce', { nonce: 1 }],
    ['nonce lone surrogate', 'InvalidParameter.Nonce', { nonce: 'n\uD800' }],
  ];
  for (const [label, code, overrides] of rows) {
    const err = thrownBy(() => signRerunTaskFlowInstance(configFor(emu), SMALL_FLOW, overrides));
    assert.doesNotThrow(() => assertInvalid(err, code), label);
  }
  assert.equal(emu.state.requests, 0);
});

test('edge values just inside the rules are accepted', async () => {
  const goodIds = [0, 2 ** 53 - 1, '0', MAX_LONG, 2n ** 63n - 1n, 0n];
  for (const dagId of goodIds) {
    assert.doesNotThrow(() => signRerunTaskFlowInstance(configFor(emu), { ...SMALL_FLOW, dagId }), String(dagId));
  }
  const signed = signRerunTaskFlowInstance(configFor(emu), { ...SMALL_FLOW, dagVersion: '\uFFFD' });
  assert.ok(signed.canonicalQuery.includes('DagVersion=%EF%BF%BD'), signed.canonicalQuery);
  for (const endpoint of ['HTTP://127.0.0.1:1/', 'https://[::1]:9000', 'http://localhost']) {
    assert.doesNotThrow(() => signRerunTaskFlowInstance(configFor(endpoint), SMALL_FLOW), endpoint);
  }
  // Accepted transport extremes really send.
  const result = await rerunTaskFlowInstance(configFor(emu, { timeoutMs: 0, maxRetries: 10, method: 'GET' }), SMALL_FLOW);
  assert.equal(result.success, true);
  assert.equal(emu.state.requests, 1);
});

test('after the whole table, the same instance still works', async () => {
  await assertStillWorks();
  assert.equal(emu.state.requests, 1);
});
