/**
 * Issue 9, defects 4 and 5: what the caller or the server sends cannot
 * make the client hold much memory.
 *
 * 4. String inputs are capped at 4096 UTF-8 bytes each and 16384 in all,
 *    checked before the string is copied into wasm memory (which never
 *    shrinks): a 40 MiB `dagVersion` is InvalidParameter.DagVersion and the
 *    wasm memory and the process RSS stay where they were.
 * 5. The 1 MiB answer limit counts the bytes the body stream yields, after
 *    decompression: a ~200 KB gzip or br body that inflates to 200 MiB (with
 *    an honest, small Content-Length) is InvalidResponse.TooLarge.
 *
 *   node --test tests/js/memory-limits.test.mjs
 */
import { wasmStats } from './reliability/wasm-probe.mjs'; // before the package
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createRequire } from 'node:module';
import zlib from 'node:zlib';
import { importPackage } from '../support/consumer.mjs';
import { startEmulator } from '../../emulator/server.mjs';
import { DEMO_KEY, SMALL_FLOW, assertDmsError, configFor, rejectionOf, thrownBy } from './support/harness.mjs';

const require = createRequire(import.meta.url);
const OpenApiUtil = require('@alicloud/openapi-util').default;
const { rerunTaskFlowInstance, signRerunTaskFlowInstance, listTaskFlowInstances, DmsError } = await importPackage();

const MiB = 1024 * 1024;
/** "A few MiB": what a call may add to RSS or wasm memory, whatever its input or answer. */
const SMALL_GROWTH = 8 * MiB;

let emu;
before(async () => {
  emu = await startEmulator();
  // Warm the instance up: its first calls allocate once, and that is not growth.
  signRerunTaskFlowInstance(configFor(emu), SMALL_FLOW);
  await rerunTaskFlowInstance(configFor(emu), SMALL_FLOW);
});
after(async () => {
  await emu?.close();
});

/**
 * Runs `fn` and returns its outcome with the peak RSS growth seen meanwhile
 * (sampled every 2 ms, so a short-lived spike is caught too) and the wasm
 * memory growth.
 */
async function measured(fn) {
  const rss = () => process.memoryUsage.rss();
  const baseRss = rss();
  const baseWasm = wasmStats().memoryBytes;
  let peak = baseRss;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rss());
  }, 2);
  let outcome;
  try {
    outcome = { value: await fn() };
  } catch (error) {
    outcome = { error };
  } finally {
    clearInterval(sampler);
  }
  peak = Math.max(peak, rss());
  return { ...outcome, rssGrowth: peak - baseRss, wasmGrowth: wasmStats().memoryBytes - baseWasm };
}

const mib = (bytes) => `${(bytes / MiB).toFixed(1)} MiB`;

// ---------- defect 4: string inputs ----------

// cfd98a7: the 40 MiB dagVersion was copied into wasm memory and signed
// ("not a DmsError: undefined": no error at all); wasm memory +250 MiB (for
// good), RSS +365 MiB.
test('defect 4: a 40 MiB dagVersion → InvalidParameter.DagVersion; wasm memory and RSS do not grow', async (t) => {
  const huge = 'v'.repeat(40 * MiB);
  const sent = [];
  const fetch = async (url) => {
    sent.push(url);
    return new Response('{"RequestId":"X","Success":true}');
  };
  const signing = await measured(() => signRerunTaskFlowInstance(configFor(emu), { ...SMALL_FLOW, dagVersion: huge }));
  t.diagnostic(`40 MiB dagVersion, sign: RSS +${mib(signing.rssGrowth)}, wasm +${mib(signing.wasmGrowth)}`);
  assertDmsError(signing.error, DmsError, { kind: 'InvalidInput', code: 'InvalidParameter.DagVersion' });
  assert.match(signing.error.message, /longer than 4096 bytes/);
  const calling = await measured(() => rerunTaskFlowInstance(configFor(emu, { fetch }), { ...SMALL_FLOW, dagVersion: huge }));
  assertDmsError(calling.error, DmsError, { kind: 'InvalidInput', code: 'InvalidParameter.DagVersion' });
  assert.deepEqual(sent, []);
  for (const { rssGrowth, wasmGrowth } of [signing, calling]) {
    assert.ok(wasmGrowth <= MiB, `wasm memory grew by ${mib(wasmGrowth)}`);
    assert.ok(rssGrowth < SMALL_GROWTH, `RSS grew by ${mib(rssGrowth)}`);
  }
});

