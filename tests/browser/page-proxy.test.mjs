/**
 * The demo page's "Send through a Worker proxy" mode, end to end: the real
 * `node scripts/start.mjs` page in headless Chromium, the real Worker proxy
 * (examples/worker, bundled by wrangler, run in workerd by Miniflare on a
 * localhost port) and the DMS emulator behind it. The page holds only the
 * proxy token; the Worker holds the AccessKey.
 * Screenshots: test-output/screenshots/page-proxy-{success,error,find}.png.
 *
 *   node --test tests/browser/page-proxy.test.mjs
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { startEmulator } from '../../emulator/server.mjs';
import { DEMO_KEY, MAX_LONG, STATUS, TASK_FLOWS } from '../../emulator/data.mjs';
import { launchBrowser, screenshotsDir } from './support.mjs';
import { emulatorState, freePort, readList, startDemo, storedState } from './page-harness.mjs';
import { startProxy } from './page-proxy-harness.mjs';

const TOKEN = 'page-proxy-token-5f0c9a7e2b41d8';
const WRONG_TOKEN = 'wrong-proxy-token-0000000000';
const REQUEST_ID = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/;
const BIG_FLOW = TASK_FLOWS[1];

let emu; // behind the proxy, in this process
let demo; // start.mjs: the page and its own emulator (used by the direct mode only)
let proxy;
let unreachableUrl; // a ProxyUrl nobody listens on (set by the CORS test)
let browser;
let context;
let page;
const consoleMessages = [];
const pageErrors = [];
const requests = []; // every Playwright Request the page made

before(async () => {
  const ports = { port: await freePort(), emulatorPort: await freePort() };
  while (ports.emulatorPort === ports.port) ports.emulatorPort = await freePort();
  // Reruns stay "running" until settled, so a test can see what a rerun did.
  [emu, demo, browser] = await Promise.all([startEmulator({ rerunOutcomeMs: null }), startDemo(ports), launchBrowser()]);
  proxy = await startProxy({ emulatorUrl: emu.url, token: TOKEN, allowedOrigin: new URL(demo.pageUrl).origin });
  context = await browser.newContext({ viewport: { width: 1000, height: 800 } });
  page = await context.newPage();
  page.on('console', (message) => consoleMessages.push({ type: message.type(), text: message.text() }));
  page.on('pageerror', (error) => pageErrors.push(String(error?.stack ?? error)));
  page.on('request', (request) => requests.push(request));
  await page.goto(demo.pageUrl);
  await page.waitForSelector('html[data-ready="true"]', { timeout: 20_000 });
});

after(async () => {
  await browser?.close();
  await proxy?.dispose();
  await emu?.close();
  await demo?.stop('SIGKILL');
});

/** Sets the named fields (a value per name); everything else keeps its value. */
async function fill(values) {
  for (const [name, value] of Object.entries(values)) await page.fill(`[name="${name}"]`, value);
}

/** Proxy mode with the task flow fields (demo defaults + changes). */
async function proxyForm(changes = {}) {
  await fill({ ProxyUrl: proxy.url, ProxyToken: TOKEN, Tid: '', DagId: '7', DagInstanceId: '47', DagVersion: '2', ...changes });
}

/** Clicks Rerun and waits for the outcome; also returns how many requests reached the emulator. */
async function rerun() {
  const before = emu.state.requests;
  await page.getByRole('button', { name: 'Rerun', exact: true }).click();
  await page.waitForFunction(() => ['success', 'error'].includes(document.getElementById('result').className));
  return {
    className: await page.getAttribute('#result', 'class'),
    fields: await readList(page, '#result dl'),
    advice: (await page.locator('#result .advice').allTextContents()).join(' '),
    emulatorRequests: emu.state.requests - before,
  };
}

/** The requests the page sent to `origin` since index `from`, without CORS preflights. */
const sentTo = (origin, from = 0) => requests.slice(from).filter((r) => r.url().startsWith(origin) && r.method() !== 'OPTIONS');

async function screenshot(name) {
  await mkdir(screenshotsDir, { recursive: true });
  await page.screenshot({ path: join(screenshotsDir, `page-${name}.png`), fullPage: true });
}

