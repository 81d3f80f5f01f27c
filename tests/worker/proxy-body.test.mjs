/**
 * examples/worker's request body limit (defect 9 of issue 9), in workerd (Miniflare):
 * the proxy counts bytes as the body streams in and answers 413 once it passes 4 KiB,
 * whatever Content-Length says. Measured from outside the proxy: a second Worker streams
 * the body through a service binding and counts the pulls (proxy-sender.mjs), and a raw
 * HTTP/1.1 connection sends a chunked body and watches when the answer comes.
 *
 *   node --test tests/worker/proxy-body.test.mjs
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Miniflare } from 'miniflare';
import { startEmulator } from '../../emulator/server.mjs';
import { DEMO_KEY } from '../../emulator/data.mjs';
import { buildProxy, bundleModules } from './proxy-build.mjs';
import { openUpload } from './proxy-http.mjs';

const TOKEN = 'proxy-token-0123456789abcdef';
const LIMIT = 4096;
const MiB = 1024 * 1024;
const OK_JSON = JSON.stringify({ dagId: '7', dagInstanceId: '47', dagVersion: '2' });

let emu;
let mf;
let origin; // http://127.0.0.1:<port> of workerd's entry socket

before(async () => {
  const [build, started] = await Promise.all([buildProxy({ name: 'proxy-body-build' }), startEmulator()]);
  emu = started;
  const secrets = {
    ALIBABA_CLOUD_ACCESS_KEY_ID: DEMO_KEY.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: DEMO_KEY.accessKeySecret,
    PROXY_TOKEN: TOKEN,
    DMS_ENDPOINT: emu.url,
  };
  const proxyModules = bundleModules(build);
  /** A test Worker module from this folder, placed beside the bundle so './index.js' resolves. */
  const helper = (name) => ({ type: 'ESModule', path: join(build.outDir, name), contents: readFileSync(new URL(`./${name}`, import.meta.url), 'utf8') });
  const worker = (name, extra) => ({ name, routes: [`${name}.body.test/*`], compatibilityDate: '2025-09-01', modulesRoot: build.outDir, ...extra });
  mf = new Miniflare({
    workers: [
      worker('proxy', { modules: proxyModules, bindings: secrets }),
      // calls the proxy through a service binding, as workerd delivers any request
      worker('sender', { modules: [helper('proxy-sender.mjs')], serviceBindings: { PROXY: 'proxy' }, bindings: { TOKEN } }),
      // imports the proxy and calls its fetch handler with its own stream
      worker('inisolate', { modules: [helper('proxy-inisolate.mjs'), helper('proxy-sender.mjs'), ...proxyModules], bindings: secrets }),
    ],
  });
  origin = (await mf.ready).origin;
});

after(async () => {
  await mf?.dispose();
  await emu?.close();
});

/** Has the sender Worker stream a body to the proxy; adds `requests` that reached DMS. */
async function stream(spec, via = 'sender') {
  const requestsBefore = emu.state.requests;
  const res = await mf.dispatchFetch(`https://${via}.body.test/`, { method: 'POST', body: JSON.stringify(spec) });
  assert.equal(res.status, 200, await res.clone().text());
  return { ...(await res.json()), requests: emu.state.requests - requestsBefore };
}

function assertTooLarge(answer) {
  assert.equal(answer.status, 413, JSON.stringify(answer));
  assert.deepEqual(answer.json, { error: { kind: 'InvalidInput', code: 'InvalidParameter.Body', message: `body larger than ${LIMIT} bytes` } });
  assert.equal(answer.requests, 0, 'a request reached DMS');
  assert.deepEqual(answer.later, answer.atAnswer, 'the body was still being read after the answer');
}

test('a 64 MiB chunked body without Content-Length: 413 after the first chunk, the rest never read', async (t) => {
  const answer = await stream({ prefix: OK_JSON, total: 64 * MiB, chunk: 64 * 1024 });
  assertTooLarge(answer);
  // Before the fix: 1024 pulls, all 64 MiB, before the 413.
  assert.ok(answer.atAnswer.pulls <= 3, `the proxy pulled ${answer.atAnswer.pulls} chunks of 64 KiB`);
  t.diagnostic(`pulled ${answer.atAnswer.pulls} chunk(s), ${answer.atAnswer.bytes} bytes of 64 MiB`);
});

