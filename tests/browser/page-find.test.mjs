/**
 * The demo page's "Find failed runs" panel, end to end: the real
 * `node scripts/start.mjs` (page + DMS emulator in a child process) in
 * headless Chromium. What the table shows is checked against the emulator's
 * own records (GET /__admin/runs), what a row's Rerun did against its request
 * log and records. Screenshots: test-output/screenshots/page-find-*.png.
 *
 *   node --test tests/browser/page-find.test.mjs
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { BIG_ID_FLOW, DEMO_KEY, LIST_FLOW, MAX_LONG } from '../../emulator/data.mjs';
import { launchBrowser, screenshotsDir } from './support.mjs';
import { emulatorAdmin, emulatorState, freePort, readList, startDemo, storedState } from './page-harness.mjs';

const SECRET = DEMO_KEY.accessKeySecret;
const XSS = '<img src=x onerror="window.__xss=1">';
const DAY_MS = 24 * 60 * 60 * 1000;

let demo;
let browser;
let context;
let page;
const consoleMessages = [];
const pageErrors = [];
const requests = []; // every request the page made: {url, method, postData}
const signatures = new Set(); // every Signature the emulator received from this page

/** `YYYY-MM-DD` (UTC) `days` days before now: the browser runs in UTC, like the emulator's days. */
const day = (days) => new Date(Date.now() - days * DAY_MS).toISOString().slice(0, 10);

const admin = (path, body, options) => emulatorAdmin(demo.emulatorUrl, path, body, options);

/** Keeps the signatures of the requests the emulator logged (reset forgets them). */
async function harvestSignatures() {
  for (const entry of (await emulatorState(demo.emulatorUrl)).log) {
    const signature = new URLSearchParams(entry.rawQuery ?? '').get('Signature');
    if (signature) signatures.add(signature);
  }
}

/** Back to the seed; reruns stay "running" until the test settles them. */
async function resetEmulator() {
  await harvestSignatures();
  await admin('/reset', {});
  await admin('/config', { rerunOutcomeMs: null });
}

/** Fills the panel (only the fields given), presses Find, waits until the listing is over. */
async function find(fields = {}) {
  const ids = { dagId: '#FindDagId', since: '#Since', until: '#Until' };
  for (const [key, selector] of Object.entries(ids)) if (fields[key] !== undefined) await page.fill(selector, fields[key]);
  if (fields.status !== undefined) await page.selectOption('#FindStatus', fields.status);
  await page.click('#find');
  await page.waitForSelector('#find-output:not([aria-busy="true"])');
  return { summary: await page.textContent('#find-status'), rows: await readRows() };
}

/** The table as shown: one object per record (a <tbody>), by label, plus its Rerun button's text. */
function readRows() {
  return page.$$eval('#find-output tbody.record', (records) =>
    records.map((record) => ({
      ...Object.fromEntries(
        [...record.querySelectorAll('td[data-label]')].map((td) => [td.dataset.label, (td.querySelector('.message-text') ?? td).textContent]),
      ),
      button: record.querySelector('td.action button')?.textContent ?? null,
    })),
  );
}

const outcomeOf = (id) => `tbody[data-id="${id}"] .row-outcome`;

/** Clicks a row's Rerun and waits for its outcome. */
async function rerunRow(id) {
  await page.getByRole('button', { name: `Rerun instance ${id}`, exact: true }).click();
  return rowOutcome(id);
}

/** Waits for the outcome of a row's rerun and reads it. */
async function rowOutcome(id) {
  await page.waitForFunction((selector) => /\b(success|error)\b/.test(document.querySelector(selector)?.className ?? ''), outcomeOf(id));
  return {
    className: await page.getAttribute(outcomeOf(id), 'class'),
    fields: await readList(page, `${outcomeOf(id)} dl`),
    text: await page.textContent(outcomeOf(id)),
    button: await page.$eval(`tbody[data-id="${id}"] td.action button`, (b) => ({ text: b.textContent, disabled: b.disabled })),
  };
}

/** The emulator's records of a task flow, as its admin API shows them (ids as strings). */
async function records(dagId) {
  return (await admin(`/runs?dagId=${encodeURIComponent(dagId)}`)).runs;
}