// cfd98a7: no DmsError: the 200 MiB dagVersion was copied into wasm memory
// and signed ("dagVersion: signed", after 24 s); the issue saw it end in
// "RuntimeError: unreachable" when memory could not grow that far.
test('defect 4: a 200 MiB string in any field → a DmsError naming that field, and the instance still works', async () => {
  const huge = 'x'.repeat(200 * MiB);
  const rows = [
    ['dagVersion', {}, { dagVersion: huge }],
    ['accessKeySecret', { accessKeySecret: huge }, {}],
    ['endpoint', { endpoint: huge }, {}],
    ['dagId', {}, { dagId: huge }],
  ];
  for (const [field, config, request] of rows) {
    const code = `InvalidParameter.${field[0].toUpperCase()}${field.slice(1)}`;
    const { error, wasmGrowth } = await measured(() => signRerunTaskFlowInstance({ ...configFor(emu), ...config }, { ...SMALL_FLOW, ...request }));
    assert.ok(error instanceof DmsError, `${field}: ${error ?? 'signed'}`);
    assertDmsError(error, DmsError, { kind: 'InvalidInput', code });
    assert.ok(wasmGrowth <= MiB, `${field}: wasm memory grew by ${mib(wasmGrowth)}`);
  }
  const query = await measured(() => listTaskFlowInstances(configFor(emu), { dagId: 7, startTimeBegin: huge }));
  assertDmsError(query.error, DmsError, { kind: 'InvalidInput', code: 'InvalidParameter.StartTimeBegin' });
  const result = await rerunTaskFlowInstance(configFor(emu), SMALL_FLOW);
  assert.equal(result.success, true);
});

// cfd98a7: no cap; the 4097-byte strings were signed ("expected a throw").
test('defect 4: the caps count UTF-8 bytes — 4096 is signed exactly, 4097 refused, in every string field', () => {
  const overrides = { timestamp: '2024-01-02T03:04:05Z', nonce: 'n' };
  // 1365 × '中' (3 bytes) + 1 = 4096 bytes in 1366 UTF-16 units.
  const exact = ['v'.repeat(4096), '中'.repeat(1365) + 'v', '😀'.repeat(1024)];
  const over = ['v'.repeat(4097), '中'.repeat(1365) + 'vv', '😀'.repeat(1024) + 'v', 'é'.repeat(2049)];
  for (const text of exact) {
    assert.equal(Buffer.byteLength(text), 4096);
    const signed = signRerunTaskFlowInstance({ ...DEMO_KEY, accessKeySecret: text }, { ...SMALL_FLOW, dagVersion: text }, overrides);
    const params = Object.fromEntries(new URLSearchParams(signed.canonicalQuery.replaceAll('+', '%2B')));
    assert.equal(params.DagVersion, text);
    assert.equal(signed.signature, OpenApiUtil.getRPCSignature(params, 'POST', text));
  }
  const fields = [
    ['accessKeyId', (t) => [{ ...DEMO_KEY, accessKeyId: t }, SMALL_FLOW]],
    ['accessKeySecret', (t) => [{ ...DEMO_KEY, accessKeySecret: t }, SMALL_FLOW]],
    ['securityToken', (t) => [{ ...DEMO_KEY, securityToken: t }, SMALL_FLOW]],
    ['endpoint', (t) => [{ ...DEMO_KEY, endpoint: t }, SMALL_FLOW]],
    ['regionId', (t) => [{ ...DEMO_KEY, regionId: t }, SMALL_FLOW]],
    ['dagVersion', (t) => [DEMO_KEY, { ...SMALL_FLOW, dagVersion: t }]],
    ['dagInstanceId', (t) => [DEMO_KEY, { ...SMALL_FLOW, dagInstanceId: t }]],
  ];
  for (const [field, args] of fields) {
    for (const text of over) {
      const err = thrownBy(() => signRerunTaskFlowInstance(...args(text), overrides));
      assertDmsError(err, DmsError, { kind: 'InvalidInput', code: `InvalidParameter.${field[0].toUpperCase()}${field.slice(1)}` });
      assert.equal(err.message, `${field} is longer than 4096 bytes`);
    }
  }
  const nonce = thrownBy(() => signRerunTaskFlowInstance(DEMO_KEY, SMALL_FLOW, { nonce: 'n'.repeat(4097) }));
  assertDmsError(nonce, DmsError, { kind: 'InvalidInput', code: 'InvalidParameter.Nonce' });
});