test('proxy mode is off by default: empty fields outside the form, token is a password field', async () => {
  assert.equal(await page.inputValue('[name="ProxyUrl"]'), '');
  assert.equal(await page.inputValue('[name="ProxyToken"]'), '');
  const token = page.locator('[name="ProxyToken"]');
  assert.equal(await token.getAttribute('type'), 'password');
  assert.equal(await token.getAttribute('autocomplete'), 'off');
  // Not inside the direct call's <form>: nothing here can be submitted.
  assert.deepEqual(await page.$$eval('[name^="Proxy"]', (inputs) => inputs.map((i) => [i.name, i.form === null])), [
    ['ProxyUrl', true],
    ['ProxyToken', true],
  ]);
  assert.match(await page.textContent('#proxy-mode'), /^Off: /);
  assert.equal(await page.isVisible('#credentials-note'), false);
  assert.match(await page.textContent('.real-use'), /Recommended:.*Send through a Worker proxy/s);

  // Typing a ProxyUrl switches the mode and greys out the (now unused) credentials.
  await fill({ ProxyUrl: `${proxy.url}/` });
  assert.equal(await page.textContent('#proxy-mode'), `On: Rerun posts to ${proxy.url}/rerun with the ProxyToken; the Credentials are not used.`);
  assert.equal(await page.isVisible('#credentials-note'), true);
  assert.match(await page.getAttribute('#credentials', 'class'), /\bignored\b/);
  assert.match(await page.textContent('#actions-hint'), /Preview is library-only/);
  await fill({ ProxyUrl: '' });
  assert.match(await page.textContent('#proxy-mode'), /^Off: /);
  assert.equal(await page.isVisible('#credentials-note'), false);
});

test('success through the proxy: one POST {ids as strings} with the bearer token, RequestId as the emulator logged it', async () => {
  // The AccessKey fields are ignored: garbage there does not matter, the Worker's key signs.
  await fill({ AccessKeyId: 'not-used-by-the-proxy', AccessKeySecret: 'not-used-either' });
  await proxyForm();
  const from = requests.length;
  const childBefore = (await emulatorState(demo.emulatorUrl)).requests;
  const reruns = emu.state.reruns.get('47') ?? 0;
  const { className, fields, emulatorRequests } = await rerun();

  assert.equal(className, 'success', JSON.stringify(fields));
  assert.equal(emulatorRequests, 1);
  assert.equal(emu.state.reruns.get('47'), reruns + 1);
  const entry = emu.state.log.at(-1);
  assert.equal(entry.status, 200);
  assert.match(fields.RequestId, REQUEST_ID);
  assert.equal(fields.RequestId, entry.requestId);
  assert.equal(fields.Success, 'true');
  assert.equal(fields['Via proxy'], `${proxy.url}/rerun`);
  assert.equal(entry.params.AccessKeyId, DEMO_KEY.accessKeyId, "signed with the Worker's key");
  assert.deepEqual([entry.params.DagId, entry.params.DagInstanceId, entry.params.DagVersion, entry.params.Tid], ['7', '47', '2', undefined]);

  // Exactly one request left the page: to the proxy, with the token in the header only.
  const sent = requests.slice(from).filter((r) => r.method() !== 'OPTIONS');
  assert.deepEqual(sent.map((r) => [r.method(), r.url()]), [['POST', `${proxy.url}/rerun`]]);
  assert.deepEqual(JSON.parse(sent[0].postData()), { dagId: '7', dagInstanceId: '47', dagVersion: '2' });
  const headers = await sent[0].allHeaders();
  assert.equal(headers.authorization, `Bearer ${TOKEN}`);
  assert.equal(headers['content-type'], 'application/json');
  assert.equal(headers.origin, new URL(demo.pageUrl).origin);
  assert.equal((await emulatorState(demo.emulatorUrl)).requests, childBefore, 'no direct call to DMS');
  await screenshot('proxy-success');
});

