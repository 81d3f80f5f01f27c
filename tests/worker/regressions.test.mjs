/**
 * Issue 9's regressions that live in workerd, each through the packed
 * package bundled by wrangler and run in Miniflare (tests/worker/fixture/,
 * routes in hostile-routes.mjs): a compressed body that inflates past 1 MiB
 * (defect 5), a polluted Object.prototype (defect 2), wasm→JS imports
 * thrown from 10,000 times (defect 3), endpoints workerd's URL parser
 * refuses (defect 6), and what workerd's network errors hold (cause).
 *
 *   node --test tests/worker/regressions.test.mjs
 *
 * "On cfd98a7" below says how each test failed against the old package:
 * `git worktree add /tmp/old cfd98a7`, build and pack it there, copy this
 * layer (tests/worker, tests/support, emulator/) in and run this file.
 */
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startEmulator } from '../../emulator/server.mjs';
import { DEMO_KEY, STS_KEY, LIST_FLOW } from '../../emulator/data.mjs';
import { closedPort } from '../js/support/wire.mjs';
import { THROWING_IMPORTS, expectedRun } from '../support/throwing-imports.mjs';
import { startCompressedServer } from './compressed-server.mjs';
import { startFixtureWorker } from './fixture-worker.mjs';

const OK_REQUEST = Object.freeze({ dagId: '7', dagInstanceId: '47', dagVersion: '2' });
const THROWS = 10_000;

let emu;
let attacker;
let compressed;
let notHttp;
let worker;
before(async () => {
  notHttp = net.createServer((socket) => socket.end('SSH-2.0-not-http\r\n\r\n'));
  await new Promise((resolve) => notHttp.listen(0, '127.0.0.1', resolve));
  [emu, attacker, compressed, worker] = await Promise.all([
    startEmulator(),
    startEmulator(), // stands for a host set by prototype pollution: it must never be reached
    startCompressedServer(),
    startFixtureWorker('worker-build-regressions'),
  ]);
});
after(async () => {
  await worker?.dispose();
  await Promise.all([emu?.close(), attacker?.close(), compressed?.close()]);
  notHttp?.close();
});
beforeEach(() => emu.state.reset());

const config = (extra = {}) => ({ ...DEMO_KEY, endpoint: emu.url, ...extra });

function ok(out) {
  assert.equal(out.ok, true, `expected success, got ${JSON.stringify(out.error)}`);
  return out.result;
}

function dmsError(out, expected) {
  assert.equal(out.ok, false, `expected an error, got ${JSON.stringify(out.result)?.slice(0, 300)}`);
  assert.equal(out.error.isDmsError, true, `not a DmsError inside the worker: ${JSON.stringify(out.error)}`);
  for (const [key, value] of Object.entries(expected)) assert.equal(out.error[key], value, `error.${key}: ${JSON.stringify(out.error)}`);
  return out.error;
}

async function assertStillWorks() {
  const before = emu.state.requests;
  ok(await worker.call('/rerun', { config: config(), request: OK_REQUEST }));
  assert.equal(emu.state.requests, before + 1);
}

// ---------- defect 5: the 1 MiB limit counts decoded bytes ----------

for (const encoding of ['gzip', 'br']) {
  test(`defect 5: a ${encoding} body with a small Content-Length that inflates to 64 MiB → InvalidResponse.TooLarge`, async (t) => {
    // On cfd98a7: resolved {requestId: '0C0C…B0B0', success: true} — the
    // entry trusted Content-Length (the compressed size) and read all 64 MiB.
    compressed.encoding = encoding;
    const sent = compressed.requests.length;
    const out = await worker.call('/rerun', { config: config({ endpoint: compressed.url, maxRetries: 0 }), request: OK_REQUEST });
    t.diagnostic(`${encoding}: Content-Length ${compressed.bodies[encoding]} B, decoded ${compressed.inflatedBytes} B`);
    dmsError(out, {
      kind: 'InvalidResponse',
      code: 'InvalidResponse.TooLarge',
      httpStatus: 200,
      attempts: 1,
      retryable: false,
      requestId: compressed.requestId,
    });
    assert.ok(compressed.bodies[encoding] < 1024 * 1024 / 8, 'the compressed body must be far below the limit');
    assert.deepEqual(compressed.requests.slice(sent).map((r) => r.encoding), [encoding]);
    await assertStillWorks();
  });
}

