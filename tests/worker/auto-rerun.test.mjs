/**
 * examples/auto-rerun, the auto-heal Worker, bundled by wrangler exactly as its
 * README deploys it and run in workerd (Miniflare) against the DMS emulator:
 * the cron handler is fired through Miniflare (`getWorker().scheduled()`), its
 * KV is a real Miniflare KV namespace, and the emulator's request log and
 * records say what was rerun.
 *
 *   node --test tests/worker/auto-rerun.test.mjs
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Miniflare } from 'miniflare';
import { startEmulator } from '../../emulator/server.mjs';
import { DEMO_KEY, STS_KEY, MAX_LONG, STATUS } from '../../emulator/data.mjs';
import { buildAutoRerun, bundleModules, exampleDir } from './auto-rerun-build.mjs';

const TOKEN = 'status-token-0123456789abcdef';
const BIG_VERSION = 'v-大数据-🚀';
/** The seed counts back from here; the cron fires at the same time, so the window is fixed. */
const ANCHOR = Date.parse('2026-03-10T12:00:00Z');
const HOUR = 3_600_000;
/** LOOKBACK_DAYS 2 from 2026-03-10: runs started since 2026-03-08T00:00Z (60 h before the anchor). */
const WINDOW_START = '2026-03-08';
/** The seeded failures inside that window, in list order (newest first), and their versions. */
const IN_WINDOW = [
  ['7', '7097', '2'],
  ['7', '48', '2'],
  ['7', '47', '2'],
  [MAX_LONG, '9223372036854775806', BIG_VERSION],
  [MAX_LONG, '9007199254740993', BIG_VERSION],
];
/** A flow with 103 failed runs: two pages of 100. */
const MANY = {
  dagId: '8',
  dagVersion: '5',
  dagName: 'many-failures',
  runs: [
    // still running at first; the page-shift test makes it fail while the Worker reads the pages
    { id: '80000', hoursAgo: 1, status: 'running', triggerType: 'scheduled' },
    ...Array.from({ length: 103 }, (_, i) => ({ id: String(80001 + i), hoursAgo: 2 + i / 4, status: 'failed', triggerType: 'scheduled' })),
  ],
};
const NEVER_SHOWN = [DEMO_KEY.accessKeySecret, STS_KEY.accessKeySecret, STS_KEY.securityToken, TOKEN];
const CRON = /^crons = \["([^"]+)"\]$/m.exec(readFileSync(`${exampleDir}/wrangler.toml`, 'utf8'))[1];

let build;
let emu;
let mf;
const shown = []; // every /status body and KV value, checked for secrets at the end

before(async () => {
  [build, emu] = await Promise.all([
    buildAutoRerun(),
    startEmulator({ seedAnchor: ANCHOR, rerunOutcomeMs: 0, taskFlows: [MANY] }),
  ]);
  const base = {
    ALIBABA_CLOUD_ACCESS_KEY_ID: DEMO_KEY.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: DEMO_KEY.accessKeySecret,
    DMS_ENDPOINT: emu.url,
    STATUS_TOKEN: TOKEN,
  };
  // One workerd, one Worker per configuration, all running the same bundle, each
  // with its own KV namespace; LOOKBACK_DAYS and MAX_RERUNS_PER_INSTANCE unset = defaults.
  const configs = {
    // spaces and a repeated id: the flow is still healed once
    heal: { ...base, DAG_IDS: ' 7 ,9223372036854775807,7' },
    faulty: {
      ...base,
      ALIBABA_CLOUD_ACCESS_KEY_ID: STS_KEY.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: STS_KEY.accessKeySecret,
      ALIBABA_CLOUD_SECURITY_TOKEN: STS_KEY.securityToken,
      DAG_IDS: `424242,7,${MAX_LONG}`,
      DMS_MAX_RETRIES: '0',
    },
    budget: { ...base, DAG_IDS: '8,7', LOOKBACK_DAYS: '1', MAX_RERUNS_PER_RUN: '3' },
    pages: { ...base, DAG_IDS: '8', MAX_RERUNS_PER_RUN: '200' },
    misconfigured: { DAG_IDS: '7,abc,', LOOKBACK_DAYS: 'two', MAX_RERUNS_PER_INSTANCE: '0', STATUS_TOKEN: TOKEN },
    roundedIds: { ...base, DAG_IDS: Number(MAX_LONG), DMS_ENDPOINT: 'ftp://dms.example.com' },
    badEndpoint: { ...base, DAG_IDS: '7', DMS_ENDPOINT: 'http://256.1.1.1' },
    weakToken: { ...base, DAG_IDS: '7', STATUS_TOKEN: 'short' },
    noKv: { ...base, DAG_IDS: '7' },
  };
  mf = new Miniflare({
    workers: Object.entries(configs).map(([name, bindings]) => ({
      name,
      routes: [`${name}.heal.test/*`],
      compatibilityDate: '2025-09-01',
      modulesRoot: build.outDir,
      modules: bundleModules(build),
      bindings,
      kvNamespaces: name === 'noKv' ? undefined : { HEAL_KV: `kv-${name}` },
    })),
  });
  await mf.ready;
});

