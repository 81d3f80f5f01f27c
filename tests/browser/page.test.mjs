/**
 * The `npm start` demo page, end to end: spawns the real `node scripts/start.mjs`
 * (page server + DMS emulator in a child process), drives www/ in headless
 * Chromium, and checks what the page shows against the emulator's admin view
 * and the packed package in Node. Screenshots: test-output/screenshots/page-*.png.
 *
 *   node --test tests/browser/page.test.mjs
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DEMO_KEY, MAX_LONG, STS_KEY, TASK_FLOWS } from '../../emulator/data.mjs';
import { importPackage } from '../support/consumer.mjs';
import { launchBrowser, screenshotsDir } from './support.mjs';
import { emulatorState, freePort, isListening, readList, startDemo, storedState } from './page-harness.mjs';

const SECRET = DEMO_KEY.accessKeySecret;
const FIXED = { timestamp: '2024-02-29T23:59:59Z', nonce: 'page-preview-nonce-0001' };
const BIG_FLOW = TASK_FLOWS[1];

let demo;
let ports;
let browser;
let context;
let page;
const consoleMessages = [];
const pageErrors = [];
const requests = []; // every request the page made: {url, method, postData}

/** The demo defaults, as the server prefills them. */
const defaults = () => ({
  AccessKeyId: DEMO_KEY.accessKeyId,
  AccessKeySecret: DEMO_KEY.accessKeySecret,
  SecurityToken: '',
  Endpoint: demo.emulatorUrl,
  Tid: '',
  DagId: '7',
  DagInstanceId: '47',
  DagVersion: '2',
  Timestamp: '',
  SignatureNonce: '',
});

/** Sets every field (defaults + changes) so no scenario depends on the previous one. */
async function setForm(changes = {}) {
  const values = { ...defaults(), ...changes };
  // The preview options live in a <details>: opened only when used, as a person would.
  const open = Boolean(values.Timestamp || values.SignatureNonce);
  await page.locator('details').evaluate((d, o) => (d.open = o), open);
  for (const [name, value] of Object.entries(values)) {
    const field = page.locator(`[name="${name}"]`);
    if (open || !['Timestamp', 'SignatureNonce'].includes(name)) await field.fill(value);
    else await field.evaluate((input) => (input.value = ''));
  }
  return values;
}

/** Clicks Rerun and waits for the outcome (the handler marks #result 'pending' synchronously). */
async function rerun() {
  await page.getByRole('button', { name: 'Rerun', exact: true }).click();
  await page.waitForFunction(() => ['success', 'error'].includes(document.getElementById('result').className));
  return { className: await page.getAttribute('#result', 'class'), fields: await readList(page, '#result dl') };
}

async function preview() {
  await page.getByRole('button', { name: 'Preview', exact: true }).click();
  await page.waitForSelector('#preview-output dl');
  return { className: await page.getAttribute('#preview-output', 'class'), fields: await readList(page, '#preview-output dl') };
}

async function screenshot(name) {
  await mkdir(screenshotsDir, { recursive: true });
  await page.screenshot({ path: join(screenshotsDir, `page-${name}.png`), fullPage: true });
}

before(async () => {
  ports = { port: await freePort(), emulatorPort: await freePort() };
  while (ports.emulatorPort === ports.port) ports.emulatorPort = await freePort();
  demo = await startDemo(ports);
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1000, height: 800 } });
  page = await context.newPage();
  page.on('console', (message) => consoleMessages.push({ type: message.type(), text: message.text() }));
  page.on('pageerror', (error) => pageErrors.push(String(error?.stack ?? error)));
  page.on('request', (request) => requests.push({ url: request.url(), method: request.method(), postData: request.postData() }));
  await page.goto(demo.pageUrl);
  await page.waitForSelector('html[data-ready="true"]', { timeout: 20_000 });
});

after(async () => {
  await browser?.close();
  const exit = await demo?.stop('SIGKILL');
  if (demo) assert.ok(exit.code !== null || exit.signal !== null, 'start.mjs child is dead');
});