/** What the table should show for records, in list order. */
const expectedRows = (list) =>
  list.map((r) => ({
    Id: r.id,
    Version: r.dagVersion,
    Status: r.statusName,
    Start: r.startTime ?? '\u2014',
    End: r.endTime ?? '\u2014',
    ...(r.message ? { Message: r.message } : {}), // no message, no message row
    button: r.statusName === 'failed' ? 'Rerun' : null,
  }));

const inRange = (since, until) => (r) => r.startTime !== null && r.startTime.slice(0, 10) >= since && r.startTime.slice(0, 10) <= until;

/** The whole page, or (`panelOnly`) just the Find panel, big enough to read. */
async function screenshot(name, { panelOnly = false } = {}) {
  await mkdir(screenshotsDir, { recursive: true });
  const path = join(screenshotsDir, `page-find-${name}.png`);
  await (panelOnly ? page.locator('#finder').screenshot({ path }) : page.screenshot({ path, fullPage: true }));
}

/** Horizontal scrolling, in CSS pixels (0 = none), of the page and of the table inside its box. */
const overflow = () =>
  page.evaluate(() =>
    Math.max(
      ...[document.documentElement, ...document.querySelectorAll('.table-wrap')].map((el) => el.scrollWidth - el.clientWidth),
    ),
  );

before(async () => {
  const ports = { port: await freePort(), emulatorPort: await freePort() };
  while (ports.emulatorPort === ports.port) ports.emulatorPort = await freePort();
  demo = await startDemo(ports);
  await admin('/config', { rerunOutcomeMs: null });
  browser = await launchBrowser();
  // UTC like the emulator, so the page's default days are the emulator's days.
  context = await browser.newContext({ viewport: { width: 1000, height: 800 }, timezoneId: 'UTC' });
  page = await context.newPage();
  page.on('console', (message) => consoleMessages.push({ type: message.type(), text: message.text() }));
  page.on('pageerror', (error) => pageErrors.push(String(error?.stack ?? error)));
  page.on('request', (request) => requests.push({ url: request.url(), method: request.method(), postData: request.postData() }));
  await page.goto(demo.pageUrl);
  await page.waitForSelector('html[data-ready="true"]', { timeout: 20_000 });
});

after(async () => {
  await browser?.close();
  await demo?.stop('SIGKILL');
});

test('start.mjs prints the emulator admin token, and it opens /__admin/', async () => {
  const printed = demo.output().match(/Emulator admin:\s+X-Emulator-Admin: (\S+)/);
  assert.ok(printed, demo.output());
  const answer = await fetch(`${demo.emulatorUrl}/__admin/runs?dagId=7`, { headers: { 'X-Emulator-Admin': printed[1] } });
  assert.equal(answer.status, 200);
  assert.equal((await answer.json()).runs.length, LIST_FLOW.runs.length);
  assert.equal((await fetch(`${demo.emulatorUrl}/__admin/state`)).status, 401, 'no token, no admin');
});

test('the panel starts prefilled: DagId 7, the last 3 days and today, status failed; Find is on', async () => {
  assert.equal(await page.inputValue('#FindDagId'), '7');
  assert.equal(await page.inputValue('#Since'), day(3));
  assert.equal(await page.inputValue('#Until'), day(0));
  assert.equal(await page.inputValue('#FindStatus'), 'failed');
  assert.equal(await page.isEnabled('#find'), true);
  assert.equal(await page.isVisible('#find-proxy-note'), false);
  // Its fields are outside the rerun form: Enter there lists, it never reruns.
  assert.deepEqual(await page.$$eval('#find-form [name]', (els) => els.map((e) => e.form.id)), ['find-form', 'find-form', 'find-form', 'find-form']);
});

