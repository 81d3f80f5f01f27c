/**
 * The CommonJS path: `require('dms-rerun')` in the consumer project gives the
 * same functions and the same DmsError class as `import`, and works end to
 * end against the emulator.
 *
 *   node --test tests/js/node-cjs.test.mjs
 */
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { join, sep } from 'node:path';
import { consumerDir, importPackage, packageDir, requirePackage } from '../support/consumer.mjs';
import { startEmulator } from '../../emulator/server.mjs';
import {
  BIG_FLOW,
  SMALL_FLOW,
  WRONG_SECRET,
  assertDmsError,
  assertNoSecrets,
  configFor,
  rejectionOf,
  signaturesSeen,
  thrownBy,
} from './support/harness.mjs';

const cjs = requirePackage();
const esm = await importPackage();
const { DmsError } = cjs;

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

test('require resolves to the CommonJS node build inside the installed package', () => {
  const consumerRequire = createRequire(join(consumerDir, 'cjs.cjs'));
  const resolved = consumerRequire.resolve('dms-rerun');
  assert.equal(resolved, join(packageDir, 'dist', 'node', 'index.cjs'));
  assert.ok(resolved.includes(`${sep}node_modules${sep}dms-rerun${sep}`));
  assert.ok(Object.hasOwn(consumerRequire.cache, resolved), 'loaded through require');
});

const FUNCTIONS = [
  'iterateTaskFlowInstances',
  'listTaskFlowInstances',
  'rerunTaskFlowInstance',
  'signListTaskFlowInstances',
  'signRerunTaskFlowInstance',
];

test('require and import expose the same functions, constants and DmsError class', () => {
  assert.deepEqual(Object.keys(cjs).sort(), ['DmsError', 'ErrorCode', 'ErrorKind', ...FUNCTIONS].sort());
  assert.deepEqual(Object.keys(esm).sort(), Object.keys(cjs).sort());
  for (const name of FUNCTIONS) {
    assert.equal(typeof cjs[name], 'function', name);
    assert.equal(cjs[name], esm[name], `${name}: one instance behind both views`);
  }
  assert.equal(typeof cjs.DmsError, 'function');
  assert.equal(cjs.DmsError, esm.DmsError);
  // The constants are one frozen object each, shared by both views.
  for (const name of ['ErrorKind', 'ErrorCode']) {
    assert.equal(cjs[name], esm[name], name);
    assert.ok(Object.isFrozen(cjs[name]), `${name} is frozen`);
  }
  assert.deepEqual(Object.values(cjs.ErrorKind).sort(), ['Aborted', 'Api', 'InvalidInput', 'InvalidResponse', 'Network', 'Timeout']);
  for (const [key, value] of Object.entries(cjs.ErrorKind)) assert.equal(key, value);
  assert.equal(requirePackage(), cjs, 'require is cached: one instance');
  assert.ok(Object.getPrototypeOf(cjs.DmsError.prototype) === Error.prototype);
});

test('require path: the signer gives the same deterministic result as the import path', () => {
  const overrides = { timestamp: '2024-01-02T03:04:05Z', nonce: 'fixed-nonce' };
  const fromRequire = cjs.signRerunTaskFlowInstance(configFor(emu), SMALL_FLOW, overrides);
  const fromImport = esm.signRerunTaskFlowInstance(configFor(emu), SMALL_FLOW, overrides);
  assert.deepEqual(fromRequire, fromImport);
  assert.equal(fromRequire.method, 'POST');
  assert.ok(fromRequire.url.startsWith(`${emu.url}/?`));
  assert.equal(emu.state.requests, 0);
});

for (const method of ['POST', 'GET']) {
  test(`require path: ${method} rerun succeeds against the emulator`, async () => {
    const result = await cjs.rerunTaskFlowInstance(configFor(emu, { method }), SMALL_FLOW);
    assert.equal(emu.state.requests, 1);
    const [entry] = emu.state.log;
    assert.equal(entry.method, method);
    assert.deepEqual(result, { requestId: entry.requestId, success: true });
    assert.deepEqual(Object.keys(result), ['requestId', 'success']);
  });
}

test('require path: the 2^63−1 task flow with a non-ASCII dagVersion', async () => {
  const request = { tid: 2n ** 63n - 1n, dagId: 2n ** 63n - 1n, dagInstanceId: BIG_FLOW.instances[0], dagVersion: BIG_FLOW.dagVersion };
  const result = await cjs.rerunTaskFlowInstance(configFor(emu), request);
  const [entry] = emu.state.log;
  assert.deepEqual(result, { requestId: entry.requestId, success: true });
  assert.equal(entry.params.DagId, '9223372036854775807');
  assert.equal(entry.params.DagInstanceId, '9223372036854775806');
  assert.equal(entry.params.DagVersion, 'v-大数据-🚀');
});

