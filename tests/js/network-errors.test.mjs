/**
 * Issue 9: network errors say their cause. A refused connection, a DNS
 * failure, a reset connection and a port `fetch` refuses each give their
 * own message (all `kind: 'Network'`, code NetworkError), and the runtime's
 * error is kept as `err.cause` — non-enumerable, so not in JSON — but only
 * when nothing in it holds the signed URL, the signature or the STS token.
 *
 *   node --test tests/js/network-errors.test.mjs
 */
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { importPackage } from '../support/consumer.mjs';
import { startEmulator } from '../../emulator/server.mjs';
import { closedPort } from './support/wire.mjs';
import { DEMO_KEY, SMALL_FLOW, STS_KEY, assertDmsError, rejectionOf } from './support/harness.mjs';

const { rerunTaskFlowInstance, listTaskFlowInstances, DmsError, ErrorKind, ErrorCode } = await importPackage();

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

/** A fetch that records each signed URL, then sends it with the global fetch (the runtime's errors pass through untouched). */
function recordingFetch() {
  const urls = [];
  const fetch = (url, init) => {
    urls.push(url);
    return globalThis.fetch(url, init);
  };
  return { urls, fetch };
}

/**
 * Everything an error can be turned into that could carry a secret: its
 * message, String(), JSON, stack, inspect() with hidden fields, and the
 * whole `cause` graph (nested causes, AggregateError.errors, every own
 * property, getters included, to any depth).
 */
function everyText(err) {
  const out = [String(err.message), String(err), JSON.stringify(err) ?? '', String(err.stack), inspect(err, { showHidden: true, depth: 20, maxArrayLength: 1000, maxStringLength: Infinity })];
  const seen = new Set();
  const walk = (value, depth) => {
    if (depth > 20) return;
    if (typeof value === 'string') return void out.push(value);
    if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return void out.push(String(value));
    if (seen.has(value)) return;
    seen.add(value);
    try {
      out.push(String(value));
    } catch {
      // an object without a usable toString
    }
    for (const key of Reflect.ownKeys(value)) {
      let v;
      try {
        const d = Object.getOwnPropertyDescriptor(value, key);
        v = 'value' in d ? d.value : d.get?.call(value);
      } catch {
        continue;
      }
      out.push(String(key.description ?? key));
      walk(v, depth + 1);
    }
    walk(Object.getPrototypeOf(value) === Error.prototype ? undefined : value.cause, depth + 1);
  };
  walk(err.cause, 0);
  return out.join('\n');
}

/** The signed URL's secrets: the whole URL and query, the signature (raw and encoded), and `Signature=`. */
function needles(url, extra = []) {
  const signature = /[?&]Signature=([^&]*)/.exec(url)[1];
  return [url, url.slice(url.indexOf('?') + 1), signature, decodeURIComponent(signature), 'Signature=', ...extra];
}

function assertCauseClean(err, url, extra) {
  const text = everyText(err);
  for (const needle of needles(url, extra)) assert.ok(!text.includes(needle), `${JSON.stringify(needle.slice(0, 24))}… found in the error or its cause`);
}

/** Common shape: Network, NetworkError, one attempt, a detail in parentheses, cause kept but hidden from JSON. */
function assertNetworkWithCause(err, detail) {
  assertDmsError(err, DmsError, { kind: ErrorKind.Network, code: ErrorCode.NetworkError, attempts: 1 });
  assert.match(err.message, detail);
  assert.ok(Object.hasOwn(err, 'cause'), `no cause on: ${err.message}`);
  assert.ok(err.cause instanceof Error, `cause is ${inspect(err.cause)}`);
  assert.equal(Object.getOwnPropertyDescriptor(err, 'cause').enumerable, false, 'cause must not be enumerable');
  assert.ok(!Object.keys(err).includes('cause'));
  assert.ok(!('cause' in JSON.parse(JSON.stringify(err))), 'cause in JSON.stringify(err)');
}