after(async () => {
  await mf?.dispose();
  await emu?.close();
});

/**
 * Fires the cron of one Worker; returns what reached the emulator meanwhile,
 * the summary it stored and its KV attempt counts.
 */
async function fire(worker, scheduledTime = ANCHOR) {
  const logBefore = emu.state.log.length;
  const rerunsBefore = new Map(emu.state.reruns);
  const result = await (await mf.getWorker(worker)).scheduled({ scheduledTime: new Date(scheduledTime), cron: CRON });
  assert.deepEqual(result, { outcome: 'ok', noRetry: false });
  const log = emu.state.log.slice(logBefore);
  const kv = await kvOf(worker);
  const reruns = {}; // instance id → successful reruns the emulator counted in this firing
  for (const [id, n] of emu.state.reruns) if (n !== (rerunsBefore.get(id) ?? 0)) reruns[id] = n - (rerunsBefore.get(id) ?? 0);
  return {
    log,
    lists: log.filter((e) => e.params.Action === 'ListTaskFlowInstance'),
    rerunRequests: log.filter((e) => e.params.Action === 'ReRunTaskFlowInstance').map((e) => [e.params.DagId, e.params.DagInstanceId, e.params.DagVersion]),
    reruns,
    ...kv,
  };
}

/** The summary and the attempt counts in one Worker's KV namespace. */
async function kvOf(worker) {
  const kv = await mf.getKVNamespace('HEAL_KV', worker);
  const { keys } = await kv.list();
  const attempts = {};
  const expirations = [];
  const values = await Promise.all(keys.map(({ name }) => kv.get(name)));
  keys.forEach(({ name, expiration }, i) => {
    shown.push(values[i]);
    if (name.startsWith('attempts:')) {
      attempts[name.slice('attempts:'.length)] = values[i];
      expirations.push(expiration);
    }
  });
  const summaryText = await kv.get('last-run');
  return { summary: summaryText === null ? null : JSON.parse(summaryText), attempts, expirations };
}

async function status(worker = 'heal', { token = TOKEN, method = 'GET', path = '/status' } = {}) {
  const headers = token === null ? {} : { authorization: `Bearer ${token}` };
  const res = await mf.dispatchFetch(`https://${worker}.heal.test${path}`, { method, headers });
  const text = await res.text();
  shown.push(text);
  return { status: res.status, headers: Object.fromEntries(res.headers), text, json: JSON.parse(text) };
}

const flowOf = (summary, dagId) => summary.flows.find((f) => f.dagId === dagId);
const ids = (list) => list.map((x) => (typeof x === 'string' ? x : x.id));

test('wrangler dry-run bundles the example with dms-rerun (workerd entry), its .wasm and the KV binding', (t) => {
  t.diagnostic(`wrangler dry-run ${build.ms.toFixed(0)} ms: ${build.stdout.trim().replace(/\s*\n+\s*/g, ' | ')}`);
  assert.match(build.stdout, /Total Upload:/);
  assert.match(build.stdout, /env\.HEAL_KV .*KV Namespace/);
  assert.equal(build.wasmFiles.length, 1, build.files.join(', '));
  const inputs = Object.keys(build.metafile.inputs);
  for (const file of ['index', 'run', 'config', 'heal', 'store', 'status']) assert.ok(inputs.includes(`src/${file}.mjs`), inputs.join('\n'));
  assert.ok(inputs.some((p) => p.endsWith('consumer/node_modules/dms-rerun/dist/workerd/index.mjs')), inputs.join('\n'));
  assert.ok(!inputs.some((p) => p.includes('/dist/node/')), 'the Node entry was bundled');
  assert.equal(CRON, '17 * * * *');
});