// ---------- defect 2: options are own properties only ----------

test('defect 2: Object.prototype.endpoint/.fetch/.tid/.dagVersion/.pageSize/.status set inside the Worker are ignored', async () => {
  // On cfd98a7: the own fetch was handed the attacker's origin (routed =
  // [attacker]); the prototype's fetch received the signed URLs of the two
  // other reruns (spied = 2); all three were sent with the prototype's
  // Tid=9999 (Api InvalidTid), the one without dagVersion with the
  // prototype's '2' instead of being refused; the list did not exist
  // (TypeError).
  const out = ok(await worker.call('/polluted', { config: config(), request: OK_REQUEST, attacker: attacker.url }));

  assert.equal(out.viaOwnFetch.ok, true, JSON.stringify(out.viaOwnFetch));
  assert.deepEqual(out.routed, ['https://dms-enterprise.aliyuncs.com'], 'the default origin, not the prototype endpoint');
  assert.equal(out.viaGlobalFetch.ok, true, JSON.stringify(out.viaGlobalFetch));
  assert.deepEqual(out.spied, [], "the prototype's fetch was called");
  dmsError(out.missingVersion, { kind: 'InvalidInput', code: 'InvalidParameter.DagVersion' });
  const list = ok(out.list);
  assert.deepEqual([list.pageSize, list.instances.length], [20, 20]);
  assert.deepEqual(list.instances.map((i) => i.id), LIST_FLOW.runs.slice(0, 20).map((r) => r.id), 'no status filter');

  assert.equal(attacker.state.requests, 0, 'the attacker host was reached');
  assert.equal(emu.state.requests, 3); // A, B and the list; C sent nothing
  for (const entry of emu.state.log) {
    assert.equal(entry.status, 200);
    for (const key of ['Tid', 'Status']) assert.ok(!(key in entry.params), `${key} was sent: ${entry.rawQuery}`);
  }
  assert.equal(emu.state.log[2].params.PageSize, '20');
});

// ---------- defect 3: no JS exception unwinds through wasm ----------

/** wasm memory and externref table around each throwing-import run, for the leak check below. */
const footprints = [];

/**
 * The valid call the route made after the throwing calls. The emulator
 * (Node, keepAliveTimeout 5 s) closes the idle keep-alive connection while a
 * long batch runs, and workerd reuses it anyway: "Network connection lost."
 * whatever the package. Then, and only then, one more valid call decides.
 */
async function validAfter(t, valid) {
  if (!valid.ok && valid.error.kind === 'Network' && valid.error.cause.message === 'Network connection lost.') {
    t.diagnostic('the valid call met a keep-alive connection the emulator had closed; calling again');
    return worker.call('/rerun', { config: config(), request: OK_REQUEST });
  }
  return valid;
}

