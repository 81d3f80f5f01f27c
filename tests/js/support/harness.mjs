/**
 * Shared helpers for the Node end-to-end tests of the packed package:
 * the emulator's seeded keys and task flows, configs pointing at an
 * emulator, exact DmsError assertions and the "no secret leaks" check.
 */
import assert from 'node:assert/strict';
import { DEMO_KEY, STS_KEY, MAX_LONG, TASK_FLOWS } from '../../../emulator/data.mjs';

export { DEMO_KEY, STS_KEY, MAX_LONG, TASK_FLOWS };

/** A secret the emulator does not know, for SignatureDoesNotMatch. */
export const WRONG_SECRET = 'wrong-secret-also-never-leaked';

/** Every secret any test hands to the package. */
export const ALL_SECRETS = [DEMO_KEY.accessKeySecret, STS_KEY.accessKeySecret, WRONG_SECRET];

/** The seeded task flow 7 / instance 47 / version '2'. */
export const SMALL_FLOW = { dagId: 7, dagInstanceId: 47, dagVersion: '2' };

/** The seeded 2^63−1 task flow with the non-ASCII version. */
export const BIG_FLOW = TASK_FLOWS[1];

/** Every parameter of a signed POST/GET without STS or Tid (Signature excluded). */
export const BASE_PARAM_NAMES = [
  'AccessKeyId',
  'Action',
  'DagId',
  'DagInstanceId',
  'DagVersion',
  'Format',
  'SignatureMethod',
  'SignatureNonce',
  'SignatureVersion',
  'Timestamp',
  'Version',
];

/** A config with the demo key aimed at `emu` (or any origin string). */
export function configFor(target, extra = {}) {
  const endpoint = typeof target === 'string' ? target : target.url;
  return { accessKeyId: DEMO_KEY.accessKeyId, accessKeySecret: DEMO_KEY.accessKeySecret, endpoint, ...extra };
}

/** Awaits `promise` and returns its rejection reason; fails if it resolves. */
export async function rejectionOf(promise) {
  assert.ok(promise instanceof Promise, 'expected a Promise');
  let value;
  try {
    value = await promise;
  } catch (error) {
    return error;
  }
  assert.fail(`expected a rejection, got ${JSON.stringify(value)}`);
}

/** Calls `fn` and returns what it threw synchronously; fails if it returned. */
export function thrownBy(fn) {
  let value;
  try {
    value = fn();
  } catch (error) {
    return error;
  }
  assert.fail(`expected a throw, got ${JSON.stringify(value)}`);
}

const ERROR_FIELDS = ['kind', 'code', 'httpStatus', 'requestId', 'retryable', 'attempts', 'recommend'];

/**
 * Asserts `err` is a DmsError of the package (`DmsError` is the package's
 * class) whose fields equal `expected`. Fields of ERROR_FIELDS not named in
 * `expected` must be absent (undefined), except `recommend` and `retryable`
 * (retryable defaults to false). Pass a function as a value to check it freely.
 */
export function assertDmsError(err, DmsError, expected) {
  assert.ok(err instanceof DmsError, `not a DmsError: ${err?.stack ?? err}`);
  assert.ok(err instanceof Error);
  assert.equal(err.name, 'DmsError');
  assert.equal(typeof err.message, 'string');
  assert.ok(err.message.length > 0, 'empty message');
  const want = { retryable: false, ...expected };
  for (const field of ERROR_FIELDS) {
    if (!(field in want)) {
      if (field !== 'recommend') assert.equal(err[field], undefined, `${field} should be absent, is ${err[field]}`);
      continue;
    }
    const value = want[field];
    if (typeof value === 'function') value(err[field], err);
    else assert.equal(err[field], value, `${field}: ${err[field]} !== ${value} (${err.code}: ${err.message})`);
  }
}

/** Every `Signature` value the emulator saw (raw and decoded), from its log. */
export function signaturesSeen(state) {
  const out = [];
  for (const entry of state.log) {
    const match = /(?:^|&)Signature=([^&]*)/.exec(entry.rawQuery ?? '');
    if (!match) continue;
    out.push(match[1]);
    try {
      out.push(decodeURIComponent(match[1]));
    } catch {
      // keep the raw form only
    }
  }
  return out.filter((s) => s.length > 0);
}

/** Every string reachable from the error's own properties (and nested objects). */
function ownStrings(value, seen = new Set()) {
  if (typeof value === 'string') return [value];
  if (value === null || (typeof value !== 'object' && typeof value !== 'function') || seen.has(value)) return [];
  seen.add(value);
  const out = [];
  for (const key of Reflect.ownKeys(value)) {
    const descriptor = Object.getOwnPropertyDescriptor(value, key);
    const v = descriptor && 'value' in descriptor ? descriptor.value : undefined;
    out.push(String(key.description ?? key), ...ownStrings(v, seen));
  }
  return out;
}

/**
 * The secret, signatures and the `Signature=` parameter appear nowhere in the
 * error: message, String(err), JSON, stack, nor any own property (nor `cause`).
 */
export function assertNoSecrets(err, { secrets = ALL_SECRETS, signatures = [] } = {}) {
  const texts = {
    message: String(err?.message),
    string: String(err),
    json: JSON.stringify(err) ?? '',
    stack: String(err?.stack),
    own: ownStrings(err).join('\n'),
    cause: err?.cause === undefined ? '' : ownStrings(err.cause).join('\n') + String(err.cause),
  };
  for (const [where, text] of Object.entries(texts)) {
    assert.ok(!text.includes('Signature='), `'Signature=' in ${where}: ${text}`);
    for (const secret of secrets) assert.ok(!text.includes(secret), `secret in ${where}`);
    for (const signature of signatures) assert.ok(!text.includes(signature), `signature ${signature} in ${where}`);
  }
}

/** Decodes a raw query exactly like the emulator (no '+' → space), keeping order. */
export function queryPairs(rawQuery) {
  return rawQuery
    .split('&')
    .filter(Boolean)
    .map((segment) => {
      const eq = segment.indexOf('=');
      return [decodeURIComponent(segment.slice(0, eq)), decodeURIComponent(segment.slice(eq + 1))];
    });
}