// cfd98a7: no total either ("expected a throw").
test('defect 4: 16384 bytes of strings in all are signed; one byte more is refused, naming the field whose string crossed', () => {
  const full = (n) => 'k'.repeat(n);
  // Numeric ids and the default endpoint and method: only these four strings count.
  const config = { accessKeyId: full(4096), accessKeySecret: full(4096), securityToken: full(4096) };
  const request = { dagId: 7, dagInstanceId: 47, dagVersion: full(4096) };
  assert.ok(signRerunTaskFlowInstance(config, request).signature);
  // Any string read before dagVersion (tid, method, an id as text, the endpoint) makes dagVersion cross the total.
  const more = [
    [config, { ...request, tid: '1' }],
    [{ ...config, method: 'GET' }, request],
    [config, { ...request, dagId: '7' }],
    [{ ...config, endpoint: 'http://127.0.0.1:9' }, request],
  ];
  for (const [c, r] of more) {
    const err = thrownBy(() => signRerunTaskFlowInstance(c, r));
    assertDmsError(err, DmsError, { kind: 'InvalidInput', code: 'InvalidParameter.DagVersion' });
    assert.equal(err.message, "dagVersion brings the call's strings above 16384 bytes in all");
  }
});

// ---------- defect 5: compressed answers ----------

/**
 * A compressed body of `prefix`, `inflated` bytes of `fill`, then `suffix`,
 * made by streaming (so the 200 MiB never exist in this process at once).
 */
async function compressedBomb(encoding, { inflated, prefix = '', suffix = '', fill = 0x20 }) {
  const compressor = encoding === 'br'
    ? zlib.createBrotliCompress({ params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 5 } })
    : zlib.createGzip({ level: 9 });
  const chunks = [];
  compressor.on('data', (chunk) => chunks.push(chunk));
  const done = new Promise((resolve, reject) => compressor.on('end', resolve).on('error', reject));
  const block = Buffer.alloc(MiB, fill);
  compressor.write(prefix);
  for (let left = inflated; left > 0; left -= block.length) {
    if (!compressor.write(left >= block.length ? block : block.subarray(0, left))) {
      await new Promise((resolve) => compressor.once('drain', resolve));
    }
  }
  compressor.end(suffix);
  await done;
  return Buffer.concat(chunks);
}

/** A local server answering every request with `body` as `Content-Encoding: encoding`, its Content-Length the compressed size. */
async function bombServer(encoding, body) {
  const server = http.createServer((req, res) => {
    req.resume();
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-encoding': encoding,
      'content-length': body.length,
      'x-acs-request-id': 'BOMB-REQUEST',
    });
    res.end(body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((resolve) => server.close(resolve).closeAllConnections()),
  };
}