// On cfd98a7 (each case in a fresh isolate) the isWellFormed and `aborted`
// paths failed: ~2,000 calls threw the raw TypeError (not a DmsError: 1,985
// "isWellFormed threw", 2,257 "aborted getter threw"), every later one
// `RuntimeError: memory access out of bounds` / `RuntimeError: unreachable`,
// and so did the valid call after them. The other paths passed there too:
// the caller's fetch, Reflect.get and getRandomValues were already `catch`
// imports, and headers and JSON.parse were used in JS.
//
// Two cases stay red until the core is fixed:
// CORE BUG: 'signal.aborted getter throws on its second read' — js/api.mjs
//   `Wait` sets the budget timer (and registers on the signal) before it
//   reads `signal.aborted`; when that read throws, `wait` is never assigned,
//   so `wait?.end()` never clears the timer: every such call leaves a
//   timeoutMs (default 10 s) timer behind (in Node the process stays alive
//   for it, as in defect 7). workerd allows 10,000 active timeouts per
//   request, so the 10,000th call's setTimeout throws QuotaExceededError,
//   which the same try/catch reports as InvalidParameter.Signal "signal
//   could not be read" — for the valid call after them too, which has no signal.
// CORE BUG: 'JSON.parse throws (replaced globally)' — results and failure
//   records are written as JSON text and read back with the global
//   JSON.parse (src/wasm/mod.rs, failure.rs, judge.rs); when it throws,
//   every failure record becomes null, so every call throws `null` (or,
//   when `inputFields` is not cached yet, a TypeError "… is not a function
//   or its return value is not iterable") instead of a DmsError. On
//   cfd98a7 the same calls gave DmsErrors (InvalidResponse.NotJson).
for (const scenario of THROWING_IMPORTS) {
  const { id } = scenario;
  test(`defect 3: ${THROWS} calls where ${id}, then a valid call works (workerd)`, async (t) => {
    const base = { config: config({ maxRetries: 0 }), request: OK_REQUEST };
    const started = performance.now();
    const out = ok(await worker.call('/throwing', { base, id, count: THROWS }));
    footprints.push({ id, before: out.before, after: out.after });
    t.diagnostic(
      `${THROWS} calls in ${(performance.now() - started).toFixed(0)} ms: ${JSON.stringify(out.tally)}; ` +
        `wasm memory ${out.before.memoryBytes} → ${out.after.memoryBytes} B, externrefs ${out.before.externrefs} → ${out.after.externrefs}`,
    );
    const expected = expectedRun(scenario, THROWS, out.tally);
    assert.equal(expected.problem, undefined, expected.problem);
    assert.deepEqual(out.tally, expected.tally);
    assert.equal(out.pendingTimers, 0, 'the calls left timers behind');
    const valid = await validAfter(t, out.valid);
    assert.equal(valid.ok, true, `the valid call after them failed: ${JSON.stringify(valid.error)}`);
    assert.equal(emu.state.log.filter((e) => e.status === 200).length, expected.sent + 1, 'only the valid call reached the gateway');
  });
}

test('defect 3: the throwing imports cost at most a bounded footprint per caught exception', () => {
  // Known, not fixed (wasm-bindgen 0.2.130): every JS exception a `catch`
  // import catches keeps one externref-table slot (emptied to undefined,
  // not reused) and ~20 B of wasm memory. Measured per 10,000 calls: caller
  // fetch throwing +10,000 slots, headers.get throwing +~16,000 (up to 3
  // reads per call). The instance keeps working (the valid call after each
  // run above passes); before core v2 it was poisoned after ~2,000. This
  // test holds the cost to what it is now, and paths where nothing throws
  // in wasm (a Proxy trap caught in JS, isWellFormed replaced by the scan)
  // to zero.
  assert.equal(footprints.length, THROWING_IMPORTS.length, 'run the defect 3 tests first');
  const over = footprints
    .filter((f) => {
      const slots = (f.after.externrefs - f.before.externrefs) / THROWS;
      const bytes = (f.after.memoryBytes - f.before.memoryBytes) / THROWS;
      return slots > 3.5 || bytes > 96;
    })
    .map((f) => `${f.id}: externrefs ${f.before.externrefs} → ${f.after.externrefs}, memory ${f.before.memoryBytes} → ${f.after.memoryBytes} B`);
  assert.deepEqual(over, []);
});

// ---------- defect 6: endpoints refused as the WHATWG URL parser would ----------