// cfd98a7: both said only "the request could not be sent or got no answer"
// (no detail: the ECONNREFUSED pattern did not match) and had no cause.
test('refused connection and DNS failure: different messages, both Network, cause kept, no signed URL in it', async (t) => {
  const refused = recordingFetch();
  const port = await closedPort();
  const a = await rejectionOf(rerunTaskFlowInstance({ ...DEMO_KEY, endpoint: `http://127.0.0.1:${port}`, fetch: refused.fetch }, SMALL_FLOW));
  const dns = recordingFetch();
  const b = await rejectionOf(rerunTaskFlowInstance({ ...DEMO_KEY, endpoint: 'http://nonexistent.invalid', fetch: dns.fetch, timeoutMs: 30_000 }, SMALL_FLOW));
  t.diagnostic(`refused: ${a.message}`);
  t.diagnostic(`DNS:     ${b.message}`);
  assertNetworkWithCause(a, /\(ECONNREFUSED: connection refused\)$/);
  assertNetworkWithCause(b, /\(ENOTFOUND: DNS lookup failed\)$/);
  assert.notEqual(a.message, b.message);
  assert.match(a.message, /^the request could not be sent or got no answer/);
  // The runtime's own error is there to inspect: Node's undici nests the socket error.
  assert.equal(a.cause.cause?.code, 'ECONNREFUSED');
  assert.equal(b.cause.cause?.code, 'ENOTFOUND');
  assertCauseClean(a, refused.urls[0], [DEMO_KEY.accessKeySecret]);
  assertCauseClean(b, dns.urls[0], [DEMO_KEY.accessKeySecret]);
});

test('the same for list, which retries network failures: attempts counts them, the last cause is kept', async () => {
  const port = await closedPort();
  const { urls, fetch } = recordingFetch();
  const err = await rejectionOf(listTaskFlowInstances({ ...DEMO_KEY, endpoint: `http://127.0.0.1:${port}`, fetch, maxRetries: 2 }, { dagId: 7 }));
  assertDmsError(err, DmsError, { kind: 'Network', code: 'NetworkError', attempts: 3 });
  assert.match(err.message, /\(ECONNREFUSED: connection refused\)$/);
  assert.equal(urls.length, 3);
  assert.ok(err.cause instanceof Error);
  for (const url of urls) assertCauseClean(err, url, [DEMO_KEY.accessKeySecret]);
});

test('a connection reset before the answer, a body cut short and a port fetch refuses each say so', async () => {
  emu.injectFaults([{ type: 'destroy' }]);
  const reset = await rejectionOf(rerunTaskFlowInstance({ ...DEMO_KEY, endpoint: emu.url }, SMALL_FLOW));
  assertNetworkWithCause(reset, /^the request could not be sent or got no answer \(UND_ERR_SOCKET: connection reset\)$/);

  emu.injectFaults([{ type: 'truncate' }]);
  const truncated = await rejectionOf(rerunTaskFlowInstance({ ...DEMO_KEY, endpoint: emu.url }, SMALL_FLOW));
  assertDmsError(truncated, DmsError, { kind: 'Network', code: 'NetworkError', attempts: 1, httpStatus: 200, requestId: emu.state.log[1].requestId });
  assert.match(truncated.message, /^the connection failed while reading the answer \(.+\)$/);
  assert.ok(truncated.cause instanceof Error);

  const badPort = await rejectionOf(rerunTaskFlowInstance({ ...DEMO_KEY, endpoint: 'http://127.0.0.1:6000' }, SMALL_FLOW));
  assertNetworkWithCause(badPort, /\(TypeError: fetch failed: bad port\)$/);
  const messages = new Set([reset.message, truncated.message, badPort.message]);
  assert.equal(messages.size, 3);
});

test('with STS credentials the cause holds neither the token nor the signature', async () => {
  const port = await closedPort();
  const { urls, fetch } = recordingFetch();
  const err = await rejectionOf(rerunTaskFlowInstance({ ...STS_KEY, endpoint: `http://127.0.0.1:${port}`, fetch }, SMALL_FLOW));
  assertNetworkWithCause(err, /ECONNREFUSED/);
  assertCauseClean(err, urls[0], [STS_KEY.securityToken, encodeURIComponent(STS_KEY.securityToken), STS_KEY.accessKeySecret]);
});

/**
 * Errors a caller's fetch (a wrapper library, a test double) may reject
 * with, each carrying the signed URL somewhere: the cause must then be
 * dropped (or redacted), whatever depth or property holds it. The message
 * may still give a detail, but never the URL. (cfd98a7 passed these: it kept
 * no cause at all.)
 */