for (const encoding of ['gzip', 'br']) {
  // cfd98a7 (gzip and br alike): Content-Length passed the 1 MiB check, the
  // whole 200 MiB was inflated and parsed, and the call resolved
  // {requestId: 'BOMB', success: true}; with gzip RSS grew by 634 MiB.
  test(`defect 5: a ${encoding} body inflating to 200 MiB of JSON (Content-Length ~200 KB) → InvalidResponse.TooLarge, RSS growth small`, async (t) => {
    const body = await compressedBomb(encoding, {
      inflated: 200 * MiB,
      prefix: '{"RequestId":"BOMB","Success":true,"Padding":"',
      suffix: '"}',
    });
    assert.ok(body.length < MiB, `the compressed body is ${body.length} B`);
    const server = await bombServer(encoding, body);
    try {
      for (const [label, call] of [
        ['rerun', () => rerunTaskFlowInstance({ ...DEMO_KEY, endpoint: server.url }, SMALL_FLOW)],
        ['list', () => listTaskFlowInstances({ ...DEMO_KEY, endpoint: server.url }, { dagId: 7 })],
      ]) {
        const { error, value, rssGrowth, wasmGrowth } = await measured(call);
        t.diagnostic(`${encoding} ${label}: ${body.length} B on the wire, RSS +${mib(rssGrowth)}, wasm +${mib(wasmGrowth)}`);
        assert.equal(value, undefined, `${label} resolved: ${JSON.stringify(value)?.slice(0, 80)}`);
        assertDmsError(error, DmsError, {
          kind: 'InvalidResponse',
          code: 'InvalidResponse.TooLarge',
          httpStatus: 200,
          requestId: 'BOMB-REQUEST',
          attempts: 1,
        });
        assert.ok(rssGrowth < 4 * SMALL_GROWTH, `${label}: RSS grew by ${mib(rssGrowth)}`);
        assert.ok(wasmGrowth <= MiB, `${label}: wasm memory grew by ${mib(wasmGrowth)}`);
      }
    } finally {
      await server.close();
    }
  });
}

// cfd98a7: the 1 MiB + 1 body was accepted ("expected a rejection").
test('defect 5: a gzip body just under 1 MiB once inflated is read; just over is TooLarge', async () => {
  const json = (pad) => `{"RequestId":"NEAR","Success":true,"Padding":"${' '.repeat(pad)}"}`;
  const frame = json(0).length;
  for (const [inflated, ok] of [[MiB, true], [MiB + 1, false]]) {
    const body = zlib.gzipSync(json(inflated - frame));
    const server = await bombServer('gzip', body);
    try {
      const call = rerunTaskFlowInstance({ ...DEMO_KEY, endpoint: server.url }, SMALL_FLOW);
      if (ok) assert.deepEqual(await call, { requestId: 'NEAR', success: true });
      else assertDmsError(await rejectionOf(call), DmsError, { kind: 'InvalidResponse', code: 'InvalidResponse.TooLarge', httpStatus: 200, requestId: 'BOMB-REQUEST', attempts: 1 });
    } finally {
      await server.close();
    }
  }
});

// ---------- a runtime error that is huge ----------

// Found attacking core v2: the runtime's error (here a caller's fetch
// rejecting with a 40 MiB message and code) was handed to Rust whole, for
// the message detail and the cause check, so wasm memory grew by it for good.
test('a 40 MiB network error message or code is not copied into wasm memory', async (t) => {
  const huge = 'E'.repeat(40 * MiB);
  for (const make of [() => new TypeError(huge), () => Object.assign(new TypeError('failed'), { code: huge })]) {
    const fetch = async () => {
      throw make();
    };
    const outcome = await measured(() => rerunTaskFlowInstance(configFor(emu, { fetch }), SMALL_FLOW));
    t.diagnostic(`huge runtime error: wasm +${mib(outcome.wasmGrowth)}`);
    assertDmsError(outcome.error, DmsError, { kind: 'Network', code: 'NetworkError', attempts: 1 });
    assert.ok(outcome.error.message.length < 1024, `message of ${outcome.error.message.length} characters`);
    assert.ok(outcome.wasmGrowth <= MiB, `wasm memory grew by ${mib(outcome.wasmGrowth)}`);
  }
});