test('require path: an API error is a DmsError of both module views', async () => {
  const err = await rejectionOf(cjs.rerunTaskFlowInstance(configFor(emu), { ...SMALL_FLOW, dagInstanceId: 49 }));
  assertDmsError(err, DmsError, {
    kind: 'Api',
    code: 'InstanceNotExist',
    httpStatus: 200,
    requestId: emu.state.log[0].requestId,
    attempts: 1,
  });
  assert.ok(err instanceof esm.DmsError);
  assert.equal(emu.state.requests, 1);
  assertNoSecrets(err, { signatures: signaturesSeen(emu.state) });
  // still usable afterwards
  const ok = await cjs.rerunTaskFlowInstance(configFor(emu), SMALL_FLOW);
  assert.equal(ok.success, true);
});

test('require path: a gateway error keeps status and recommend, and leaks nothing', async () => {
  const err = await rejectionOf(cjs.rerunTaskFlowInstance(configFor(emu, { accessKeySecret: WRONG_SECRET }), SMALL_FLOW));
  const requestId = emu.state.log[0].requestId;
  assertDmsError(err, esm.DmsError, {
    kind: 'Api',
    code: 'SignatureDoesNotMatch',
    httpStatus: 400,
    requestId,
    attempts: 1,
    recommend: `https://api.aliyun.com/troubleshoot?q=SignatureDoesNotMatch&product=dms-enterprise&requestId=${requestId}`,
  });
  assertNoSecrets(err, { signatures: signaturesSeen(emu.state) });
});

test('require path: bad input throws / rejects with the shared DmsError and sends nothing', async () => {
  const bad = { ...SMALL_FLOW, dagId: '07' };
  const thrown = thrownBy(() => cjs.signRerunTaskFlowInstance(configFor(emu), bad));
  assertDmsError(thrown, DmsError, { kind: 'InvalidInput', code: 'InvalidParameter.DagId' });
  assert.ok(thrown instanceof esm.DmsError);
  const rejected = await rejectionOf(cjs.rerunTaskFlowInstance(configFor(emu), bad));
  assertDmsError(rejected, esm.DmsError, { kind: 'InvalidInput', code: 'InvalidParameter.DagId' });
  assert.equal(emu.state.requests, 0);
  for (const err of [thrown, rejected]) assertNoSecrets(err);
});

test('errors from import are instances of the required class, and vice versa', async () => {
  const fromImport = await rejectionOf(esm.rerunTaskFlowInstance(null, SMALL_FLOW));
  const fromRequire = await rejectionOf(cjs.rerunTaskFlowInstance(null, SMALL_FLOW));
  for (const err of [fromImport, fromRequire]) {
    assert.ok(err instanceof cjs.DmsError);
    assert.ok(err instanceof esm.DmsError);
    assert.equal(err.constructor, cjs.DmsError);
    assertDmsError(err, DmsError, { kind: 'InvalidInput', code: 'InvalidParameter.Config' });
    assert.equal(err.kind, cjs.ErrorKind.InvalidInput);
    assert.ok(err.code.startsWith(esm.ErrorCode.InvalidParameterPrefix));
  }
  assert.equal(emu.state.requests, 0);
});

test('require path: a list page against the emulator, ids exact above 2^53', async () => {
  const page = await cjs.listTaskFlowInstances(configFor(emu), { dagId: '9223372036854775807' });
  assert.equal(emu.state.requests, 1);
  assert.equal(page.requestId, emu.state.log[0].requestId);
  assert.deepEqual(
    page.instances.map((i) => i.id),
    ['9223372036854775807', '9223372036854775806', '9007199254740993', '9007199254740992'],
  );
  assert.deepEqual(page, await esm.listTaskFlowInstances(configFor(emu), { dagId: 2n ** 63n - 1n }).then((p) => ({ ...p, requestId: page.requestId })));
});

test('require path: Throttling.User is retried with fresh nonces', async () => {
  emu.injectFaults([{ type: 'throttling-user' }]);
  const result = await cjs.rerunTaskFlowInstance(configFor(emu, { maxRetries: 1 }), SMALL_FLOW);
  assert.equal(emu.state.requests, 2);
  const [first, second] = emu.state.log;
  assert.notEqual(first.nonce, second.nonce);
  assert.deepEqual(result, { requestId: second.requestId, success: true });
});
