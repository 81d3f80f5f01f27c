/**
 * Another script on the page or in the process has polluted
 * Object.prototype. The package reads its own failure records by own
 * properties only, so a polluted `keepCause` cannot make it keep a network
 * error that holds the signed URL, and a polluted `requestId`/`httpStatus`
 * cannot show up as the error's own property. (Found by attacking core v2:
 * before the fix, `Object.prototype.keepCause = true` kept a cause whose
 * message was the whole signed URL.)
 *
 *   node --test tests/js/hostile-prototype.test.mjs
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { importPackage } from '../support/consumer.mjs';
import { DEMO_KEY, SMALL_FLOW, rejectionOf } from './support/harness.mjs';

const { rerunTaskFlowInstance, DmsError } = await importPackage();

const POLLUTION = { keepCause: true, requestId: 'FAKE-REQUEST-ID', httpStatus: 200, recommend: 'https://evil.example' };

/** Runs `fn` with Object.prototype polluted by POLLUTION, always cleaning up. */
async function polluted(fn) {
  for (const [key, value] of Object.entries(POLLUTION)) Object.prototype[key] = value;
  try {
    return await fn();
  } finally {
    for (const key of Object.keys(POLLUTION)) delete Object.prototype[key];
  }
}

test('a polluted keepCause never keeps a network error that holds the signed URL', async () => {
  // The caller's fetch rejects with an error whose message is the signed URL.
  const fetch = async (url) => {
    throw new TypeError(`request to ${url} failed`);
  };
  const err = await polluted(() =>
    rejectionOf(rerunTaskFlowInstance({ ...DEMO_KEY, endpoint: 'http://127.0.0.1:9', fetch }, SMALL_FLOW)),
  );
  assert.ok(err instanceof DmsError);
  assert.equal(err.kind, 'Network');
  assert.equal(err.cause, undefined, 'the cause holds the signed URL and must not be kept');
  assert.ok(!inspect(err, { depth: 5 }).includes('Signature='), inspect(err));
});

test('record fields come from the record only, never from a polluted prototype', async () => {
  const fetch = async () => {
    throw new TypeError('connection refused');
  };
  const err = await polluted(() =>
    rejectionOf(rerunTaskFlowInstance({ ...DEMO_KEY, endpoint: 'http://127.0.0.1:9', fetch }, SMALL_FLOW)),
  );
  for (const key of ['requestId', 'httpStatus', 'recommend']) {
    assert.equal(Object.hasOwn(err, key), false, `${key} was copied from Object.prototype`);
  }
  assert.equal(err.attempts, 1);
  assert.equal(JSON.parse(JSON.stringify(err)).requestId, undefined);
});