test('first firing: every failed run of the window is rerun once, with its own DagVersion and exact ids', async () => {
  // Reruns of these fail again (the emulator plays the script), so later firings find them.
  await emu.admin('/outcomes', { instanceId: '48', outcomes: ['failed', 'failed'] });
  await emu.admin('/outcomes', { instanceId: '47', outcomes: ['failed', 'failed'] });
  await emu.admin('/outcomes', { instanceId: '9223372036854775806', outcomes: ['failed', 'failed'] });

  const first = await fire('heal');
  // One list per flow (the repeated 7 is listed once), then its reruns, one at a time, in list order.
  assert.deepEqual(first.log.map((e) => e.params.Action), [
    'ListTaskFlowInstance', 'ReRunTaskFlowInstance', 'ReRunTaskFlowInstance', 'ReRunTaskFlowInstance',
    'ListTaskFlowInstance', 'ReRunTaskFlowInstance', 'ReRunTaskFlowInstance',
  ]);
  assert.deepEqual(first.rerunRequests, IN_WINDOW);
  assert.deepEqual(first.reruns, Object.fromEntries(IN_WINDOW.map(([, id]) => [id, 1])));
  for (const list of first.lists) {
    assert.equal(list.status, 200);
    const { DagId, Status, StartTimeBegin, PageIndex, PageSize, StartTimeEnd } = list.params;
    assert.deepEqual({ Status, StartTimeBegin, PageIndex, PageSize, StartTimeEnd }, { Status: '3', StartTimeBegin: WINDOW_START, PageIndex: '1', PageSize: '100', StartTimeEnd: undefined }, DagId);
  }
  assert.ok(first.log.every((e) => e.status === 200 && e.code === null), JSON.stringify(first.log.map((e) => e.code)));
  // Older failures (7086, 105 h ago; the version-1 runs) are outside the window: untouched.
  for (const id of ['7086', '7079', '7071', '7058']) assert.equal(emu.state.reruns.get(id), undefined, id);

  // KV: one attempt each, expiring LOOKBACK_DAYS + 1 = 3 days from now.
  assert.deepEqual(first.attempts, Object.fromEntries(IN_WINDOW.map(([dagId, id]) => [`${dagId}:${id}`, '1'])));
  const expected = Date.now() / 1000 + 3 * 86_400;
  for (const expiration of first.expirations) assert.ok(Math.abs(expiration - expected) < 120, `expiration ${expiration}, expected ~${expected}`);

  const { summary } = first;
  assert.equal(summary.outcome, 'completed');
  assert.equal(summary.scheduledTime, new Date(ANCHOR).toISOString());
  assert.equal(summary.cron, CRON);
  assert.equal(summary.startTimeBegin, WINDOW_START);
  assert.deepEqual(summary.settings, { dagIds: ['7', MAX_LONG], lookbackDays: 2, maxRerunsPerInstance: 2, maxRerunsPerRun: 25 });
  assert.deepEqual(summary.totals, { found: 5, rerun: 5, skipped: 0, failed: 0, deferred: 0 });
  assert.ok(Date.parse(summary.finishedAt) >= Date.parse(summary.startedAt));
  const big = flowOf(summary, MAX_LONG);
  assert.deepEqual(big.rerun.map(({ id, dagVersion, attempt }) => [id, dagVersion, attempt]), [
    ['9223372036854775806', BIG_VERSION, 1],
    ['9007199254740993', BIG_VERSION, 1],
  ]);
  // Each rerun's request id is the one the emulator answered with.
  const requestIds = first.log.filter((e) => e.params.Action === 'ReRunTaskFlowInstance').map((e) => e.requestId);
  assert.deepEqual(summary.flows.flatMap((f) => f.rerun.map((r) => r.requestId)), requestIds);
});