test('64-bit ids and a tenant typed as text reach DMS exactly through the proxy', async () => {
  await proxyForm({ Tid: MAX_LONG, DagId: MAX_LONG, DagInstanceId: BIG_FLOW.instances[0], DagVersion: BIG_FLOW.dagVersion });
  const from = requests.length;
  const { className, fields, emulatorRequests } = await rerun();
  assert.equal(className, 'success', JSON.stringify(fields));
  assert.equal(emulatorRequests, 1);
  const { params, requestId } = emu.state.log.at(-1);
  assert.equal(fields.RequestId, requestId);
  assert.deepEqual([params.Tid, params.DagId, params.DagInstanceId, params.DagVersion], [MAX_LONG, MAX_LONG, BIG_FLOW.instances[0], 'v-大数据-🚀']);
  assert.deepEqual(JSON.parse(sentTo(proxy.url, from)[0].postData()), {
    dagId: MAX_LONG,
    dagInstanceId: BIG_FLOW.instances[0],
    dagVersion: BIG_FLOW.dagVersion,
    tid: MAX_LONG,
  });
});

test('a wrong token shows the proxy 401 (Proxy/Unauthorized) and nothing reaches DMS', async () => {
  await proxyForm({ ProxyToken: WRONG_TOKEN });
  const { className, fields, advice, emulatorRequests } = await rerun();
  assert.equal(className, 'error');
  assert.equal(emulatorRequests, 0);
  assert.equal(fields.Kind, 'Proxy');
  assert.equal(fields.Code, 'Unauthorized');
  assert.equal(fields['Proxy HTTP status'], '401');
  assert.equal(fields.RequestId, undefined);
  assert.equal(fields['DMS HTTP status'], undefined);
  assert.match(advice, /PROXY_TOKEN/);
  assert.match(await page.textContent('#result .headline'), /^Failed: Proxy/);
});

test("an unknown instance shows the proxy's 422 Api/InstanceNotExist with DMS's RequestId, styled as an error", async () => {
  await proxyForm({ DagInstanceId: '999' });
  const { className, fields, emulatorRequests } = await rerun();
  assert.equal(className, 'error');
  assert.equal(emulatorRequests, 1);
  assert.equal(fields.Kind, 'Api');
  assert.equal(fields.Code, 'InstanceNotExist');
  assert.equal(fields['Proxy HTTP status'], '422');
  assert.equal(fields['DMS HTTP status'], '200');
  assert.equal(fields.RequestId, emu.state.log.at(-1).requestId);
  assert.ok(fields.Message.length > 0);
  const border = await page.$eval('#result', (el) => getComputedStyle(el).borderLeftColor);
  assert.equal(border, 'rgb(179, 38, 30)', 'red border');
  await screenshot('proxy-error');
});

test("the proxy's own validation (400 InvalidParameter.DagId) and the page's (empty token, plain-http URL) send nothing to DMS", async () => {
  await proxyForm({ DagId: 'abc' });
  const bad = await rerun();
  assert.equal(bad.className, 'error');
  assert.deepEqual([bad.fields.Kind, bad.fields.Code, bad.fields['Proxy HTTP status']], ['InvalidInput', 'InvalidParameter.DagId', '400']);
  assert.equal(bad.emulatorRequests, 0);

  // Refused in the page: not even a request to the proxy.
  const from = requests.length;
  await proxyForm({ ProxyToken: '' });
  const empty = await rerun();
  assert.deepEqual([empty.className, empty.fields.Kind, empty.fields.Code], ['error', 'InvalidInput', 'InvalidParameter.ProxyToken']);
  await proxyForm({ ProxyUrl: 'http://dms-rerun-proxy.example.workers.dev' });
  const clear = await rerun();
  assert.deepEqual([clear.fields.Code, clear.emulatorRequests], ['InvalidParameter.ProxyUrl', 0]);
  assert.match(clear.fields.Message, /https/);
  assert.equal(requests.length, from, 'the page made no request at all');
});

test('CORS-blocked and unreachable proxies: a Network error that says the rerun may or may not have happened', async () => {
  // The `foreign` Worker allows another origin only: Chromium blocks it at the preflight.
  await proxyForm({ ProxyUrl: proxy.foreignUrl });
  const blocked = await rerun();
  assert.equal(blocked.className, 'error');
  assert.equal(blocked.fields.Kind, 'Network');
  assert.equal(blocked.fields['Proxy HTTP status'], undefined);
  assert.match(blocked.advice, /may or may not have happened/);
  assert.match(blocked.advice, new RegExp(`ALLOWED_ORIGIN must list this page\u2019s origin, ${new URL(demo.pageUrl).origin}`));
  assert.equal(blocked.emulatorRequests, 0);

  unreachableUrl = `http://127.0.0.1:${await freePort()}`;
  await proxyForm({ ProxyUrl: unreachableUrl });
  const refused = await rerun();
  assert.deepEqual([refused.className, refused.fields.Kind], ['error', 'Network']);
  assert.match(refused.advice, /may or may not have happened/);
});