test('defect 6: hosts the URL parser refuses or rewrites are InvalidParameter.Endpoint in workerd, nothing sent', async () => {
  // On cfd98a7: signing succeeded; the rerun reached fetch, which threw
  // `TypeError: Invalid URL: http://[1:2]/?…&Signature=…` synchronously
  // (the signed URL in its message), reported as Network "the rerun may
  // still have happened"; http://127.1:<port> reached the emulator.
  const endpoints = ['http://[1:2]', 'http://256.1.1.1', 'http://1.2.3.4.5', `http://127.1:${emu.port}`];
  const out = ok(await worker.call('/bad-endpoints', { config: config(), request: OK_REQUEST, endpoints }));
  for (const entry of out) {
    assert.equal(entry.sign.threw, true, `${entry.endpoint}: signing did not throw`);
    assert.equal(entry.sign.error.isDmsError, true);
    assert.equal(entry.sign.error.code, 'InvalidParameter.Endpoint', entry.endpoint);
    dmsError(entry.rerun, { kind: 'InvalidInput', code: 'InvalidParameter.Endpoint', attempts: undefined });
  }
  // workerd's own parser refuses the first three and rewrites the last.
  assert.deepEqual(out.map((e) => e.parsed), [
    { refused: 'TypeError' },
    { refused: 'TypeError' },
    { refused: 'TypeError' },
    { href: `http://127.0.0.1:${emu.port}/` },
  ]);
  assert.equal(emu.state.requests, 0);
});

test('defect 6: a label that is not valid Punycode (xn--a) is refused as the URL parser refuses it', async () => {
  const out = ok(await worker.call('/bad-endpoints', { config: config(), request: OK_REQUEST, endpoints: ['http://xn--a.example'] }));
  const [entry] = out;
  assert.deepEqual(entry.parsed, { refused: 'TypeError' }, "workerd's URL parser refuses it");
  // Whatever the outcome, no text of it holds the signed URL (workerd's own
  // error for this URL does: `TypeError: Invalid URL: http://xn--a.example/?…&Signature=…`).
  const error = entry.rerun.error;
  assert.ok(![error.message, error.json].join('\n').includes('Signature='), error.message);
  assert.equal(error.cause.present, false);
  // CORE BUG: src/params.rs accepts a host label `xn--a` (not valid Punycode)
  // that WHATWG's domain-to-ASCII refuses — so do workerd's and Node's URL
  // parsers (ada); Chromium's is laxer and accepts it. Signing succeeds and
  // the rerun reaches fetch, which refuses the URL (`TypeError: Invalid URL:
  // <signed URL>`); the package reports Network "the request could not be
  // sent or got no answer", attempts 1 (a rerun that "may have happened").
  // Expected InvalidParameter.Endpoint, nothing sent.
  assert.equal(entry.sign.threw, true, 'signing did not throw');
  dmsError(entry.rerun, { kind: 'InvalidInput', code: 'InvalidParameter.Endpoint', attempts: undefined });
});

// ---------- network errors: what workerd's fetch says, and the cause kept ----------

test("workerd's fetch errors that hold the signed URL are never kept as cause nor quoted", async () => {
  // Only fetch's refusals of a URL it will not load name it (`Invalid URL:
  // <url>`, `Fetch API cannot load: <url>`, rejected at once); the package
  // never hands fetch a URL workerd refuses, so this reaches one through a
  // caller's fetch.
  const { raw, sync, rejected } = ok(await worker.call('/url-in-fetch-error', { config: { ...STS_KEY, endpoint: emu.url }, request: OK_REQUEST }));
  assert.equal(raw.threw, true);
  assert.match(raw.message, /^Fetch API cannot load: ftp:\/\/127\.0\.0\.1:\d+\/\?AccessKeyId=/);
  assert.equal(raw.holds.query, true, 'the raw error should hold the signed query (else this test proves nothing)');
  for (const [name, out] of Object.entries({ sync, rejected })) {
    const error = dmsError(out, { kind: 'Network', code: 'NetworkError', attempts: 1 });
    const texts = [error.message, error.json].join('\n');
    for (const secret of ['Signature=', 'SecurityToken', 'ftp://', STS_KEY.securityToken]) assert.ok(!texts.includes(secret), `${name}: ${secret} in ${texts}`);
    assert.equal(error.cause.present, false, `${name}: a cause holding the signed URL was kept`);
  }
  assert.equal(emu.state.requests, 0);
});

/**
 * Each way a request can fail on the network, from inside workerd: the raw
 * error of `fetch` for the same signed URL, then the package's DmsError.
 */