test('start.mjs serves www/, /pkg/ (dist/web), /config.json, and the emulator on EMULATOR_PORT', async () => {
  assert.equal(demo.pageUrl, `http://127.0.0.1:${ports.port}/`);
  assert.equal(demo.emulatorUrl, `http://127.0.0.1:${ports.emulatorPort}`);

  const index = await fetch(demo.pageUrl);
  assert.equal(index.status, 200);
  assert.match(index.headers.get('content-type'), /^text\/html/);
  assert.match(index.headers.get('content-security-policy'), /script-src 'self' 'wasm-unsafe-eval' 'sha256-/);
  assert.equal(index.headers.get('referrer-policy'), 'no-referrer');
  assert.match(await index.text(), /"dms-rerun": "\/pkg\/index\.mjs"/);

  const config = await (await fetch(new URL('/config.json', demo.pageUrl))).json();
  assert.equal(config.emulatorUrl, demo.emulatorUrl);
  assert.equal(config.demo.Endpoint, demo.emulatorUrl);

  const wasm = await fetch(new URL('/pkg/dms_rerun_bg.wasm', demo.pageUrl));
  assert.equal(wasm.status, 200);
  assert.equal(wasm.headers.get('content-type'), 'application/wasm');
  assert.deepEqual([...new Uint8Array(await wasm.arrayBuffer()).slice(0, 4)], [0, 0x61, 0x73, 0x6d]);

  // Nothing outside www/ and dist/web/ is reachable; nothing but GET/HEAD.
  const escape = await fetch(new URL('/pkg/..%2f..%2fpackage.json', demo.pageUrl));
  assert.equal(escape.status, 403);
  assert.equal((await fetch(new URL('/package.json', demo.pageUrl))).status, 404);
  assert.equal((await fetch(demo.pageUrl, { method: 'POST', body: 'x' })).status, 405);

  assert.equal((await emulatorState(demo.emulatorUrl)).clockSkewMs, 0);
});

test('initial page: exact field names, prefilled for the emulator, secret is a password field', async () => {
  const values = await page.$$eval('#form [name]', (inputs) => Object.fromEntries(inputs.map((i) => [i.name, i.value])));
  assert.deepEqual(values, defaults());
  const secret = page.locator('[name="AccessKeySecret"]');
  assert.equal(await secret.getAttribute('type'), 'password');
  assert.equal(await secret.getAttribute('autocomplete'), 'off');
  assert.equal(await secret.getAttribute('value'), null, 'prefilled as a property, not in the markup');
  // Every field has a <label> that starts with its name.
  const labels = await page.$$eval('#form [name]', (inputs) => inputs.map((i) => [i.name, i.labels[0]?.textContent.trim() ?? '']));
  for (const [name, label] of labels) assert.ok(label.startsWith(name), `${name}: label "${label}"`);
  assert.equal(await page.getAttribute('form', 'method'), 'post');
  assert.match(await page.textContent('#target'), new RegExp(`emulator at ${demo.emulatorUrl}`));
  assert.equal(await page.textContent('#status'), 'Package loaded (WebAssembly ready).');
  await screenshot('initial');
});

test('the prefilled rerun succeeds: RequestId and Success shown, as the emulator logged it', async () => {
  await setForm();
  const before = await emulatorState(demo.emulatorUrl);
  const { className, fields } = await rerun();
  assert.equal(className, 'success');
  const after = await emulatorState(demo.emulatorUrl);
  assert.equal(after.requests, before.requests + 1);
  assert.equal(after.reruns['47'], (before.reruns['47'] ?? 0) + 1);
  const entry = after.log.at(-1);
  assert.equal(entry.status, 200);
  assert.equal(fields.RequestId, entry.requestId);
  assert.equal(fields.Success, 'true');
  // Empty optional fields were omitted, not sent empty.
  assert.equal(entry.params.Tid, undefined);
  assert.equal(entry.params.SecurityToken, undefined);
  assert.deepEqual([entry.params.DagId, entry.params.DagInstanceId, entry.params.DagVersion], ['7', '47', '2']);
  await screenshot('success');
});

test('an unknown instance (999) shows the Api error InstanceNotExist, HTTP 200, styled as an error', async () => {
  await setForm({ DagInstanceId: '999' });
  const before = await emulatorState(demo.emulatorUrl);
  const { className, fields } = await rerun();
  const after = await emulatorState(demo.emulatorUrl);
  assert.equal(after.requests, before.requests + 1);
  assert.equal(className, 'error');
  assert.equal(fields.Kind, 'Api');
  assert.equal(fields.Code, 'InstanceNotExist');
  assert.equal(fields['HTTP status'], '200');
  assert.equal(fields.RequestId, after.log.at(-1).requestId);
  assert.ok(fields.Message.length > 0);
  const style = await page.$eval('#result', (el) => getComputedStyle(el).borderLeftColor);
  assert.equal(style, 'rgb(179, 38, 30)', 'red border');
  await screenshot('api-error');
});

test("a bad DagId ('abc') shows InvalidInput InvalidParameter.DagId and sends nothing", async () => {
  await setForm({ DagId: 'abc' });
  const before = await emulatorState(demo.emulatorUrl);
  const sentBefore = requests.filter((r) => r.url.startsWith(demo.emulatorUrl)).length;
  const { className, fields } = await rerun();
  assert.equal(className, 'error');
  assert.equal(fields.Kind, 'InvalidInput');
  assert.equal(fields.Code, 'InvalidParameter.DagId');
  assert.equal(fields.RequestId, undefined);
  assert.equal(fields['HTTP status'], undefined);
  assert.match(await page.textContent('#result'), /Nothing was sent/);
  assert.equal((await emulatorState(demo.emulatorUrl)).requests, before.requests, 'the emulator saw no request');
  assert.equal(requests.filter((r) => r.url.startsWith(demo.emulatorUrl)).length, sentBefore, 'the browser sent nothing, not even a preflight');
  await screenshot('invalid-input');
});

test('STS credentials: the SecurityToken field is sent, and a wrong secret shows the gateway error with its HTTP status', async () => {
  await setForm({ AccessKeyId: STS_KEY.accessKeyId, AccessKeySecret: STS_KEY.accessKeySecret, SecurityToken: STS_KEY.securityToken, Tid: '1' });
  const sts = await rerun();
  assert.equal(sts.className, 'success', JSON.stringify(sts.fields));
  const entry = (await emulatorState(demo.emulatorUrl)).log.at(-1);
  assert.equal(entry.params.SecurityToken, STS_KEY.securityToken);
  assert.equal(entry.params.Tid, '1');

  await setForm({ AccessKeySecret: 'not-the-secret' });
  const wrong = await rerun();
  assert.equal(wrong.className, 'error');
  assert.equal(wrong.fields.Kind, 'Api');
  assert.equal(wrong.fields.Code, 'SignatureDoesNotMatch');
  assert.equal(wrong.fields['HTTP status'], '400');
  assert.equal(wrong.fields.RequestId, (await emulatorState(demo.emulatorUrl)).log.at(-1).requestId);
  assert.match(await page.textContent('#result .advice'), /Preview options/);
  assert.match(await page.getAttribute('#result dd a', 'href'), /^https:\/\/api\.aliyun\.com\/troubleshoot\?/);
});

test('64-bit ids typed as text reach the gateway exactly (Tid, DagId 2^63-1, Unicode DagVersion)', async () => {
  const instance = BIG_FLOW.instances[0];
  await setForm({ Tid: MAX_LONG, DagId: MAX_LONG, DagInstanceId: instance, DagVersion: BIG_FLOW.dagVersion });
  const { className, fields } = await rerun();
  assert.equal(className, 'success', JSON.stringify(fields));
  const entry = (await emulatorState(demo.emulatorUrl)).log.at(-1);
  assert.equal(entry.requestId, fields.RequestId);
  assert.deepEqual(
    [entry.params.Tid, entry.params.DagId, entry.params.DagInstanceId, entry.params.DagVersion],
    [MAX_LONG, MAX_LONG, instance, 'v-大数据-🚀'],
  );
});

test("Preview shows exactly what the package's signRerunTaskFlowInstance gives in Node, and sends nothing", async () => {
  const { signRerunTaskFlowInstance } = await importPackage();
  const config = { accessKeyId: DEMO_KEY.accessKeyId, accessKeySecret: DEMO_KEY.accessKeySecret, endpoint: demo.emulatorUrl };
  const request = { dagId: '7', dagInstanceId: '47', dagVersion: '2' };
  const before = await emulatorState(demo.emulatorUrl);
  const sentBefore = requests.length;

  // 1. Fresh timestamp and nonce: recompute in Node from the values the page displays.
  await setForm();
  const fresh = await preview();
  assert.equal(fresh.className, '');
  assert.match(fresh.fields.Timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.ok(fresh.fields.SignatureNonce.length >= 8);
  const inNode = signRerunTaskFlowInstance(config, request, { timestamp: fresh.fields.Timestamp, nonce: fresh.fields.SignatureNonce });
  assert.deepEqual(fresh.fields, {
    Method: inNode.method,
    URL: inNode.url,
    Timestamp: fresh.fields.Timestamp,
    SignatureNonce: fresh.fields.SignatureNonce,
    'Canonical query': inNode.canonicalQuery,
    'String to sign': inNode.stringToSign,
    Signature: inNode.signature,
  });
  assert.equal(inNode.method, 'POST');
  assert.ok(inNode.url.startsWith(`${demo.emulatorUrl}/?`));

  // 2. Fixed timestamp and nonce typed into the preview options.
  await setForm({ Timestamp: FIXED.timestamp, SignatureNonce: FIXED.nonce });
  const fixed = await preview();
  const expected = signRerunTaskFlowInstance(config, request, FIXED);
  assert.equal(fixed.fields.Signature, expected.signature);
  assert.equal(fixed.fields['String to sign'], expected.stringToSign);
  assert.equal(fixed.fields['Canonical query'], expected.canonicalQuery);
  assert.equal(fixed.fields.URL, expected.url);
  assert.notEqual(fixed.fields.Signature, fresh.fields.Signature);

  assert.equal((await emulatorState(demo.emulatorUrl)).requests, before.requests, 'preview sent nothing');
  assert.equal(requests.length, sentBefore, 'the page made no request at all');
  assert.equal(await page.isVisible('#preview-warning'), true);
  assert.match(await page.textContent('#preview-warning'), /15 minutes/);
  // The long signed URL wraps inside the page instead of widening it.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.equal(overflow, 0, 'no horizontal scrolling');
  await screenshot('preview');
});

test('Preview: empty Endpoint/Tid/SecurityToken are omitted; invalid input is shown as an error', async () => {
  await setForm({ Endpoint: '', Timestamp: FIXED.timestamp, SignatureNonce: FIXED.nonce });
  const { fields } = await preview();
  assert.ok(fields.URL.startsWith('https://dms-enterprise.aliyuncs.com/?'), fields.URL);
  assert.doesNotMatch(fields['Canonical query'], /(^|&)(Tid|SecurityToken)=/);

  await setForm({ Tid: '1', SecurityToken: STS_KEY.securityToken, Timestamp: FIXED.timestamp, SignatureNonce: FIXED.nonce });
  const withOptional = await preview();
  assert.match(withOptional.fields['Canonical query'], /&SecurityToken=CAIS%2Bdemo%2Ftoken%3D%3D&/);
  assert.match(withOptional.fields['Canonical query'], /&Tid=1(&|$)/);

  await setForm({ DagId: 'abc' });
  const bad = await preview();
  assert.equal(bad.className, 'error');
  assert.equal(bad.fields.Kind, 'InvalidInput');
  assert.equal(bad.fields.Code, 'InvalidParameter.DagId');
  assert.equal(await page.isVisible('#preview-warning'), false);
});

test('nothing secret leaks: no storage, cookies, URL, DOM markup, console, or request to the page server', async () => {
  // Enter in a field submits nothing (no submit button; submit is prevented anyway).
  const urlBefore = page.url();
  const before = await emulatorState(demo.emulatorUrl);
  await setForm({ Timestamp: FIXED.timestamp, SignatureNonce: FIXED.nonce });
  await page.locator('[name="AccessKeySecret"]').press('Enter');
  await page.locator('[name="DagId"]').press('Enter');
  await preview(); // the state to inspect: secret in the form, a signed preview on screen
  assert.equal(page.url(), urlBefore);
  assert.equal(new URL(page.url()).search, '');
  assert.equal((await emulatorState(demo.emulatorUrl)).requests, before.requests, 'Enter did not rerun');

  const stored = await storedState(page);
  assert.deepEqual(stored, { local: 0, session: 0, cookie: '', idb: 0, caches: 0 });
  assert.deepEqual(await context.cookies(), []);

  // The secret is the password input's value and nowhere else in the document.
  assert.equal(await page.inputValue('[name="AccessKeySecret"]'), SECRET);
  const markup = await page.evaluate(() => document.documentElement.outerHTML + document.body.innerText);
  assert.ok(!markup.includes(SECRET), 'secret in DOM text or attributes');
  assert.ok(await page.textContent('#preview-output').then((t) => !t.includes(SECRET)));

  for (const message of consoleMessages) assert.ok(!message.text.includes(SECRET), `secret in console: ${message.text}`);
  // Chromium logs the wrong-secret test's HTTP 400 itself; anything else (a CSP violation, a failed load) is a bug.
  const expected400 = (m) => /^Failed to load resource: the server responded with a status of 400/.test(m.text);
  const problems = consoleMessages.filter((m) => (m.type === 'error' || m.type === 'warning') && !expected400(m));
  assert.deepEqual(problems, [], 'no unexpected console errors (CSP included)');
  assert.equal(consoleMessages.filter(expected400).length, 1);
  assert.deepEqual(pageErrors, []);
  for (const request of requests) {
    assert.ok(!request.url.includes(SECRET) && !(request.postData ?? '').includes(SECRET), `secret sent: ${request.url}`);
    if (request.url.startsWith(demo.pageUrl)) assert.equal(request.method, 'GET', `${request.method} ${request.url}`);
  }

  // Reloading forgets what was typed (autocomplete=off: no form state restore).
  await page.reload();
  await page.waitForSelector('html[data-ready="true"]');
  assert.equal(await page.inputValue('[name="Timestamp"]'), '');
  assert.equal(await page.inputValue('[name="DagId"]'), '7');
});

test('Ctrl-C (SIGINT) shuts both servers down cleanly', async () => {
  await browser.close(); // nothing holds a connection open
  browser = undefined;
  const { code, signal } = await demo.stop('SIGINT');
  assert.equal(signal, null, demo.output());
  assert.equal(code, 0, demo.output());
  assert.match(demo.output(), /stopped\./);
  assert.equal(await isListening(ports.port), false);
  assert.equal(await isListening(ports.emulatorPort), false);
});