test('second firing: the runs that failed again are rerun a second time; the healed ones are gone', async () => {
  const second = await fire('heal', ANCHOR + HOUR);
  assert.deepEqual(second.rerunRequests, [
    ['7', '48', '2'],
    ['7', '47', '2'],
    [MAX_LONG, '9223372036854775806', BIG_VERSION],
  ]);
  assert.deepEqual(second.reruns, { 48: 1, 47: 1, '9223372036854775806': 1 });
  assert.equal(second.lists.length, 2);
  assert.deepEqual(second.attempts, {
    '7:7097': '1', '7:48': '2', '7:47': '2',
    [`${MAX_LONG}:9223372036854775806`]: '2', [`${MAX_LONG}:9007199254740993`]: '1',
  });
  assert.deepEqual(second.summary.totals, { found: 3, rerun: 3, skipped: 0, failed: 0, deferred: 0 });
  assert.deepEqual(flowOf(second.summary, '7').rerun.map((r) => [r.id, r.attempt]), [['48', 2], ['47', 2]]);
});

test('third firing: MAX_RERUNS_PER_INSTANCE (2) reached, so the emulator sees lists and no rerun', async () => {
  const third = await fire('heal', ANCHOR + 2 * HOUR);
  assert.deepEqual(third.rerunRequests, []);
  assert.deepEqual(third.reruns, {});
  assert.equal(third.lists.length, 2);
  assert.equal(third.log.length, 2);
  // Still failed in the emulator: found again, skipped with their counts.
  for (const id of ['48', '47', '9223372036854775806']) assert.equal(emu.state.runs.get(id).status, STATUS.failed, id);
  assert.equal(third.summary.outcome, 'completed');
  assert.deepEqual(third.summary.totals, { found: 3, rerun: 0, skipped: 3, failed: 0, deferred: 0 });
  assert.deepEqual(flowOf(third.summary, '7').skipped, [{ id: '48', attempts: 2 }, { id: '47', attempts: 2 }]);
  assert.deepEqual(flowOf(third.summary, MAX_LONG).skipped, [{ id: '9223372036854775806', attempts: 2 }]);
  // Over the three firings, each instance was rerun exactly as often as the cap allows.
  assert.deepEqual(Object.fromEntries(emu.state.reruns), { 7097: 1, 48: 2, 47: 2, '9223372036854775806': 2, '9007199254740993': 1 });
});

test('GET /status: the last summary with the token; 401 without or with a wrong one; 404 elsewhere', async () => {
  const ok = await status();
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.headers['cache-control'], 'no-store');
  assert.deepEqual(ok.json, { lastRun: (await kvOf('heal')).summary });
  assert.equal(ok.json.lastRun.totals.skipped, 3);

  for (const token of [null, '', 'status-token-0123456789abcdeX', `${TOKEN}x`]) {
    const refused = await status('heal', { token });
    assert.equal(refused.status, 401, `${token}: ${refused.text}`);
    assert.equal(refused.headers['www-authenticate'], 'Bearer');
    assert.deepEqual(refused.json.error.code, 'Unauthorized');
    assert.ok(!refused.text.includes('flows'));
  }
  const weak = await status('weakToken', { token: 'short' });
  assert.equal(weak.status, 500, weak.text);
  assert.equal(weak.json.error.code, 'NotConfigured');
  for (const [method, path] of [['POST', '/status'], ['GET', '/'], ['GET', '/status/'], ['GET', '/statusx'], ['PUT', '/status']]) {
    const missing = await status('heal', { method, path });
    assert.equal(missing.status, 404, `${method} ${path}`);
  }
  // Before any run: nothing to show yet.
  const fresh = await status('badEndpoint');
  assert.deepEqual([fresh.status, fresh.json], [200, { lastRun: null }]);
});