test('Find lists the seeded failed runs of task flow 7 in the last 3 days, as the emulator holds them', async () => {
  const before = await emulatorState(demo.emulatorUrl);
  const { summary, rows } = await find();
  const expected = (await records('7')).filter((r) => r.statusName === 'failed').filter(inRange(day(3), day(0)));
  assert.deepEqual(rows, expectedRows(expected));
  assert.deepEqual(rows.map((r) => r.Id), ['7097', '48', '47'], 'the seed: failed 17, 41 and 49 hours ago');
  assert.equal(summary, `3 failed runs of ${LIST_FLOW.dagName} (DagId 7) started ${day(3)} to ${day(0)}.`);

  // One ListTaskFlowInstance request, with the panel's filters and the form's key.
  const after = await emulatorState(demo.emulatorUrl);
  assert.equal(after.requests, before.requests + 1);
  const { params, status } = after.log.at(-1);
  assert.equal(status, 200);
  assert.deepEqual(
    [params.Action, params.DagId, params.Status, params.StartTimeBegin, params.StartTimeEnd, params.PageIndex, params.PageSize, params.AccessKeyId],
    ['ListTaskFlowInstance', '7', '3', day(3), day(0), '1', '100', DEMO_KEY.accessKeyId],
  );
  assert.equal(params.Tid, undefined);
  await screenshot('failed');
  assert.equal(await overflow(), 0, 'no horizontal scrolling');
});

test('"any status" lists every record in the range; only failed rows get a Rerun button; Enter in DagId is Find', async () => {
  await page.selectOption('#FindStatus', '');
  await page.fill('#Since', day(6));
  await page.locator('#FindDagId').press('Enter');
  await page.waitForSelector('#find-output:not([aria-busy="true"])');
  const rows = await readRows();
  const expected = (await records('7')).filter(inRange(day(6), day(0)));
  assert.ok(expected.length > 10, `${expected.length} records`);
  assert.deepEqual(rows, expectedRows(expected));
  assert.deepEqual(new Set(rows.map((r) => r.Status)), new Set(['running', 'suspended', 'failed', 'succeeded', 'completed']));
  assert.equal(await page.textContent('#find-status'), `${rows.length} runs of ${LIST_FLOW.dagName} (DagId 7) started ${day(6)} to ${day(0)}.`);
  await screenshot('any-status');
  assert.equal(await overflow(), 0);
});

test('Rerun on a failed row: disabled while in flight, accepted with its RequestId, the emulator shows it running', async () => {
  await resetEmulator();
  await find({ status: 'failed', since: day(3), until: day(0) });
  // The gateway answers 800 ms late, so the in-flight state can be seen.
  await admin('/faults', { faults: [{ type: 'slow', delayMs: 800 }] });
  await page.getByRole('button', { name: 'Rerun instance 48', exact: true }).click();
  const during = await page.$eval('tbody[data-id="48"] td.action button', (b) => ({ text: b.textContent, disabled: b.disabled }));
  assert.deepEqual(during, { text: 'Rerunning…', disabled: true });
  assert.match(await page.textContent(outcomeOf('48')), /^Sending…$/);

  const { className, fields, text, button } = await rowOutcome('48');
  assert.match(className, /\bsuccess\b/);
  assert.deepEqual(button, { text: 'Rerun sent', disabled: true }, 'no second rerun by accident');
  const entry = (await emulatorState(demo.emulatorUrl)).log.at(-1);
  assert.equal(entry.params.Action, 'ReRunTaskFlowInstance');
  assert.deepEqual([entry.params.DagId, entry.params.DagInstanceId, entry.params.DagVersion], ['7', '48', '2']);
  assert.equal(fields.RequestId, entry.requestId);
  assert.match(text, /^Rerun accepted\./);
  assert.match(text, /press Find again/);

  const runs = await admin('/runs?dagId=7');
  assert.equal(runs.runs.find((r) => r.id === '48').statusName, 'running');
  assert.deepEqual(runs.running, ['48']);
  // The other failed rows are untouched, their buttons still on.
  assert.equal(await page.isEnabled('button[aria-label="Rerun instance 47"]'), true);
  await screenshot('rerun-accepted');

  // Find again: the record now shows as running (and is no longer in the failed list).
  const again = await find({ status: '' });
  assert.equal(again.rows.find((r) => r.Id === '48').Status, 'running');
  assert.equal(again.rows.find((r) => r.Id === '48').button, null);
  await admin('/settle', { instanceId: '48' });
  const settled = await find({ status: '' });
  assert.equal(settled.rows.find((r) => r.Id === '48').Status, 'succeeded');
  await page.selectOption('#FindStatus', 'failed');
});

