/**
 * Looking for credentials where they must never be: every text an error can
 * be turned into, and everything written to the console meanwhile.
 */
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { percentEncode } from '../../../emulator/signature.mjs';
import { rawSignature } from './common.mjs';

/** Every string reachable from `value`'s own properties (non-enumerable and symbol keys too). */
function ownStrings(value, seen = new WeakSet()) {
  if (typeof value === 'string') return [value];
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return value === undefined ? [] : [String(value)];
  if (seen.has(value)) return [];
  seen.add(value);
  const out = [];
  for (const key of Reflect.ownKeys(value)) {
    const d = Object.getOwnPropertyDescriptor(value, key);
    const v = 'value' in d ? d.value : d.get?.call(value);
    out.push(String(key.description ?? key), ...ownStrings(v, seen));
  }
  return out;
}

/** The texts an error becomes when logged, serialised or inspected. */
export function errorTexts(err) {
  return {
    message: String(err?.message),
    'String(err)': String(err),
    'JSON.stringify(err)': JSON.stringify(err) ?? '',
    stack: String(err?.stack),
    'own properties': ownStrings(err).join('\n'),
    cause: err?.cause === undefined ? '' : ownStrings(err.cause).join('\n') + String(err.cause),
    'util.inspect(err)': inspect(err, { showHidden: true, depth: 8 }),
  };
}

/** `text` and its windows of `width` characters, so a partial leak is caught too. */
function withWindows(text, width = 12) {
  if (text.length <= width) return [text];
  const out = [text];
  for (let i = 0; i + width <= text.length; i++) out.push(text.slice(i, i + width));
  return out;
}

/**
 * What must not appear: each secret and token (raw, URI-encoded and the
 * gateway's single and double percent-encoding), and from the emulator log
 * every signature (raw and decoded) and every full signed URL.
 */
export function needlesFor({ secrets = [], tokens = [], log = [], origin = '' }) {
  const needles = new Map();
  const add = (label, text) => {
    if (text && text.length >= 6) needles.set(text, label);
  };
  for (const secret of secrets) {
    for (const w of withWindows(secret)) add('secret', w);
    add('secret (encoded)', percentEncode(secret));
  }
  for (const token of tokens) {
    add('token', token);
    add('token (URI-encoded)', encodeURIComponent(token));
    add('token (percent-encoded)', percentEncode(token));
    add('token (double percent-encoded)', percentEncode(percentEncode(token)));
  }
  for (const entry of log) {
    const signature = rawSignature(entry);
    if (!signature) continue;
    for (const w of withWindows(decodeURIComponent(signature))) add('signature', w);
    add('signature (encoded)', signature);
    add('signed URL', `${origin}/?${entry.rawQuery}`);
    add('signed query', entry.rawQuery);
  }
  return needles;
}

/** Fails naming where and what, without printing the needle itself. */
export function assertNoNeedles(texts, needles) {
  for (const [where, text] of Object.entries(texts)) {
    for (const [needle, label] of needles) {
      assert.ok(!text.includes(needle), `${label} found in ${where}`);
    }
  }
}

/**
 * Records everything written to stdout/stderr, every console.* call and
 * every process warning while `fn` runs; writes still pass through. The
 * test runner's own event frames (v8-serialised Buffers it writes to stdout,
 * starting with the serialiser's 0xFF 0x0F header) are left out.
 */
export async function captureOutput(fn, { passThrough = true } = {}) {
  const chunks = [];
  const restore = [];
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write;
    stream.write = function (chunk, ...rest) {
      const runnerFrame = chunk instanceof Uint8Array && chunk[0] === 0xff && chunk[1] === 0x0f;
      if (!runnerFrame) chunks.push(String(chunk));
      if (runnerFrame || passThrough) return write.call(this, chunk, ...rest);
      rest.find((arg) => typeof arg === 'function')?.();
      return true;
    };
    restore.push(() => (stream.write = write));
  }
  for (const name of ['log', 'info', 'warn', 'error', 'debug', 'trace', 'dir', 'table', 'group', 'assert']) {
    const original = console[name];
    console[name] = (...args) => {
      chunks.push(`console.${name}: ${args.map((a) => inspect(a, { depth: 8 })).join(' ')}`);
      if (passThrough) return original.apply(console, args);
    };
    restore.push(() => (console[name] = original));
  }
  // Node prints warnings through its own listener; silence it too when asked.
  const onWarning = (warning) => chunks.push(`warning: ${warning.name} ${warning.message}`);
  process.on('warning', onWarning);
  restore.push(() => process.off('warning', onWarning));
  if (!passThrough) {
    const printers = process.listeners('warning').filter((l) => l !== onWarning);
    for (const l of printers) process.off('warning', l);
    restore.push(() => printers.forEach((l) => process.on('warning', l)));
  }
  try {
    const value = await fn();
    // Warnings are emitted on the next tick.
    await new Promise((resolve) => setImmediate(resolve));
    return { value, output: chunks.join('') };
  } finally {
    for (const undo of restore.reverse()) undo();
  }
}