test('small chunks: the proxy stops within a chunk or two past 4 KiB', async (t) => {
  const answer = await stream({ prefix: OK_JSON, total: MiB, chunk: 1024 });
  assertTooLarge(answer);
  assert.ok(answer.atAnswer.bytes <= LIMIT + 2 * 1024, `read ${answer.atAnswer.bytes} bytes`);
  t.diagnostic(`pulled ${answer.atAnswer.pulls} chunks of 1 KiB, ${answer.atAnswer.bytes} bytes`);
});

test('Content-Length: 10 on a 1 MiB body: the header is not believed, 413', async (t) => {
  const answer = await stream({ prefix: OK_JSON, total: MiB, chunk: 16 * 1024, contentLength: '10' });
  assertTooLarge(answer);
  assert.ok(answer.atAnswer.bytes <= LIMIT + 2 * 16 * 1024, `read ${answer.atAnswer.bytes} bytes`);
  t.diagnostic(`pulled ${answer.atAnswer.bytes} bytes`);
});

test('the limit is exact: 4096 streamed bytes are accepted, 4097 are not', async () => {
  const rerunsBefore = emu.state.reruns.get('47') ?? 0;
  const fits = await stream({ prefix: OK_JSON, total: LIMIT, chunk: 1000 }); // JSON + trailing spaces
  assert.equal(fits.status, 200, JSON.stringify(fits));
  assert.equal(fits.json.success, true);
  assert.equal(fits.requests, 1);
  assert.equal(emu.state.reruns.get('47'), rerunsBefore + 1);

  assertTooLarge(await stream({ prefix: OK_JSON, total: LIMIT + 1, chunk: 1000 }));
  assertTooLarge(await stream({ prefix: OK_JSON, total: LIMIT + 1, chunk: LIMIT + 1 }));
});

test('called in the same isolate with a plain ReadableStream body (a router Worker, a unit test)', async () => {
  // Such a stream has no BYOB reader: the proxy falls back to counting chunks.
  const rerunsBefore = emu.state.reruns.get('47') ?? 0;
  const ok = await stream({ prefix: OK_JSON, total: 1000, chunk: 100 }, 'inisolate');
  assert.equal(ok.status, 200, JSON.stringify(ok));
  assert.equal(emu.state.reruns.get('47'), rerunsBefore + 1);

  const big = await stream({ prefix: OK_JSON, total: 64 * MiB, chunk: 1024 }, 'inisolate');
  assertTooLarge(big);
  assert.ok(big.atAnswer.bytes <= LIMIT + 1024, `read ${big.atAnswer.bytes} bytes`);
});

test('over a real HTTP/1.1 connection: 413 before the chunked body ends, and the upload is cut off', async (t) => {
  const result = await openUpload(origin, {
    host: 'proxy.body.test',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    first: LIMIT + 1,
    more: 64 * MiB,
  });
  // Before the fix the proxy waited for the end of the body (which never comes here): no answer.
  assert.match(result.head, /^HTTP\/1\.1 413 /, `no 413 while the body was still open: ${JSON.stringify(result)}`);
  assert.equal(JSON.parse(result.body).error.code, 'InvalidParameter.Body');
  // What a client manages to write after that is bounded by socket buffers, not by the body.
  assert.ok(result.closed, 'the connection stayed open');
  assert.ok(result.moreWritten < 32 * MiB, `${result.moreWritten} more bytes were taken`);
  t.diagnostic(`after the 413, ${(result.moreWritten / MiB).toFixed(2)} MiB more were written before the connection closed`);
});

test('bytes that are not UTF-8: 400, nothing sent (no U+FFFD smuggled into a version)', async () => {
  const body = Buffer.concat([Buffer.from('{"dagId":"7","dagInstanceId":"47","dagVersion":"2'), Buffer.from([0xff]), Buffer.from('"}')]);
  const requestsBefore = emu.state.requests;
  const res = await mf.dispatchFetch('https://proxy.body.test/rerun', {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body,
  });
  assert.equal(res.status, 400);
  assert.deepEqual(await res.json(), { error: { kind: 'InvalidInput', code: 'InvalidParameter.Body', message: 'body is not UTF-8' } });
  assert.equal(emu.state.requests, requestsBefore);
});
