/**
 * The packed package in headless Chromium as plain ESM: a static page whose
 * import map sends 'dms-rerun' to the installed package's dist/web/index.mjs,
 * served from another origin than the emulator (CORS is exercised).
 * Besides the common scenarios (support.mjs): the list operation (issue 11)
 * and issue 9's defects 3 and 6 as they show in a browser.
 *
 *   node --test tests/browser/esm.test.mjs
 *
 * "On cfd98a7" says how a test failed against the old package (built and
 * packed in a worktree of that commit, with this layer copied in).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageDir } from '../support/consumer.mjs';
import { LIST_SIGN_VECTORS, officialSignature } from '../support/list-sign-vectors.mjs';
import { THROWING_IMPORTS, expectedRun } from '../support/throwing-imports.mjs';
import { LIST_FLOW, MAX_LONG } from '../../emulator/data.mjs';
import { defineBrowserSuite, fixturesDir, startStaticServer } from './support.mjs';

const THROWS = 10_000;
const OK_REQUEST = Object.freeze({ dagId: '7', dagInstanceId: '47', dagVersion: '2' });

defineBrowserSuite({
  mode: 'esm',
  serve: () =>
    startStaticServer({
      '/': fixturesDir,
      // Only the browser build of the installed package is reachable.
      '/dms-rerun/dist/web/': join(packageDir, 'dist', 'web'),
      // Runtime-neutral scenarios shared with the workerd layer (hostile.mjs imports them).
      '/support/': fileURLToPath(new URL('../support/', import.meta.url)),
    }),
  scenarios: (suite) => {
    const evaluate = (fn, arg) => suite.page.evaluate(fn, arg);
    const ok = (outcome) => {
      assert.equal(outcome.ok, true, `expected success, got ${JSON.stringify(outcome.error)}`);
      return outcome.result;
    };
    const listCalls = () => suite.emu.state.log.filter((e) => e.params.Action === 'ListTaskFlowInstance');

    // ---------- a polluted Object.prototype and the request init ----------

    test('esm: a polluted Object.prototype.headers/.body never reaches the signed request', async () => {
      // The request init has no prototype, so Chromium's fetch (WebIDL
      // dictionary conversion reads inherited members) takes neither. The
      // control shows the attack is real in this runtime: a plain init
      // literal carries both. (Before this fix the init came from
      // Object.fromEntries and carried both too.) Node's fetch (undici)
      // reads its own internal objects through the prototype whatever the
      // init, so this cannot be fixed at our level there.
      const seen = await evaluate(([c, r]) => window.__rerunUnderPollution(c, r), [suite.config(), OK_REQUEST]);
      assert.deepEqual(seen.control, { evilHeader: 'yes', body: 'polluted-body' });
      assert.deepEqual(seen.ours, { evilHeader: null, body: '' });
    });

    // ---------- issue 11: the list operation in the page ----------

    test('esm: listTaskFlowInstances in Chromium keeps ids above 2^53 exact (bare JSON numbers), cross-origin', async () => {
      suite.emu.state.reset(); // records back to the seed (earlier scenarios reran some)
      const page = ok(await evaluate(([c, q]) => window.__list(c, q), [suite.config(), { dagId: MAX_LONG }]));
      assert.equal(page.totalCount, 4);
      assert.deepEqual([page.pageIndex, page.pageSize], [1, 20]);
      assert.deepEqual(
        page.instances.map((i) => [i.id, i.dagId, i.statusName, i.historyDagId, i.dagVersion]),
        [
          ['9223372036854775807', MAX_LONG, 'succeeded', '9007199254740995', 'v-大数据-🚀'],
          ['9223372036854775806', MAX_LONG, 'failed', '9007199254740995', 'v-大数据-🚀'],
          ['9007199254740993', MAX_LONG, 'failed', '9007199254740995', 'v-大数据-🚀'],
          ['9007199254740992', MAX_LONG, 'succeeded', '9007199254740995', 'v-大数据-🚀'],
        ],
      );
      assert.equal(page.instances[1].message, '节点 "load_大数据" 失败:\n\tquota exceeded \\ retry');
      const sent = suite.emulatorRequests.filter((r) => r.method() !== 'OPTIONS').at(-1);
      assert.equal(await sent.headerValue('origin'), new URL(suite.page.url()).origin);
      assert.equal(listCalls().at(-1).status, 200);
    });

    test('esm: iterateTaskFlowInstances in Chromium walks every page in order', async () => {
      suite.emu.state.reset();
      const { instances } = ok(await evaluate(([c, q]) => window.__iterate(c, q), [suite.config(), { dagId: '7', pageSize: 20 }]));
      assert.deepEqual(instances.map((i) => i.id), LIST_FLOW.runs.map((r) => r.id));
      assert.deepEqual(listCalls().map((e) => [e.params.PageIndex, e.params.PageSize]), [['1', '20'], ['2', '20'], ['3', '20']]);
    });

    test('esm: signListTaskFlowInstances in Chromium equals @alicloud/openapi-util getRPCSignature', async () => {
      for (const vector of LIST_SIGN_VECTORS) {
        const expected = officialSignature(vector.params, vector.method, vector.secret);
        const signed = ok(await evaluate(([c, q, o]) => window.__signList(c, q, o), [vector.config, vector.query, vector.overrides]));
        assert.equal(signed.signature, expected, vector.name);
        assert.ok(signed.url.endsWith(`&Signature=${encodeURIComponent(expected)}`), `${vector.name}: ${signed.url}`);
      }
    });

    test('esm: the failed runs listed in Chromium are rerun with their exact ids and own DagVersion', async () => {
      suite.emu.state.reset();
      const { done } = ok(
        await evaluate(([c, q]) => window.__rerunListed(c, q), [suite.config(), { dagId: MAX_LONG, status: 'failed' }]),
      );
      assert.deepEqual(done.map((r) => [r.id, r.dagVersion, r.ok]), [
        ['9223372036854775806', 'v-大数据-🚀', true],
        ['9007199254740993', 'v-大数据-🚀', true],
      ]);
      // …993's neighbour …992 (one double apart) was not touched.
      assert.deepEqual([...suite.emu.state.reruns.keys()].sort(), ['9007199254740993', '9223372036854775806']);
      const reruns = suite.emu.state.log.filter((e) => e.params.Action === 'ReRunTaskFlowInstance');
      assert.deepEqual(reruns.map((e) => [e.params.DagInstanceId, e.params.DagVersion, e.status]), [
        ['9223372036854775806', 'v-大数据-🚀', 200],
        ['9007199254740993', 'v-大数据-🚀', 200],
      ]);
    });

    // ---------- issue 9 defect 3: no JS exception unwinds through wasm ----------

    /** Loads fixtures/hostile.mjs into the page (once; a module is evaluated only the first time). */
    const loadHostile = async () => {
      await evaluate(() => import('./hostile.mjs'));
      assert.equal(await evaluate(() => window.__hostileReady), true);
    };

    // On cfd98a7 the isWellFormed cases failed here as in workerd: about
    // 2,000 raw `TypeError: e.isWellFormed is not a function` (or the
    // replacement's own TypeError), then `RuntimeError: memory access out of
    // bounds` / `unreachable` for the rest and for the valid call after them;
    // the `aborted` getter case the same way. The caller-fetch and headers.get
    // paths were not throwing wasm imports there and passed.
    // Here: the paths a browser meets (isWellFormed is missing in Firefox <
    // 119 and Safari < 16.4; the `aborted` read; a caller's fetch and its
    // headers). tests/worker/regressions.test.mjs runs every case in workerd.
    // CORE BUG: 'signal.aborted getter throws on its second read' leaves its
    //   budget timer pending (js/api.mjs `Wait`, see the workerd test):
    //   pendingTimers is 10,000 here; stays red until the core is fixed.
    const inBrowser = THROWING_IMPORTS.filter(({ id }) =>
      /^(String\.prototype\.isWellFormed|signal\.aborted|caller fetch|headers\.get)/.test(id));
    assert.equal(inBrowser.length, 5);
    for (const scenario of inBrowser) {
      const { id } = scenario;
      test(`esm: ${THROWS} calls where ${id}, then a valid call works (Chromium)`, async (t) => {
        await loadHostile();
        const before = suite.emu.state.requests;
        const base = { config: suite.config({ maxRetries: 0 }), request: OK_REQUEST };
        const out = await evaluate(([b, i, n]) => window.__throwing(b, i, n), [base, id, THROWS]);
        t.diagnostic(`${THROWS} calls in ${out.ms.toFixed(0)} ms: ${JSON.stringify(out.tally)}`);
        const expected = expectedRun(scenario, THROWS, out.tally);
        assert.equal(expected.problem, undefined, expected.problem);
        assert.deepEqual(out.tally, expected.tally);
        assert.equal(out.valid.ok, true, `the valid call after them failed: ${JSON.stringify(out.valid.error)}`);
        assert.equal(out.pendingTimers, 0, 'the calls left timers behind');
        assert.equal(suite.emu.state.requests, before + expected.sent + 1, 'only the valid call reached the emulator');
      });
    }

    // ---------- issue 9 defect 6: endpoints refused as the URL parser would ----------

    test('esm: bad endpoint hosts are refused synchronously (InvalidParameter.Endpoint), the browser sends nothing', async () => {
      // On cfd98a7: signing returned a signed URL for each; the rerun handed
      // it to fetch and failed as Network "the request could not be sent or
      // got no answer" (the rerun "may still have happened"), and
      // http://127.1:<port> reached the emulator.
      await loadHostile();
      const port = new URL(suite.emu.url).port;
      const endpoints = ['http://[1:2]', 'http://256.1.1.1', 'http://1.2.3.4.5', `http://127.1:${port}`];
      const requestsBefore = suite.pageRequests.length;
      const emulatorBefore = suite.emu.state.requests;
      const out = await evaluate(([c, r, e]) => window.__badEndpoints(c, r, e), [suite.config(), OK_REQUEST, endpoints]);
      for (const entry of out) {
        assert.equal(entry.sign.threw, true, `${entry.endpoint}: signing did not throw`);
        assert.deepEqual([entry.sign.error.isDmsError, entry.sign.error.kind, entry.sign.error.code], [true, 'InvalidInput', 'InvalidParameter.Endpoint'], entry.endpoint);
        assert.equal(entry.rerun.ok, false, `${entry.endpoint}: the rerun resolved`);
        assert.deepEqual([entry.rerun.error.kind, entry.rerun.error.code, entry.rerun.error.attempts], ['InvalidInput', 'InvalidParameter.Endpoint', undefined], entry.endpoint);
      }
      // Chromium's own URL parser refuses the first three and rewrites the last.
      assert.deepEqual(out.map((e) => e.parsed), [
        { refused: 'TypeError' },
        { refused: 'TypeError' },
        { refused: 'TypeError' },
        { href: `http://127.0.0.1:${port}/` },
      ]);
      assert.deepEqual(suite.pageRequests.slice(requestsBefore).map((r) => r.url()), [], 'the page sent requests');
      assert.equal(suite.emu.state.requests, emulatorBefore);
    });
  },
});