test('API errors show kind and code: a row rerun with a wrong secret, a listing with one, an invalid DagId', async () => {
  await resetEmulator();
  await find({ dagId: '7', status: 'failed', since: day(3), until: day(0) });
  // The key is read when Rerun is pressed, not when the list was made.
  await page.fill('[name="AccessKeySecret"]', 'not-the-secret');
  const wrong = await rerunRow('47');
  assert.match(wrong.className, /\berror\b/);
  assert.deepEqual([wrong.fields.Kind, wrong.fields.Code, wrong.fields['HTTP status']], ['Api', 'SignatureDoesNotMatch', '400']);
  assert.equal(wrong.fields.RequestId, (await emulatorState(demo.emulatorUrl)).log.at(-1).requestId);
  assert.deepEqual(wrong.button, { text: 'Rerun', disabled: false }, 'a failed rerun may be tried again');
  assert.equal((await admin('/runs?dagId=7')).running.length, 0, 'nothing was rerun');
  await screenshot('rerun-error', { panelOnly: true });

  // With the right key again, the same row reruns.
  await page.fill('[name="AccessKeySecret"]', SECRET);
  const ok = await rerunRow('47');
  assert.match(ok.className, /\bsuccess\b/);
  assert.deepEqual((await admin('/runs?dagId=7')).running, ['47']);

  // A listing refused by the gateway.
  await page.fill('[name="AccessKeySecret"]', 'not-the-secret');
  const refused = await find();
  assert.deepEqual(refused.rows, []);
  assert.equal(refused.summary, '');
  const listError = await readList(page, '#find-output dl');
  assert.deepEqual([listError.Kind, listError.Code, listError['HTTP status']], ['Api', 'SignatureDoesNotMatch', '400']);
  await page.fill('[name="AccessKeySecret"]', SECRET);

  // Refused by the package before anything is sent.
  const sent = (await emulatorState(demo.emulatorUrl)).requests;
  await find({ dagId: 'abc' });
  const invalid = await readList(page, '#find-output dl');
  assert.deepEqual([invalid.Kind, invalid.Code], ['InvalidInput', 'InvalidParameter.DagId']);
  assert.match(await page.textContent('#find-output'), /Nothing was sent/);
  assert.equal((await emulatorState(demo.emulatorUrl)).requests, sent, 'the emulator saw nothing');

  // Until before Since: said in the page, nothing sent.
  await find({ dagId: '7', since: day(0), until: day(3) });
  assert.match(await page.textContent('#find-output'), /Until \(.*\) is before Since/);
  assert.equal((await emulatorState(demo.emulatorUrl)).requests, sent);
  await page.fill('#Since', day(3));
  await page.fill('#Until', day(0));
});

test('the 2^63-1 task flow: ids shown exactly, the quoted/multi-line/Chinese message as text, Rerun sends the exact id', async () => {
  await resetEmulator();
  const { rows, summary } = await find({ dagId: MAX_LONG, status: '' });
  const expected = (await records(MAX_LONG)).filter(inRange(day(3), day(0)));
  assert.deepEqual(rows, expectedRows(expected));
  assert.deepEqual(rows.map((r) => r.Id), [MAX_LONG, '9223372036854775806', '9007199254740993', '9007199254740992']);
  assert.equal(summary, `4 runs of ${BIG_ID_FLOW.dagName} (DagId ${MAX_LONG}) started ${day(3)} to ${day(0)}.`);
  // The seeded message, character for character, and shown on its lines (not as one line of HTML text).
  const seeded = BIG_ID_FLOW.runs.find((r) => r.id === '9223372036854775806').message;
  assert.equal(seeded, '节点 "load_大数据" 失败:\n\tquota exceeded \\ retry');
  assert.equal(rows[1].Message, seeded);
  const shown = await page.$eval('tbody[data-id="9223372036854775806"] .message-text', (div) => div.innerText);
  assert.equal(shown.split('\n').length, 2, JSON.stringify(shown));

  const { className, fields } = await rerunRow('9223372036854775806');
  assert.match(className, /\bsuccess\b/);
  const entry = (await emulatorState(demo.emulatorUrl)).log.at(-1);
  assert.equal(fields.RequestId, entry.requestId);
  assert.deepEqual([entry.params.DagId, entry.params.DagInstanceId, entry.params.DagVersion], [MAX_LONG, '9223372036854775806', 'v-大数据-🚀']);
  // The neighbour a JS Number would merge it with was not touched.
  const after = await records(MAX_LONG);
  assert.equal(after.find((r) => r.id === '9223372036854775806').statusName, 'running');
  assert.equal(after.find((r) => r.id === MAX_LONG).statusName, 'succeeded');
  await screenshot('big-ids');
  assert.equal(await overflow(), 0);
});

