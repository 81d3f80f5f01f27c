/**
 * Helpers for the Chromium layer: a small static file server, the browser
 * launch, and the scenario suite both loading modes (plain ESM with an
 * import map, and a Vite bundle) run against the DMS emulator.
 *
 * Not a test file: run the layer with `node --test tests/browser/*.test.mjs`.
 */
import http from 'node:http';
import { createReadStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { startEmulator } from '../../emulator/server.mjs';
import { DEMO_KEY, MAX_LONG, TASK_FLOWS } from '../../emulator/data.mjs';
import { importPackage, outputDir } from '../support/consumer.mjs';

export const fixturesDir = fileURLToPath(new URL('./fixtures/', import.meta.url));
export const screenshotsDir = join(outputDir, 'screenshots');

const CHROMIUM_ARGS = ['--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export const MIME_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
};

/**
 * Serves files read-only from `mounts` (URL prefix → directory, longest
 * prefix wins; `/` maps to index.html). Every answer is logged in `served`.
 * @param {Record<string, string>} mounts  e.g. {'/': fixtures, '/pkg/': dir}
 * @returns {Promise<{url:string, origin:string, served:Array<{path:string,status:number,type:string|null}>, close():Promise<void>}>}
 */
export async function startStaticServer(mounts) {
  const table = Object.entries(mounts)
    .map(([prefix, dir]) => [prefix.endsWith('/') ? prefix : prefix + '/', resolve(dir)])
    .sort((a, b) => b[0].length - a[0].length);
  const served = [];
  const sockets = new Set();

  async function handle(req, res) {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const answer = (status, type, body) => {
      served.push({ path, status, type });
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return answer(405, 'text/plain', 'method not allowed');
    const mount = table.find(([prefix]) => path.startsWith(prefix));
    if (!mount) return answer(404, 'text/plain', 'not found');
    const [prefix, dir] = mount;
    const rest = path.slice(prefix.length) || 'index.html';
    const file = resolve(dir, rest);
    if (file !== dir && !file.startsWith(dir + sep)) return answer(403, 'text/plain', 'forbidden');
    const info = await stat(file).catch(() => null);
    if (!info?.isFile()) return answer(404, 'text/plain', 'not found');
    const type = MIME_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
    served.push({ path, status: 200, type });
    res.writeHead(200, { 'content-type': type, 'content-length': info.size, 'cache-control': 'no-store' });
    if (req.method === 'HEAD') return res.end();
    createReadStream(file).pipe(res);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(error));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise((done, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', done);
  });
  const origin = `http://127.0.0.1:${server.address().port}`;
  return {
    url: origin + '/',
    origin,
    served,
    close: () =>
      new Promise((done) => {
        server.close(() => done());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

/** One headless Chromium (Debian's) per test file. */
export function launchBrowser() {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/** Credentials the emulator knows; the secret must never show up in the page's console. */
export const SECRET = DEMO_KEY.accessKeySecret;
const BIG_FLOW = TASK_FLOWS[1];

/** Fixed sign overrides: the signature must then be identical in Node and Chromium. */
const FIXED = Object.freeze({ timestamp: '2024-02-29T23:59:59Z', nonce: 'browser-parity-nonce-0001' });

/**
 * Defines the whole browser scenario list for one loading mode.
 * @param {object} options
 * @param {string} options.mode  'esm' | 'vite' (screenshot name, messages)
 * @param {() => Promise<{url:string, served:object[], close():Promise<void>, describe?:object}>} options.serve
 *   starts (or builds then starts) the static server for this mode's page
 * @param {(suite: BrowserSuite) => void} [options.scenarios]  defines more tests on the same page,
 *   emulator and browser; they run after the common ones and before the final console/screenshot check
 *
 * @typedef {object} BrowserSuite
 * @property {import('playwright-core').Page} page  (set once the suite's `before` ran)
 * @property {object} emu  the emulator the page talks to
 * @property {(extra?: object) => object} config  the demo credentials and the emulator's endpoint
 * @property {import('playwright-core').Request[]} emulatorRequests  requests the page sent to the emulator
 * @property {import('playwright-core').Request[]} pageRequests  every request the page sent
 */
export function defineBrowserSuite({ mode, serve, scenarios }) {
  let emu;
  let site;
  let browser;
  let page;
  const consoleMessages = [];
  const pageErrors = [];
  const emulatorRequests = [];
  const pageRequests = [];

  const config = (extra = {}) => ({
    accessKeyId: DEMO_KEY.accessKeyId,
    accessKeySecret: DEMO_KEY.accessKeySecret,
    endpoint: emu.url,
    ...extra,
  });
  const run = (cfg, request, options) => page.evaluate(([c, r, o]) => window.__run(c, r, o), [cfg, request, options ?? {}]);
  const sign = (cfg, request, overrides, options) =>
    page.evaluate(([c, r, o, x]) => window.__sign(c, r, o, x), [cfg, request, overrides, options ?? {}]);

  before(async () => {
    emu = await startEmulator();
    site = await serve();
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 900, height: 720 } });
    page.on('console', (message) => consoleMessages.push({ type: message.type(), text: message.text() }));
    page.on('pageerror', (error) => pageErrors.push(String(error?.stack ?? error)));
    page.on('request', (request) => {
      pageRequests.push(request);
      if (request.url().startsWith(emu.url)) emulatorRequests.push(request);
    });
    await page.goto(site.url);
    await page.waitForFunction(() => window.__ready === true, null, { timeout: 15_000 });
  });

  after(async () => {
    await browser?.close();
    await site?.close();
    await emu?.close();
  });

  test(`${mode}: the page loads the package (wasm inline: no .wasm fetched, nothing missing; cross-origin to the emulator)`, async () => {
    assert.deepEqual(await page.evaluate(() => window.__exports), {
      rerunTaskFlowInstance: 'function',
      signRerunTaskFlowInstance: 'function',
      listTaskFlowInstances: 'function',
      iterateTaskFlowInstances: 'function',
      signListTaskFlowInstances: 'function',
      DmsError: 'function',
      ErrorKind: 'object',
      ErrorCode: 'object',
    });
    assert.deepEqual(site.served.filter((entry) => entry.path.endsWith('.wasm')), [], JSON.stringify(site.served));
    assert.deepEqual(site.served.filter((entry) => entry.status !== 200), [], JSON.stringify(site.served));
    const pageOrigin = new URL(page.url()).origin;
    assert.notEqual(pageOrigin, new URL(emu.url).origin, 'page and emulator must be different origins');
  });

  test(`${mode}: a rerun succeeds against the emulator, cross-origin`, async () => {
    const before = emu.state.requests;
    const reruns = emu.state.reruns.get('47') ?? 0;
    const outcome = await run(config(), { dagId: '7', dagInstanceId: '47', dagVersion: '2' });
    assert.equal(outcome.ok, true, JSON.stringify(outcome));
    assert.match(outcome.result.requestId, /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/);
    assert.equal(outcome.result.success, true);
    assert.equal(emu.state.requests, before + 1);
    assert.equal(emu.state.reruns.get('47'), reruns + 1);
    const entry = emu.state.log.at(-1);
    assert.equal(entry.requestId, outcome.result.requestId);
    assert.equal(entry.status, 200);
    // The browser really sent it cross-origin: Chromium set Origin to the page's origin.
    const sent = emulatorRequests.filter((request) => request.method() !== 'OPTIONS').at(-1);
    assert.ok(sent, 'Playwright saw the request to the emulator');
    assert.equal(await sent.headerValue('origin'), new URL(page.url()).origin);
  });

  test(`${mode}: an unknown instance is a DmsError (Api, InstanceNotExist, HTTP 200) and instanceof works in the page`, async () => {
    const before = emu.state.requests;
    const outcome = await run(config(), { dagId: '7', dagInstanceId: '999', dagVersion: '2' });
    assert.equal(outcome.ok, false);
    const { error } = outcome;
    assert.equal(error.instanceOfDmsError, true);
    assert.equal(error.instanceOfError, true);
    assert.equal(error.name, 'DmsError');
    assert.equal(error.kind, 'Api');
    assert.equal(error.code, 'InstanceNotExist');
    assert.equal(error.httpStatus, 200);
    assert.equal(error.retryable, false);
    assert.equal(error.requestId, emu.state.log.at(-1).requestId);
    assert.equal(emu.state.requests, before + 1);
  });

  test(`${mode}: invalid input (dagId 'abc') fails in the page before any request`, async () => {
    const before = emu.state.requests;
    const sentBefore = emulatorRequests.length;
    const outcome = await run(config(), { dagId: 'abc', dagInstanceId: '47', dagVersion: '2' });
    assert.equal(outcome.ok, false);
    assert.equal(outcome.error.instanceOfDmsError, true);
    assert.equal(outcome.error.kind, 'InvalidInput');
    assert.equal(outcome.error.code, 'InvalidParameter.DagId');
    assert.equal(outcome.error.retryable, false);
    assert.equal(emu.state.requests, before, 'no request reached the emulator');
    assert.equal(emulatorRequests.length, sentBefore, 'the browser sent nothing (not even a preflight)');
  });

  test(`${mode}: 64-bit ids as BigInt survive (DagId 2^63-1, Unicode DagVersion)`, async () => {
    const before = emu.state.requests;
    const instance = BIG_FLOW.instances[0];
    const reruns = emu.state.reruns.get(instance) ?? 0;
    const outcome = await run(config(), { tid: MAX_LONG, dagId: MAX_LONG, dagInstanceId: instance, dagVersion: BIG_FLOW.dagVersion }, { bigint: true });
    assert.equal(outcome.ok, true, JSON.stringify(outcome));
    assert.equal(emu.state.requests, before + 1);
    assert.equal(emu.state.reruns.get(instance), reruns + 1);
    const { params } = emu.state.log.at(-1);
    assert.equal(params.Tid, '9223372036854775807');
    assert.equal(params.DagId, '9223372036854775807');
    assert.equal(params.DagInstanceId, '9223372036854775806');
    assert.equal(params.DagVersion, 'v-大数据-🚀');
  });

  test(`${mode}: signRerunTaskFlowInstance gives the same bytes in Chromium as in Node`, async () => {
    const { signRerunTaskFlowInstance } = await importPackage();
    const cfg = config();
    const request = { tid: MAX_LONG, dagId: MAX_LONG, dagInstanceId: BIG_FLOW.instances[0], dagVersion: BIG_FLOW.dagVersion };
    const inNode = signRerunTaskFlowInstance(cfg, request, FIXED);
    const inPage = await sign(cfg, request, FIXED);
    assert.equal(inPage.ok, true, JSON.stringify(inPage));
    assert.equal(inPage.result.signature, inNode.signature);
    assert.equal(inPage.result.url, inNode.url);
    assert.deepEqual(inPage.result, { ...inNode });
    // BigInt ids in the page sign exactly like decimal strings in Node.
    const withBigInts = await sign(cfg, request, FIXED, { bigint: true });
    assert.deepEqual(withBigInts.result, { ...inNode });
    assert.ok(!inNode.url.includes(SECRET));
  });

  test(`${mode}: timeoutMs 300 against a hanging gateway is a Timeout`, async () => {
    const before = emu.state.requests;
    emu.injectFaults([{ type: 'hang' }]);
    const started = Date.now();
    const outcome = await run(config({ timeoutMs: 300 }), { dagId: '7', dagInstanceId: '47', dagVersion: '2' });
    const elapsed = Date.now() - started;
    assert.equal(outcome.ok, false, JSON.stringify(outcome));
    assert.equal(outcome.error.instanceOfDmsError, true);
    assert.equal(outcome.error.kind, 'Timeout');
    assert.equal(outcome.error.code, 'Timeout');
    assert.ok(elapsed >= 280 && elapsed < 5000, `took ${elapsed} ms`);
    assert.equal(emu.state.requests, before + 1);
    assert.equal(emu.state.log.at(-1).fault, 'hang');
    assert.equal(emu.state.faults.length, 0);
  });

  test(`${mode}: an AbortSignal aborts an in-flight call, and a pre-aborted one sends nothing`, async () => {
    const before = emu.state.requests;
    emu.injectFaults([{ type: 'hang' }]);
    const started = Date.now();
    const outcome = await run(config({ timeoutMs: 20_000 }), { dagId: '7', dagInstanceId: '47', dagVersion: '2' }, { abortAfterMs: 150 });
    const elapsed = Date.now() - started;
    assert.equal(outcome.ok, false, JSON.stringify(outcome));
    assert.equal(outcome.error.instanceOfDmsError, true);
    assert.equal(outcome.error.kind, 'Aborted');
    assert.equal(outcome.error.code, 'Aborted');
    assert.ok(elapsed >= 130 && elapsed < 5000, `took ${elapsed} ms`);
    assert.equal(emu.state.requests, before + 1);
    assert.equal(emu.state.faults.length, 0);

    const pre = await run(config(), { dagId: '7', dagInstanceId: '47', dagVersion: '2' }, { preAborted: true });
    assert.equal(pre.ok, false);
    assert.equal(pre.error.kind, 'Aborted');
    assert.equal(emu.state.requests, before + 1, 'a pre-aborted call sends nothing');
  });

  scenarios?.({
    get page() {
      return page;
    },
    get emu() {
      return emu;
    },
    config,
    emulatorRequests,
    pageRequests,
  });

  test(`${mode}: no unexpected console errors, the secret never logged, screenshot`, async () => {
    // One more success so the screenshot shows a readable result.
    const last = await run(config(), { dagId: '7', dagInstanceId: '48', dagVersion: '2' });
    assert.equal(last.ok, true);
    assert.deepEqual(pageErrors, []);
    const bad = consoleMessages.filter((m) => m.type === 'error' || m.type === 'warning');
    assert.deepEqual(bad, [], 'no console errors or warnings');
    // The page logs every outcome, so the console did carry error messages and fields.
    assert.ok(consoleMessages.some((m) => m.text.includes('InstanceNotExist')));
    for (const message of consoleMessages) {
      assert.ok(!message.text.includes(SECRET), `secret in console: ${message.text}`);
    }
    const text = await page.textContent('body');
    assert.ok(!text.includes(SECRET));
    assert.match(await page.textContent('#status'), /^ok$/);
    await mkdir(screenshotsDir, { recursive: true });
    await page.screenshot({ path: join(screenshotsDir, `browser-${mode}.png`), fullPage: true });
  });
}