test('errors per instance are recorded and the others go on; Throttling stops the run', async () => {
  await emu.admin('/reset', {});
  // Faults replace the answers of the next requests, in order; `slow` 0 ms passes one through.
  const pass = { type: 'slow', delayMs: 0 };
  emu.injectFaults([
    pass, // list 424242: DagNotExist
    pass, // list 7: 7097, 48, 47
    { type: 'status', status: 500 }, // rerun 7097: InternalError
    pass, // rerun 48: accepted
    { type: 'throttling-user' }, // rerun 47: Throttling.User (DMS_MAX_RETRIES 0) → stop
  ]);
  const run = await fire('faulty');
  assert.deepEqual(run.log.map((e) => [e.params.Action, e.params.DagId, e.params.DagInstanceId ?? null, e.code]), [
    ['ListTaskFlowInstance', '424242', null, 'DagNotExist'],
    ['ListTaskFlowInstance', '7', null, null],
    ['ReRunTaskFlowInstance', '7', '7097', 'InternalError'],
    ['ReRunTaskFlowInstance', '7', '48', null],
    ['ReRunTaskFlowInstance', '7', '47', 'Throttling.User'],
  ]);
  assert.equal(emu.state.faults.length, 0);
  assert.deepEqual(run.reruns, { 48: 1 });
  assert.ok(run.log.every((e) => e.params.SecurityToken === STS_KEY.securityToken));

  const { summary } = run;
  assert.equal(summary.outcome, 'stopped');
  assert.deepEqual(summary.stopped, { reason: 'Throttling', code: 'Throttling.User', dagId: '7', instanceId: '47' });
  const missing = flowOf(summary, '424242');
  assert.deepEqual([missing.found, missing.listError.kind, missing.listError.code], [0, 'Api', 'DagNotExist']);
  assert.equal(missing.listError.requestId, run.log[0].requestId);
  const seven = flowOf(summary, '7');
  assert.deepEqual(ids(seven.rerun), ['48']);
  assert.deepEqual(seven.failed.map(({ id, kind, code, httpStatus, attempt }) => ({ id, kind, code, httpStatus, attempt })), [
    { id: '7097', kind: 'Api', code: 'InternalError', httpStatus: 500, attempt: 1 },
    { id: '47', kind: 'Api', code: 'Throttling.User', httpStatus: 400, attempt: 1 },
  ]);
  assert.ok(seven.failed.every((f) => !('message' in f)), 'error messages are not kept');
  assert.deepEqual(flowOf(summary, MAX_LONG), { dagId: MAX_LONG, notReached: true });
  // Every attempt sent is counted, even a refused one: the count is written before the call.
  assert.deepEqual(run.attempts, { '7:7097': '1', '7:48': '1', '7:47': '1' });
});

test('Throttling on a list stops the run before any rerun', async () => {
  await emu.admin('/reset', {});
  emu.injectFaults([{ type: 'throttling-api' }]);
  const run = await fire('faulty');
  assert.deepEqual(run.log.map((e) => [e.params.Action, e.params.DagId, e.code]), [['ListTaskFlowInstance', '424242', 'Throttling.Api']]);
  assert.deepEqual(run.reruns, {});
  assert.equal(run.summary.outcome, 'stopped');
  assert.deepEqual(run.summary.stopped, { reason: 'Throttling', code: 'Throttling.Api', dagId: '424242' });
  assert.deepEqual(flowOf(run.summary, '424242').listError, { kind: 'Api', code: 'Throttling.Api', httpStatus: 400, requestId: run.log[0].requestId });
  assert.deepEqual(run.summary.flows.slice(1), [{ dagId: '7', notReached: true }, { dagId: MAX_LONG, notReached: true }]);
});

test('all pages are read; MAX_RERUNS_PER_RUN defers the rest; LOOKBACK_DAYS 1 narrows the window', async () => {
  await emu.admin('/reset', {});
  const run = await fire('budget');
  assert.deepEqual(run.lists.map((e) => [e.params.DagId, e.params.PageIndex, e.params.StartTimeBegin]), [
    ['8', '1', '2026-03-09'],
    ['8', '2', '2026-03-09'],
    ['7', '1', '2026-03-09'],
  ]);
  assert.deepEqual(run.rerunRequests, [['8', '80001', '5'], ['8', '80002', '5'], ['8', '80003', '5']]);
  const many = flowOf(run.summary, '8');
  assert.equal(many.found, 103);
  assert.deepEqual(ids(many.rerun), ['80001', '80002', '80003']);
  assert.equal(many.deferred.length, 100);
  assert.equal(new Set([...ids(many.rerun), ...many.deferred]).size, 103);
  // Only 7097 (17 h before the cron) started since 2026-03-09; 48 (41 h) and 47 (49 h) did not.
  assert.deepEqual(flowOf(run.summary, '7'), { dagId: '7', found: 1, rerun: [], skipped: [], failed: [], deferred: ['7097'] });
  assert.equal(run.summary.outcome, 'completed');
  assert.deepEqual(run.summary.totals, { found: 104, rerun: 3, skipped: 0, failed: 0, deferred: 101 });
  assert.deepEqual(Object.keys(run.attempts).sort(), ['8:80001', '8:80002', '8:80003']);
});