test('server text stays text: an <img onerror> message and name, and an unbreakable 600-character message, do not overflow', async () => {
  await resetEmulator();
  const long = `ERROR:${'x'.repeat(600)}`;
  const body =
    '{"RequestId":"5A1E0F00-0000-4000-8000-00000000A11C","Success":true,"TotalCount":2,"DAGInstanceList":{"DAGInstance":[' +
    `{"Id":47,"DagId":"7","DagName":${JSON.stringify(XSS)},"DagVersion":"<b>2</b>","Status":3,"TriggerType":0,` +
    `"BusinessTime":"2026-01-01 00:00:00","startTime":"2026-01-02 00:00:00","EndTime":"2026-01-02 00:10:00","Message":${JSON.stringify(XSS)}},` +
    `{"Id":48,"DagId":"7","DagName":"n","DagVersion":"${'v'.repeat(80)}","Status":3,"TriggerType":1,"Message":${JSON.stringify(long)}}]}}`;
  await admin('/faults', { faults: [{ type: 'raw', body }] });
  const { rows, summary } = await find({ dagId: '7', status: 'failed' });
  assert.deepEqual(rows.map((r) => [r.Id, r.Version, r.Message]), [
    ['47', '<b>2</b>', XSS],
    ['48', 'v'.repeat(80), long],
  ]);
  assert.equal(summary, `2 failed runs of ${XSS} (DagId 7) started ${day(3)} to ${day(0)}.`);
  // Parsed as HTML, these would be elements (whatever the CSP then blocks).
  assert.equal(await page.locator('#finder img, #finder b, #finder script').count(), 0);
  assert.equal(await page.evaluate(() => window.__xss), undefined);
  await screenshot('hostile-text', { panelOnly: true });
  assert.equal(await overflow(), 0, 'the long message wraps inside the page');
  // It starts folded to a few lines; "Show all" unfolds it, and it still wraps.
  const hidden = () => page.$eval('tbody[data-id="48"] .message-text', (box) => box.scrollHeight - box.clientHeight);
  assert.ok((await hidden()) > 0, 'folded: part of it is hidden');
  await page.getByRole('button', { name: `Show all ${long.length} characters` }).click();
  assert.equal(await hidden(), 0, 'unfolded: all of it shows');
  assert.equal(await overflow(), 0);
  assert.equal(await page.locator('tbody[data-id="47"] button.link').count(), 0, 'a short message has nothing to unfold');

  await page.setViewportSize({ width: 390, height: 844 });
  try {
    await screenshot('hostile-text-mobile', { panelOnly: true });
    assert.equal(await overflow(), 0, 'no horizontal scrolling at phone width');
  } finally {
    await page.setViewportSize({ width: 1000, height: 800 });
  }
});

test('every page is read (100 records each), and at most 500 rows are shown, saying so', async () => {
  await resetEmulator();
  // Six pages of a 600-record answer, one scripted answer per request, as the gateway would page them.
  const record = (n) =>
    `{"Id":${9007199254740993n + BigInt(n)},"DagId":"7","DagName":"paged","DagVersion":"2","Status":3,"TriggerType":0,` +
    `"startTime":"2026-01-01 00:00:00","Message":"run ${n}"}`;
  const faults = [];
  for (let page = 0; page < 6; page += 1) {
    const records = Array.from({ length: 100 }, (_, i) => record(page * 100 + i)).join(',');
    faults.push({ type: 'raw', body: `{"RequestId":"P${page}","Success":true,"TotalCount":600,"DAGInstanceList":{"DAGInstance":[${records}]}}` });
  }
  await admin('/faults', { faults });
  const before = (await emulatorState(demo.emulatorUrl)).requests;
  const { rows, summary } = await find({ dagId: '7', status: 'failed' });
  assert.equal(rows.length, 500);
  assert.equal(rows[0].Id, '9007199254740993');
  assert.equal(rows[499].Id, String(9007199254740993n + 499n));
  assert.equal(rows[499].Message, 'run 499');
  assert.match(summary, /^500 failed runs of paged \(DagId 7\).* Showing the first 500: narrow the range to see the rest\.$/);
  const after = await emulatorState(demo.emulatorUrl);
  assert.equal(after.requests, before + 6, 'pages 1..5, and the 6th that proved there are more');
  assert.deepEqual(after.log.slice(-6).map((e) => e.params.PageIndex), ['1', '2', '3', '4', '5', '6']);
  assert.equal(await overflow(), 0);
});