const LEAKY_FETCH_ERRORS = [
  ['in the message', (url) => new TypeError(`request to ${url} failed`)],
  ['in the inner cause\'s message', (url) => new TypeError('fetch failed', { cause: new Error(`connect to ${url}`) })],
  ['only the signature, in the message', (url) => new TypeError(`bad signature ${new URL(url).searchParams.get('Signature')}`)],
  // Before af51cae the next five were kept as cause although they hold the
  // signed URL (js/api.mjs read only the error's and its cause's message and
  // stack). Since af51cae it walks the strings reachable from the error, but
  // not all of them: the CORE BUG cases below.
  ['two causes deep', (url) => new TypeError('fetch failed', { cause: new Error('inner', { cause: new Error(`deep ${url}`) }) })],
  ['in an own property (url)', (url) => Object.assign(new TypeError('fetch failed'), { url })],
  ['in the inner cause\'s request object', (url) => new TypeError('fetch failed', { cause: Object.assign(new Error('timed out'), { request: { method: 'POST', url } }) })],
  ['in AggregateError.errors', (url) => new AggregateError([new Error(`connect ${url}`)], 'all attempts failed')],
  ['as a string cause', (url) => new TypeError('fetch failed', { cause: url })],
  // CORE BUG (js/api.mjs `facts`): the walk stops below depth 3, so a URL four causes down is not seen and the error is kept.
  ['four causes deep', (url) => new TypeError('fetch failed', { cause: new Error('1', { cause: new Error('2', { cause: new Error('3', { cause: new Error(`deep ${url}`) }) }) }) })],
  // CORE BUG (js/api.mjs `facts`): the walk stops after 64 strings and then treats the rest as clean: kept.
  ['after 70 clean errors in AggregateError.errors', (url) => new AggregateError([...Array.from({ length: 70 }, (_, i) => new Error(`attempt ${i}`)), new Error(url)], 'all failed')],
  // CORE BUG (js/api.mjs `facts`): only string-named own properties are walked: a Symbol key is not, kept.
  ['under a Symbol-keyed property', (url) => Object.assign(new TypeError('fetch failed'), { [Symbol('request')]: { url } })],
  // CORE BUG (js/api.mjs `facts`): Map entries are not walked: kept.
  ['in a Map', (url) => Object.assign(new TypeError('fetch failed'), { details: new Map([['url', url]]) })],
  // CORE BUG (js/api.mjs `facts`): a Request's url is a prototype getter, never walked: kept (ky's errors carry `request` like this).
  ['in a Request object (ky-style error.request)', (url) => Object.assign(new TypeError('fetch failed'), { request: new Request(url, { method: 'POST' }) })],
  // CORE BUG (js/api.mjs `facts`): a URL object's href is a prototype getter: kept.
  ['in a URL object', (url) => Object.assign(new TypeError('fetch failed'), { target: new URL(url) })],
  // CORE BUG (js/api.mjs `facts`): String(err.cause) calls the error's own toString (a function, never walked): kept.
  ['behind its own toString', (url) => Object.assign(new TypeError('fetch failed'), { toString: () => `TypeError: fetch ${url} failed` })],
];

for (const [where, make] of LEAKY_FETCH_ERRORS) {
  test(`a caller fetch rejecting with the signed URL ${where}: no trace of it in the error or its cause`, async () => {
    const urls = [];
    const fetch = async (url) => {
      urls.push(url);
      throw make(url);
    };
    const err = await rejectionOf(rerunTaskFlowInstance({ ...DEMO_KEY, endpoint: emu.url, fetch }, SMALL_FLOW));
    assertDmsError(err, DmsError, { kind: 'Network', code: 'NetworkError', attempts: 1 });
    assert.equal(urls.length, 1);
    assertCauseClean(err, urls[0], [DEMO_KEY.accessKeySecret]);
    assert.ok(!('cause' in JSON.parse(JSON.stringify(err))));
  });
}

test('a caller fetch rejecting with a clean error keeps a copy of it as cause (name, message, code, and its cause\'s), and its detail in the message', async () => {
  const clean = new TypeError('upstream proxy refused', { cause: Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:3128'), { code: 'ECONNREFUSED' }) });
  clean.request = { headers: { secret: 'not copied' } };
  const err = await rejectionOf(rerunTaskFlowInstance({ ...DEMO_KEY, endpoint: emu.url, fetch: async () => Promise.reject(clean) }, SMALL_FLOW));
  assertNetworkWithCause(err, /\(ECONNREFUSED: connection refused\)$/);
  // A copy, so nothing else the runtime's error holds (a Request, a URL…) rides along.
  assert.notEqual(err.cause, clean);
  assert.ok(err.cause instanceof Error);
  assert.equal(err.cause.name, 'TypeError');
  assert.equal(err.cause.message, 'upstream proxy refused');
  assert.equal(err.cause.cause.message, 'connect ECONNREFUSED 10.0.0.1:3128');
  assert.equal(err.cause.cause.code, 'ECONNREFUSED');
  assert.equal(err.cause.request, undefined);
});