test('Preview stays library-only in proxy mode, and an empty ProxyUrl brings the direct call back', async () => {
  await fill({ AccessKeyId: DEMO_KEY.accessKeyId, AccessKeySecret: DEMO_KEY.accessKeySecret, Endpoint: demo.emulatorUrl });
  await proxyForm();
  const from = requests.length;
  await page.getByRole('button', { name: 'Preview', exact: true }).click();
  await page.waitForSelector('#preview-output dl');
  assert.ok((await readList(page, '#preview-output dl')).URL.startsWith(`${demo.emulatorUrl}/?`));
  assert.match(await page.textContent('#preview-output .note'), /Preview is library-only/);
  assert.equal(requests.length, from, 'Preview sent nothing');

  await fill({ ProxyUrl: '' });
  const childBefore = (await emulatorState(demo.emulatorUrl)).requests;
  const direct = await rerun();
  assert.equal(direct.className, 'success', JSON.stringify(direct.fields));
  assert.equal(direct.emulatorRequests, 0, 'the proxy was not used');
  assert.equal((await emulatorState(demo.emulatorUrl)).requests, childBefore + 1);
  assert.equal(direct.fields['Via proxy'], undefined);
});

/** Clicks a Find panel row's Rerun and reads the outcome shown under it. */
async function rerunRow(id) {
  const outcome = `tbody[data-id="${id}"] .row-outcome`;
  await page.getByRole('button', { name: `Rerun instance ${id}`, exact: true }).click();
  await page.waitForFunction((selector) => /\b(success|error)\b/.test(document.querySelector(selector)?.className ?? ''), outcome);
  return {
    className: await page.getAttribute(outcome, 'class'),
    fields: await readList(page, `${outcome} dl`),
    button: await page.$eval(`tbody[data-id="${id}"] td.action button`, (b) => ({ text: b.textContent, disabled: b.disabled })),
  };
}

test('Find failed runs: no listing through the Worker (Find off, said why); rows listed before rerun through it', async () => {
  // Listed directly (the Worker has no list route) from start.mjs's emulator.
  await fill({ ProxyUrl: '', FindDagId: '7' });
  await page.selectOption('#FindStatus', 'failed');
  await page.click('#find');
  await page.waitForSelector('#find-output:not([aria-busy="true"]) tbody.record');
  // (47 was rerun directly by an earlier test, so it is no longer failed there.)
  const listed = await page.$$eval('#find-output tbody.record', (bodies) => bodies.map((b) => b.dataset.id));
  assert.deepEqual(listed.filter((id) => id !== '47'), ['7097', '48']);

  await proxyForm();
  assert.equal(await page.isDisabled('#find'), true, 'Find is off in proxy mode');
  assert.match(await page.textContent('#find-proxy-note'), /offers only\s+POST \/rerun, so listing through it is not available/);
  const from = requests.length;
  const childBefore = (await emulatorState(demo.emulatorUrl)).requests;
  const before = emu.state.requests;
  const ok = await rerunRow('48');
  assert.match(ok.className, /\bsuccess\b/, JSON.stringify(ok.fields));
  assert.deepEqual(ok.button, { text: 'Rerun sent', disabled: true });
  assert.match(await page.textContent('tbody[data-id="48"] .row-outcome'), /Find is off in proxy mode: clear ProxyUrl/);
  assert.equal(emu.state.requests, before + 1);
  const entry = emu.state.log.at(-1);
  assert.equal(ok.fields.RequestId, entry.requestId);
  assert.equal(ok.fields['Via proxy'], `${proxy.url}/rerun`);
  assert.deepEqual([entry.params.DagId, entry.params.DagInstanceId, entry.params.DagVersion], ['7', '48', '2']);
  assert.equal(emu.runs.get('48').status, STATUS.running, "the Worker's DMS runs it again");
  const sent = sentTo(proxy.url, from);
  assert.deepEqual(sent.map((r) => r.method()), ['POST']);
  assert.deepEqual(JSON.parse(sent[0].postData()), { dagId: '7', dagInstanceId: '48', dagVersion: '2' });
  assert.equal((await emulatorState(demo.emulatorUrl)).requests, childBefore, 'nothing went to DMS directly');

  // A refusal by the Worker shows in the row, and the row may be tried again.
  await fill({ ProxyToken: WRONG_TOKEN });
  const refused = await rerunRow('7097');
  assert.match(refused.className, /\berror\b/);
  assert.deepEqual([refused.fields.Kind, refused.fields.Code, refused.fields['Proxy HTTP status']], ['Proxy', 'Unauthorized', '401']);
  assert.deepEqual(refused.button, { text: 'Rerun', disabled: false });
  assert.equal(emu.state.requests, before + 1, 'nothing reached DMS');
  await fill({ ProxyToken: TOKEN });
  await page.locator('#finder').screenshot({ path: join(screenshotsDir, 'page-proxy-find.png') });

  await fill({ ProxyUrl: '' });
  assert.equal(await page.isEnabled('#find'), true);
  assert.equal(await page.isVisible('#find-proxy-note'), false);
});