test('a record that shifts onto the next page while the Worker reads is rerun once, not twice', async () => {
  await emu.admin('/reset', {});
  // Page 1 is computed when it arrives and answered 300 ms later; meanwhile a newer run
  // fails, so page 2 starts one record later: 80100 (last of page 1) is listed again.
  emu.injectFaults([{ type: 'slow', delayMs: 300 }]);
  const requestsBefore = emu.state.requests;
  const firing = fire('pages');
  while (emu.state.requests === requestsBefore) await new Promise((resolve) => setTimeout(resolve, 5));
  emu.state.runs.get('80000').status = STATUS.failed; // no admin route sets a status: the record itself
  const run = await firing;

  assert.deepEqual(run.lists.map((e) => e.params.PageIndex), ['1', '2']);
  const rerunIds = run.rerunRequests.map(([, id]) => id);
  assert.equal(rerunIds.length, 103);
  assert.equal(new Set(rerunIds).size, 103, 'an instance was rerun twice in one run');
  assert.equal(run.reruns['80100'], 1);
  assert.ok(!rerunIds.includes('80000'), 'read after page 1 was answered: next run');
  const flow = flowOf(run.summary, '8');
  assert.deepEqual([flow.found, flow.rerun.length, flow.deferred.length], [103, 103, 0]);
  assert.equal(run.attempts['8:80100'], '1');
});

test('a bad configuration is recorded in the summary and nothing is sent', async () => {
  const requestsBefore = emu.state.requests;
  const bad = (await fire('misconfigured')).summary;
  assert.equal(bad.outcome, 'misconfigured');
  assert.equal(bad.flows, undefined);
  const problems = bad.problems.join('\n');
  assert.match(problems, /DAG_IDS: "abc", "" are not task flow ids/);
  assert.match(problems, /LOOKBACK_DAYS must be a whole number in 0\.\.30/);
  assert.match(problems, /MAX_RERUNS_PER_INSTANCE must be a whole number in 1\.\.10/);
  assert.match(problems, /ALIBABA_CLOUD_ACCESS_KEY_ID is not set/);
  assert.match(problems, /ALIBABA_CLOUD_ACCESS_KEY_SECRET is not set/);
  assert.match(problems, /set DMS_REGION_ID .* or DMS_ENDPOINT/);

  const rounded = (await fire('roundedIds')).summary;
  assert.equal(rounded.outcome, 'misconfigured');
  assert.match(rounded.problems.join('\n'), /DAG_IDS: a number this large is already rounded; quote the ids/);
  assert.match(rounded.problems.join('\n'), /InvalidParameter\.Endpoint/);

  // The package's own validator checks the endpoint (a WHATWG-invalid IPv4 host) before anything is sent.
  const endpoint = (await fire('badEndpoint')).summary;
  assert.equal(endpoint.outcome, 'misconfigured');
  assert.deepEqual(endpoint.problems.map((p) => p.split(':')[0]), ['InvalidParameter.Endpoint']);

  // Without KV there is no cap, so nothing runs at all (and nothing can be recorded).
  const noKv = await (await mf.getWorker('noKv')).scheduled({ scheduledTime: new Date(ANCHOR), cron: CRON });
  assert.deepEqual(noKv, { outcome: 'ok', noRetry: false });
  assert.equal(emu.state.requests, requestsBefore);
});

test('nothing stored or served holds a secret, the status token or a signed URL', () => {
  assert.ok(shown.length > 20, `only ${shown.length} values seen`);
  const all = shown.join('\n');
  for (const secret of NEVER_SHOWN) assert.ok(!all.includes(secret), 'a secret leaked');
  assert.ok(!all.includes('Signature'), 'a signature leaked');
  assert.ok(!all.includes(emu.url), 'a request URL leaked');
});