const NETWORK_CASES = [
  { name: 'connection refused', endpoint: async () => `http://127.0.0.1:${await closedPort()}` },
  { name: 'DNS failure', endpoint: async () => 'http://nonexistent.invalid' },
  { name: 'TLS to a plain-HTTP server', endpoint: async () => `https://127.0.0.1:${emu.port}` },
  { name: 'a server that does not speak HTTP', endpoint: async () => `http://127.0.0.1:${notHttp.address().port}` },
  { name: 'connection closed before any answer', endpoint: async () => emu.url, faults: [{ type: 'destroy' }, { type: 'destroy' }] },
  { name: 'body cut short (Content-Length promises more)', endpoint: async () => emu.url, faults: [{ type: 'truncate' }, { type: 'truncate' }], body: true },
];

for (const c of NETWORK_CASES) {
  test(`network error in workerd, ${c.name}: the DmsError says which, keeps the cause, holds no signature`, async (t) => {
    // On cfd98a7: the message was the same for every case and there was no cause.
    const endpoint = await c.endpoint();
    const request = { ...OK_REQUEST };
    const logged = worker.runtimeLog().length;
    // A permanent key, then an STS one (its token must stay out of every text too).
    for (const cfg of [config({ endpoint, timeoutMs: 20_000 }), { ...STS_KEY, endpoint, timeoutMs: 20_000 }]) {
      emu.state.faults.length = 0;
      if (c.faults) emu.injectFaults(c.faults); // one for the raw fetch, one for the package's
      const { raw, viaPackage } = ok(await worker.call('/network-error', { config: cfg, request }));
      t.diagnostic(`workerd's fetch: ${raw.sync ? 'threw' : 'rejected'} ${raw.name}: ${raw.message} | own properties ${raw.ownProperties.join(', ')}`);
      t.diagnostic(`DmsError: ${viaPackage.error?.message}`);
      assert.equal(raw.threw, true, `fetch did not fail: ${JSON.stringify(raw)}`);
      assert.equal(raw.sync, false, 'workerd threw synchronously');
      assert.deepEqual(raw.holds, { url: false, signature: false, query: false }, "workerd's error holds the signed URL");

      const error = dmsError(viaPackage, { kind: 'Network', code: 'NetworkError', retryable: false, attempts: 1 });
      const lead = c.body ? 'the connection failed while reading the answer' : 'the request could not be sent or got no answer';
      assert.ok(error.message.startsWith(`${lead} (`), error.message);
      // The detail names workerd's own error: its name and the first words of its message.
      assert.ok(error.message.includes(`${raw.name}: ${raw.message.split(';')[0]}`), `${error.message} vs ${raw.message}`);
      if (c.body) assert.equal(error.httpStatus, 200);
      const texts = [error.message, error.json, error.cause.message, error.cause.stack, error.cause.string].join('\n');
      for (const secret of ['Signature=', cfg.accessKeySecret, cfg.securityToken ?? cfg.accessKeySecret, 'SecurityToken']) {
        assert.ok(!texts.includes(secret), `${secret} in ${texts}`);
      }
      assert.equal(error.cause.present, true, 'no cause kept');
      assert.equal(error.cause.enumerable, false, 'the cause is enumerable');
      assert.ok(!error.json.includes('cause'), `cause in JSON.stringify: ${error.json}`);
      assert.equal(error.cause.name, raw.name);
      assert.equal(error.cause.message.split(';')[0], raw.message.split(';')[0]);
    }
    // workerd logs the detail behind "internal error; reference = …" on its
    // own stderr: the host, never the path or query.
    const log = worker.runtimeLog().slice(logged);
    if (log.trim()) t.diagnostic(`workerd's log: ${log.split('\n').filter((l) => l.includes('error:')).map((l) => l.replace(/^.*?failed: /, '')).join(' | ')}`);
    for (const secret of ['Signature', 'SignatureNonce', 'AccessKeyId', DEMO_KEY.accessKeyId, STS_KEY.securityToken]) {
      assert.ok(!log.includes(secret), `workerd logged ${secret}: ${log}`);
    }
  });
}