test('the token leaks nowhere: DOM, storage, URL, console, request URLs/bodies; reload forgets it', async () => {
  await proxyForm();
  await page.locator('[name="ProxyToken"]').press('Enter'); // outside any form: nothing happens
  const ok = await rerun();
  assert.equal(ok.className, 'success');
  assert.equal(new URL(page.url()).search, '');
  assert.equal(page.url(), demo.pageUrl);

  assert.equal(await page.inputValue('[name="ProxyToken"]'), TOKEN, 'only the password input holds it');
  const markup = await page.evaluate(() => document.documentElement.outerHTML + document.body.innerText);
  for (const secret of [TOKEN, WRONG_TOKEN]) assert.ok(!markup.includes(secret), 'token in DOM text or attributes');
  const stored = await storedState(page);
  assert.deepEqual(stored, { local: 0, session: 0, cookie: '', idb: 0, caches: 0 });
  assert.deepEqual(await context.cookies(), []);

  for (const message of consoleMessages) {
    for (const secret of [TOKEN, WRONG_TOKEN]) assert.ok(!message.text.includes(secret), `token in console: ${message.text}`);
  }
  // Chromium's own lines for the expected failures (401, 422, 400, CORS, refused); nothing else.
  const expected = /^(Failed to load resource: (the server responded with a status of (400|401|422)|net::ERR_(FAILED|CONNECTION_REFUSED))|Access to fetch at '.*' from origin '.*' has been blocked by CORS policy)/;
  assert.deepEqual(consoleMessages.filter((m) => (m.type === 'error' || m.type === 'warning') && !expected.test(m.text)), []);
  assert.deepEqual(pageErrors, []);

  // The token travelled only as the Authorization header of POSTs to the proxy URLs typed.
  let withToken = 0;
  for (const request of requests) {
    const headers = await request.allHeaders().catch(() => request.headers());
    for (const secret of [TOKEN, WRONG_TOKEN]) {
      assert.ok(!request.url().includes(secret) && !(request.postData() ?? '').includes(secret), `token sent in ${request.url()}`);
      const carrying = Object.entries(headers).filter(([, value]) => value.includes(secret));
      if (carrying.length === 0) continue;
      withToken += 1;
      assert.deepEqual(carrying, [['authorization', `Bearer ${secret}`]]);
      assert.equal(request.method(), 'POST');
      assert.ok([proxy.url, proxy.foreignUrl, unreachableUrl].some((origin) => request.url().startsWith(origin)), request.url());
    }
  }
  assert.ok(withToken >= 5, `${withToken} requests carried a token`);

  await page.reload();
  await page.waitForSelector('html[data-ready="true"]');
  assert.equal(await page.inputValue('[name="ProxyUrl"]'), '');
  assert.equal(await page.inputValue('[name="ProxyToken"]'), '');
  assert.match(await page.textContent('#proxy-mode'), /^Off: /);
});