test('phone width: rows become cards, nothing overflows', async () => {
  await resetEmulator();
  await page.setViewportSize({ width: 390, height: 844 });
  try {
    const { rows } = await find({ dagId: '7', status: 'failed', since: day(3), until: day(0) });
    assert.equal(rows.length, 3);
    await rerunRow('7097');
    assert.equal(await overflow(), 0);
    // Each value sits under its label, not in a squeezed column.
    const display = await page.$eval('tbody[data-id="7097"] td.message', (td) => getComputedStyle(td).display);
    assert.equal(display, 'block');
    await screenshot('mobile', { panelOnly: true });
  } finally {
    await page.setViewportSize({ width: 1000, height: 800 });
  }
});

test('proxy mode: Find is off and the panel says listing is not available through the Worker', async () => {
  const sent = requests.length;
  await page.fill('[name="ProxyUrl"]', 'https://dms-rerun-proxy.example.workers.dev');
  assert.equal(await page.isDisabled('#find'), true);
  assert.equal(await page.isVisible('#find-proxy-note'), true);
  assert.match(await page.textContent('#find-proxy-note'), /only\s+POST \/rerun, so listing through it is not available/);
  await page.locator('#FindDagId').press('Enter'); // a submit while disabled lists nothing
  assert.equal(requests.length, sent, 'nothing was sent anywhere');
  await screenshot('proxy-mode', { panelOnly: true });
  await page.fill('[name="ProxyUrl"]', '');
  assert.equal(await page.isEnabled('#find'), true);
  assert.equal(await page.isVisible('#find-proxy-note'), false);
});

test('no secret, signature or signed URL in the DOM, console, storage or any request but the gateway\u2019s', async () => {
  await harvestSignatures();
  assert.ok(signatures.size >= 10, `${signatures.size} signatures seen`);
  const markup = await page.evaluate(() => document.documentElement.outerHTML + document.body.innerText);
  assert.ok(!markup.includes(SECRET), 'secret in the DOM');
  assert.doesNotMatch(markup, /[?&]Signature=/, 'a signed URL in the DOM');
  for (const signature of signatures) {
    for (const form of [signature, encodeURIComponent(signature)]) {
      assert.ok(!markup.includes(form), `signature ${signature} in the DOM`);
      for (const message of consoleMessages) assert.ok(!message.text.includes(form), `signature in console: ${message.text}`);
    }
  }
  for (const message of consoleMessages) assert.ok(!message.text.includes(SECRET), `secret in console: ${message.text}`);
  assert.deepEqual(await storedState(page), { local: 0, session: 0, cookie: '', idb: 0, caches: 0 });
  assert.equal(new URL(page.url()).search, '');
  for (const request of requests) {
    assert.ok(!request.url.includes(SECRET) && !(request.postData ?? '').includes(SECRET), `secret sent: ${request.url}`);
    if (!request.url.startsWith(demo.emulatorUrl)) assert.doesNotMatch(request.url, /Signature=/, request.url);
    if (request.url.startsWith(demo.pageUrl)) assert.equal(request.method, 'GET', `${request.method} ${request.url}`);
  }
  // Chromium's own lines for the wrong-secret answers (HTTP 400); nothing else (no CSP violation).
  const expected400 = (m) => /^Failed to load resource: the server responded with a status of 400/.test(m.text);
  assert.deepEqual(consoleMessages.filter((m) => (m.type === 'error' || m.type === 'warning') && !expected400(m)), []);
  assert.deepEqual(pageErrors, []);
});
