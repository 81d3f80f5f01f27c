/**
 * Shared by the reliability tests (faults, load, secrets) in Node and in
 * workerd: seeded inputs, polling, the emulator-side signature check, and a
 * plain description of an error that survives JSON (the worker sends it back).
 */
import assert from 'node:assert/strict';
import { verifySignature } from '../../../emulator/signature.mjs';
import { DEMO_KEY } from '../../../emulator/data.mjs';

export { DEMO_KEY };
export { describeError } from './describe-error.mjs';

/** Seeded task flow 7, instance 47, version '2': always reruns successfully. */
export const SMALL_FLOW = Object.freeze({ dagId: '7', dagInstanceId: '47', dagVersion: '2' });

/** The gateway's Recommend link, exactly as the emulator builds it. */
export const recommendFor = (code, requestId) =>
  `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(code)}&product=dms-enterprise&requestId=${requestId}`;

/** Polls `predicate` every 10 ms; fails with `label` after `timeoutMs`. */
export async function waitFor(predicate, timeoutMs, label) {
  const end = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > end) assert.fail(`timed out after ${timeoutMs} ms waiting for ${label}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The raw (still percent-encoded) Signature of a logged request, or undefined. */
export function rawSignature(entry) {
  return /(?:^|&)Signature=([^&]*)/.exec(entry.rawQuery ?? '')?.[1];
}

/**
 * Checks one logged request as the real gateway would (independently of the
 * emulator's own answer, which a fault may have replaced): the signature
 * verifies with `secret`, the timestamp is the current UTC time.
 */
export function assertValidlySigned(entry, secret, method = 'POST') {
  const signature = rawSignature(entry);
  assert.ok(signature, `no Signature in ${entry.rawQuery}`);
  const params = { ...entry.params, Signature: decodeURIComponent(signature) };
  assert.ok(verifySignature(method, params, secret).ok, `signature does not verify: ${entry.rawQuery}`);
  assert.match(entry.timestamp, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  const skew = Math.abs(Date.parse(entry.timestamp) - entry.at);
  assert.ok(skew < 120_000, `timestamp ${entry.timestamp} is ${skew} ms off the server clock`);
}

/** Counts per key, printed as an aligned two-column table. */
export function formatTally(title, tally) {
  const rows = [...tally.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const width = Math.max(...rows.map(([k]) => k.length), 4);
  const total = rows.reduce((n, [, v]) => n + v, 0);
  return [title, ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${String(v).padStart(3)}`), `  ${'total'.padEnd(width)}  ${String(total).padStart(3)}`].join('\n');
}
