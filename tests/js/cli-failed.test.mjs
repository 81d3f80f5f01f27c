/**
 * `dms-rerun failed`: list the failed runs of a task flow in a date range and rerun each
 * with its own DagVersion, run as a child process from the installed package against the
 * emulator; what was rerun is read back from the emulator's records and request log.
 * The confirmation is answered on a real pseudo-terminal.
 *
 *   node --test tests/js/cli-failed.test.mjs
 */
import { beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { DEMO_KEY, MAX_LONG, STS_KEY } from '../../emulator/data.mjs';
import { DEMO_ENV, STS_ENV, assertExit, useEmulatorCli } from './cli-support/harness.mjs';
import { runCliOnTerminal } from './cli-support/pty.mjs';
import { unsafeCharacters } from './cli-support/terminal.mjs';
import { BIG_ID_FLOW, LIST_FLOW, STATUS, dayBefore, seededRuns } from './cli-support/seed.mjs';

// Reruns stay running until settled, so a test sees exactly which records a run moved.
const h = useEmulatorCli({ rerunOutcomeMs: null });
const { cli } = h;
const failed = (...args) => ['failed', '--endpoint', h.emu.url, ...args];

beforeEach(() => h.emu.state.reset()); // records back to the seed, faults and log cleared

const EVIL = '\x1b[2J\x1b[HRerun accepted \u202eevil\u009b31m\nSummary: found 0';
const SHOWN = String.raw`\x1b[2J\x1b[HRerun accepted \u202eevil\u009b31m\nSummary: found 0`;

/** Every flag `dms-rerun failed --help` must document. */
const FAILED_FLAGS = [
  '--dag-id', '--since', '--until', '--use-biz-date', '--tid', '--limit', '--yes', '--dry-run',
  '--region-id', '--endpoint', '--method', '--timeout-ms', '--max-retries', '--json', '--help',
];

/** The reruns that reached the emulator, in order: [DagInstanceId, DagVersion]. */
const reruns = (run) => run.log.filter((e) => e.params.Action === 'ReRunTaskFlowInstance').map((e) => [e.params.DagInstanceId, e.params.DagVersion]);
const listings = (run) => run.log.filter((e) => e.params.Action === 'ListTaskFlowInstance');
const statusOf = (id) => h.emu.runs.get(id).status;
const outcomeLines = (run) => run.stdout.split('\n').filter((l) => /^ {2}\S+ \(DagVersion /.test(l));

/**
 * A ListTaskFlowInstance answer for task flow 7 holding `runs` (newest first), every one
 * failed, ids as bare JSON numbers as the API writes them. Queued as the next answer.
 */
function answerList(runs) {
  const items = runs.map(
    (r) =>
      `{"Id":${r.id},"DagId":"7","DagName":"nightly-orders-etl","DagVersion":${JSON.stringify(r.dagVersion ?? '2')},"Status":3,"TriggerType":0,` +
      `"BusinessTime":"2026-03-01 00:00:00","startTime":"2026-03-02 00:00:00","EndTime":"2026-03-02 00:10:00","Message":${JSON.stringify(r.message ?? 'failed')},"OwnerName":"o"}`,
  );
  const body = `{"RequestId":"LIST-1","Success":true,"TotalCount":${runs.length},"DAGInstanceList":{"DAGInstance":[${items.join(',')}]}}`;
  h.emu.injectFaults([{ type: 'raw', body }]);
}

/** A fault that changes nothing: the request is answered normally (a `slow` fault of 0 ms). */
const PASS = { type: 'slow', delayMs: 0 };

test('failed --help documents every flag, the confirmation and the exit codes', async () => {
  const run = await cli(['failed', '--help'], {});
  assertExit(run, 0);
  assert.deepEqual([...new Set(run.stdout.match(/--[a-z][a-z-]*/g))].sort(), [...FAILED_FLAGS].sort());
  assert.match(run.stdout, /^Usage: dms-rerun failed --dag-id ID --since DATE/);
  assert.match(run.stdout, /Rerun N failed runs of task flow ID\? \[y\/N\]/);
  assert.match(run.stdout, /its own DagVersion/);
  assert.match(run.stdout, /found, rerun \(accepted\), failed \(refused or no answer\), skipped \(not attempted\)/);
  for (const code of ['0', '1', '2']) assert.match(run.stdout, new RegExp(`^\\s+${code}\\s+\\S`, 'm'));
  assert.equal(run.requests, 0);
});

test('--yes: exactly the failed runs of the window are rerun, oldest first, each with its own DagVersion', async () => {
  const anchor = h.emu.runs.anchorMs;
  const since = dayBefore(anchor, 170);
  const expected = seededRuns(LIST_FLOW, anchor, { status: 'failed', since });
  // The window holds failures of both versions: version 1 must be rerun as version 1.
  assert.deepEqual(expected.map((r) => [r.id, r.dagVersion]), [['7097', '2'], ['48', '2'], ['47', '2'], ['7086', '2'], ['7079', '1']]);
  const oldestFirst = [...expected].reverse();

  const run = await cli(failed('--dag-id', '7', '--since', since, '--yes'));
  assertExit(run, 0);
  assert.equal(run.stderr, '');
  assert.deepEqual(reruns(run), oldestFirst.map((r) => [r.id, r.dagVersion]));
  assert.equal(listings(run).length, 1);
  assert.deepEqual([listings(run)[0].params.Status, listings(run)[0].params.StartTimeBegin], ['3', since]);
  // The emulator's records: each rerun is now running; the failures outside the window are not touched.
  for (const r of expected) assert.equal(statusOf(r.id), STATUS.running, `record ${r.id}`);
  for (const id of ['7071', '7058']) assert.equal(statusOf(id), STATUS.failed, `record ${id} is outside the window`);
  assert.equal(h.emu.state.reruns.size, expected.length);

  const lines = run.stdout.split('\n');
  assert.equal(lines[0], `5 failed runs of task flow 7 since ${since}`);
  const rerunLog = run.log.filter((e) => e.params.Action === 'ReRunTaskFlowInstance');
  assert.deepEqual(
    outcomeLines(run),
    oldestFirst.map((r, n) => `  ${r.id} (DagVersion ${r.dagVersion}): accepted, RequestId ${rerunLog[n].requestId}`),
  );
  assert.ok(lines.includes('Rerunning 5 runs, oldest first, one at a time:'), run.stdout);
  assert.equal(lines.at(-2), 'Summary: found 5, rerun 5, failed 0, skipped 0');

  // Run again: nothing failed is left in the window.
  const again = await cli(failed('--dag-id', '7', '--since', since, '--yes'));
  assertExit(again, 0);
  assert.deepEqual(reruns(again), []);
  assert.match(again.stdout, /^0 failed runs of task flow 7 since \S+\nNothing to rerun\.\nSummary: found 0, rerun 0, failed 0, skipped 0\n$/);
});

test('the 2^63−1 task flow --json: the two failed records rerun by their exact ids, their neighbours untouched', async () => {
  const since = dayBefore(h.emu.runs.anchorMs, 40);
  const until = dayBefore(h.emu.runs.anchorMs, 0);
  const expected = seededRuns(BIG_ID_FLOW, h.emu.runs.anchorMs, { status: 'failed', since, until }).reverse();
  assert.deepEqual(expected.map((r) => r.id), ['9007199254740993', '9223372036854775806']);
  const run = await cli(failed('--dag-id', MAX_LONG, '--since', since, '--until', until, '--yes', '--json'));
  assert.deepEqual([listings(run)[0].params.StartTimeBegin, listings(run)[0].params.StartTimeEnd], [since, until]);
  assertExit(run, 0);
  assert.equal(run.stderr, '');
  assert.equal(run.stdout.split('\n').length, 2, 'one JSON line');
  assert.deepEqual(reruns(run), expected.map((r) => [r.id, 'v-大数据-🚀']));
  assert.equal(run.log.find((e) => e.params.Action === 'ReRunTaskFlowInstance').params.DagId, MAX_LONG);
  // …992 and …807 are what …993 and …806 become as JS Numbers: they must still be as seeded.
  assert.equal(statusOf('9007199254740992'), STATUS.succeeded);
  assert.equal(statusOf('9223372036854775807'), STATUS.succeeded);
  assert.deepEqual([...h.emu.state.reruns.keys()].sort(), ['9007199254740993', '9223372036854775806']);

  const report = JSON.parse(run.stdout);
  const requestIds = run.log.filter((e) => e.params.Action === 'ReRunTaskFlowInstance').map((e) => e.requestId);
  assert.deepEqual(report, {
    dagId: MAX_LONG,
    found: 2,
    dryRun: false,
    outcomes: expected.map((r, n) => ({ id: r.id, dagVersion: 'v-大数据-🚀', outcome: 'accepted', requestId: requestIds[n] })),
    summary: { found: 2, rerun: 2, failed: 0, skipped: 0 },
  });
});

test('without --yes and stdin not a terminal: exit 2 before anything is sent', async () => {
  const since = dayBefore(h.emu.runs.anchorMs, 170);
  const run = await cli(failed('--dag-id', '7', '--since', since)); // runCli's stdin is /dev/null
  assertExit(run, 2);
  assert.equal(run.requests, 0, 'a request reached the emulator');
  assert.equal(run.stdout, '');
  assert.match(run.stderr, /^error: Usage ConfirmationRequired: stdin is not a terminal, .*pass --yes.*nothing was sent\n {2}run dms-rerun failed --help for usage\n$/);
  assert.equal(h.emu.state.reruns.size, 0);
  assert.equal(statusOf('47'), STATUS.failed);

  const json = await cli(failed('--dag-id', '7', '--since', since, '--json'));
  assertExit(json, 2);
  assert.equal(json.requests, 0);
  assert.equal(JSON.parse(json.stdout).error.code, 'ConfirmationRequired');
});

test('bad input: exit 2, nothing sent, even with --yes', async () => {
  const cases = [
    [['--dag-id', '7', '--since', '2026-02-30', '--yes'], 'InvalidInput InvalidParameter.StartTimeBegin', '--since'],
    [['--dag-id', '7', '--since', '2026-03-01', '--until', '2026-02-29', '--yes'], 'InvalidInput InvalidParameter.StartTimeEnd', '--until'],
    [['--dag-id', '7', '--since', '2026-03-02', '--until', '2026-03-01', '--yes'], 'Usage InvalidArguments', '--until'],
    [['--dag-id', '7', '--yes'], 'Usage MissingArgument', '--since'],
    [['--since', '3d', '--yes'], 'Usage MissingArgument', '--dag-id'],
    [['--dag-id', '07', '--since', '3d', '--yes'], 'InvalidInput InvalidParameter.DagId', '--dag-id'],
    [['--dag-id', '7', '--since', '3d', '--limit', '0', '--yes'], 'Usage InvalidArguments', '--limit'],
    [['--dag-id', '7', '--since', '3d', '--status', 'failed'], 'Usage InvalidArguments', '--status'],
    // Without --yes and not on a terminal, the bad date is still the error reported.
    [['--dag-id', '7', '--since', 'last-week'], 'InvalidInput InvalidParameter.StartTimeBegin', '--since'],
  ];
  for (const [args, label, flag] of cases) {
    const run = await cli(failed(...args));
    assertExit(run, 2);
    assert.equal(run.requests, 0, `${args.join(' ')}: a request reached the emulator`);
    assert.ok(run.stderr.startsWith(`error: ${label}: `), `${args.join(' ')}:\n${run.stderr}`);
    assert.ok(run.stderr.includes(flag), `${flag} not named in\n${run.stderr}`);
  }
  const noCredentials = await cli(failed('--dag-id', '7', '--since', '3d', '--yes'), {});
  assertExit(noCredentials, 2);
  assert.equal(noCredentials.requests, 0);
  assert.match(noCredentials.stderr, /^error: Usage MissingCredentials: /);
});

test('on a terminal: the runs are listed and the question asked; "n" (or Ctrl-D) reruns nothing, "y" reruns them', async () => {
  const since = dayBefore(h.emu.runs.anchorMs, 50);
  const expected = seededRuns(LIST_FLOW, h.emu.runs.anchorMs, { status: 'failed', since });
  const n = expected.length;
  assert.ok(n >= 2, `window from ${since}: ${n} failed runs`);
  const question = `Rerun ${n} failed runs of task flow 7? [y/N] `;
  const args = ['failed', '--dag-id', '7', '--since', since, '--endpoint', h.emu.url];
  const requestsBefore = () => h.emu.state.log.length;

  for (const answer of ['n\n', '\n', 'yess\n', 'EOF']) {
    const start = requestsBefore();
    const run = await runCliOnTerminal(args, { env: DEMO_ENV, expect: '[y/N]', answer });
    assert.equal(run.code, 0, `${JSON.stringify(answer)}:\n${run.output}`);
    assert.deepEqual(unsafeCharacters(run.outputBytes), []);
    assert.ok(run.output.includes(question), run.output);
    for (const r of expected) assert.ok(run.output.includes(`\n${r.id}  `), `run ${r.id} not listed before the question:\n${run.output}`);
    assert.match(run.output, /Not confirmed: nothing rerun\.\nSummary: found \d+, rerun 0, failed 0, skipped \d+\n$/);
    const sent = h.emu.state.log.slice(start);
    assert.deepEqual(sent.map((e) => e.params.Action), ['ListTaskFlowInstance'], `${JSON.stringify(answer)}: a rerun was sent`);
  }
  assert.equal(h.emu.state.reruns.size, 0);

  const start = requestsBefore();
  const yes = await runCliOnTerminal(args, { env: DEMO_ENV, expect: '[y/N]', answer: 'y\n' });
  assert.equal(yes.code, 0, yes.output);
  assert.deepEqual(unsafeCharacters(yes.outputBytes), []);
  // What the user typed is echoed by the terminal after the question.
  assert.ok(yes.output.includes(`${question}y\nRerunning ${n} runs, oldest first, one at a time:\n`), yes.output);
  assert.ok(yes.output.endsWith(`Summary: found ${n}, rerun ${n}, failed 0, skipped 0\n`), yes.output);
  const sent = h.emu.state.log.slice(start).filter((e) => e.params.Action === 'ReRunTaskFlowInstance');
  assert.deepEqual(sent.map((e) => [e.params.DagInstanceId, e.params.DagVersion]), [...expected].reverse().map((r) => [r.id, r.dagVersion]));
  for (const r of expected) assert.equal(statusOf(r.id), STATUS.running);

  // --yes on a terminal asks nothing.
  h.emu.state.reset();
  const told = await runCliOnTerminal([...args, '--yes'], { env: DEMO_ENV });
  assert.equal(told.code, 0, told.output);
  assert.ok(!told.output.includes('[y/N]'), told.output);
  assert.equal(h.emu.state.reruns.size, n);
});

test('--dry-run: lists, signs each rerun with its own version, sends none; the shown request is the real one', async () => {
  const since = dayBefore(h.emu.runs.anchorMs, 170);
  const expected = seededRuns(LIST_FLOW, h.emu.runs.anchorMs, { status: 'failed', since }).reverse();
  const run = await cli(failed('--dag-id', '7', '--since', since, '--dry-run')); // no --yes needed: nothing is rerun
  assertExit(run, 0);
  assert.deepEqual(run.log.map((e) => e.params.Action), ['ListTaskFlowInstance'], 'a rerun was sent');
  assert.equal(h.emu.state.reruns.size, 0);
  for (const r of expected) assert.equal(statusOf(r.id), STATUS.failed);

  const urls = run.stdout.split('\n').filter((l) => l.startsWith('    POST ')).map((l) => l.slice('    POST '.length));
  assert.equal(urls.length, expected.length);
  urls.forEach((url, n) => {
    const query = new URLSearchParams(url.slice(url.indexOf('?') + 1));
    assert.deepEqual(
      [query.get('Action'), query.get('DagId'), query.get('DagInstanceId'), query.get('DagVersion'), query.get('Signature')],
      ['ReRunTaskFlowInstance', '7', expected[n].id, expected[n].dagVersion, 'REDACTED'],
    );
    assert.ok(url.startsWith(`${h.emu.url}/?`), url);
  });
  assert.ok(run.stdout.includes(`would rerun 7079 (DagVersion 1)`), run.stdout);
  assert.ok(run.stdout.endsWith(`Summary: found 5, rerun 0, failed 0, skipped 5 (dry run: nothing sent)\n`), run.stdout);

  // With the signature recomputed from the shown canonical query, the request is accepted:
  // the dry run showed exactly what would have been sent. The real signature was never printed.
  const url = urls[0];
  const canonical = url.slice(url.indexOf('?') + 1).replace(/&Signature=REDACTED$/, '');
  const signature = createHmac('sha1', `${DEMO_KEY.accessKeySecret}&`).update(`POST&%2F&${encodeURIComponent(canonical)}`).digest('base64');
  assert.ok(!run.stdout.includes(signature) && !run.stdout.includes(encodeURIComponent(signature)));
  const res = await fetch(`${h.emu.url}/?${canonical}&Signature=${encodeURIComponent(signature)}`, { method: 'POST' });
  assert.equal((await res.json()).Success, true);
  assert.equal(statusOf(expected[0].id), STATUS.running);
});

test('--dry-run --json with STS: every request redacted, the token nowhere', async () => {
  const since = dayBefore(h.emu.runs.anchorMs, 50);
  const run = await cli(failed('--dag-id', '7', '--since', since, '--dry-run', '--json'), STS_ENV);
  assertExit(run, 0);
  assert.equal(reruns(run).length, 0);
  const report = JSON.parse(run.stdout);
  assert.equal(report.dryRun, true);
  assert.ok(report.outcomes.length >= 2);
  for (const o of report.outcomes) {
    assert.equal(o.outcome, 'dry-run');
    assert.equal(o.request.signature, 'REDACTED');
    assert.equal(o.request.sent, false);
    assert.ok(o.request.url.includes('&SecurityToken=REDACTED&'), o.request.url);
    assert.ok(o.request.url.includes(`&DagInstanceId=${o.id}&`), o.request.url);
  }
  for (const form of [STS_KEY.securityToken, encodeURIComponent(STS_KEY.securityToken), 'CAIS']) assert.ok(!run.stdout.includes(form), form);
  assert.equal(report.summary.rerun, 0);
  assert.equal(report.summary.skipped, report.outcomes.length);
});

test('an API error on one run: its outcome line and exit 1, and the others are still rerun', async () => {
  // The listing names 49, which DMS does not know: its rerun is refused (InstanceNotExist).
  answerList([{ id: '48' }, { id: '49' }, { id: '47' }]);
  const run = await cli(failed('--dag-id', '7', '--since', '2026-01-01', '--yes'));
  assertExit(run, 1);
  assert.deepEqual(reruns(run), [['47', '2'], ['49', '2'], ['48', '2']]);
  const log = run.log.filter((e) => e.params.Action === 'ReRunTaskFlowInstance');
  assert.deepEqual(outcomeLines(run), [
    `  47 (DagVersion 2): accepted, RequestId ${log[0].requestId}`,
    `  49 (DagVersion 2): failed: Api InstanceNotExist: The task flow instance does not exist. (RequestId ${log[1].requestId})`,
    `  48 (DagVersion 2): accepted, RequestId ${log[2].requestId}`,
  ]);
  assert.ok(run.stdout.endsWith('Summary: found 3, rerun 2, failed 1, skipped 0\n'), run.stdout);
  assert.equal(statusOf('47'), STATUS.running);
  assert.equal(statusOf('48'), STATUS.running);

  // --json: the same, as data.
  h.emu.state.reset();
  answerList([{ id: '48' }, { id: '49' }, { id: '47' }]);
  const json = await cli(failed('--dag-id', '7', '--since', '2026-01-01', '--yes', '--json'));
  assertExit(json, 1);
  const report = JSON.parse(json.stdout);
  assert.deepEqual(report.outcomes.map((o) => o.outcome), ['accepted', 'failed', 'accepted']);
  assert.deepEqual(
    [report.outcomes[1].error.kind, report.outcomes[1].error.code, report.outcomes[1].error.httpStatus],
    ['Api', 'InstanceNotExist', 200],
  );
  assert.deepEqual(report.summary, { found: 3, rerun: 2, failed: 1, skipped: 0 });
});

test('a listed version DMS does not accept: DagVersionMismatch for that run only', async () => {
  answerList([{ id: '48', dagVersion: '1' }, { id: '47' }]);
  const run = await cli(failed('--dag-id', '7', '--since', '2026-01-01', '--until', '2026-12-31', '--yes'));
  assertExit(run, 1);
  assert.ok(run.stdout.startsWith('2 failed runs of task flow 7 from 2026-01-01 to 2026-12-31\n'), run.stdout);
  assert.deepEqual(reruns(run), [['47', '2'], ['48', '1']]);
  assert.match(outcomeLines(run)[1], /^ {2}48 \(DagVersion 1\): failed: Api DagVersionMismatch: /);
  assert.equal(statusOf('48'), STATUS.failed);
});

test('throttling stops the loop: the runs left are reported, not attempted; exit 1', async () => {
  const since = dayBefore(h.emu.runs.anchorMs, 50);
  const expected = seededRuns(LIST_FLOW, h.emu.runs.anchorMs, { status: 'failed', since }).reverse();
  assert.ok(expected.length >= 3, `${expected.length} failed runs from ${since}`);
  // The listing and the first rerun are answered; the second rerun is throttled.
  h.emu.injectFaults([PASS, PASS, { type: 'throttling-user' }]);
  const run = await cli(failed('--dag-id', '7', '--since', since, '--yes', '--max-retries', '0'));
  assertExit(run, 1);
  assert.equal(run.requests, 3, 'a run after the throttled one was attempted');
  assert.deepEqual(reruns(run).map(([id]) => id), [expected[0].id, expected[1].id]);
  const lines = outcomeLines(run);
  assert.match(lines[0], new RegExp(`^  ${expected[0].id} \\(DagVersion 2\\): accepted, RequestId `));
  assert.match(lines[1], new RegExp(`^  ${expected[1].id} \\(DagVersion 2\\): failed: Api Throttling\\.User: .*\\(RequestId \\S+\\)$`));
  const left = expected.slice(2).map((r) => r.id);
  assert.ok(run.stdout.includes(`Stopped: the API is throttling (Throttling.User). Not attempted: ${left.join(', ')}; run the command again later.\n`), run.stdout);
  const n = expected.length;
  assert.ok(run.stdout.endsWith(`Summary: found ${n}, rerun 1, failed 1, skipped ${n - 2}\n`), run.stdout);
  for (const id of left) assert.equal(statusOf(id), STATUS.failed);

  h.emu.state.reset();
  h.emu.injectFaults([PASS, { type: 'throttling-api' }]);
  const json = await cli(failed('--dag-id', '7', '--since', since, '--yes', '--max-retries', '0', '--json'));
  assertExit(json, 1);
  const report = JSON.parse(json.stdout);
  assert.equal(report.stoppedBy, 'Throttling.Api');
  assert.deepEqual(report.outcomes.map((o) => [o.outcome, o.reason]), [['failed', undefined], ...expected.slice(1).map(() => ['skipped', 'throttled'])]);
  assert.deepEqual(report.summary, { found: n, rerun: 0, failed: 1, skipped: n - 1 });
});

test('a rerun that times out: reported as possibly done, and the loop goes on', async () => {
  const since = dayBefore(h.emu.runs.anchorMs, 50);
  const expected = seededRuns(LIST_FLOW, h.emu.runs.anchorMs, { status: 'failed', since }).reverse();
  h.emu.injectFaults([PASS, { type: 'hang' }]);
  const run = await cli(failed('--dag-id', '7', '--since', since, '--yes', '--timeout-ms', '500'));
  assertExit(run, 1);
  const lines = outcomeLines(run);
  assert.equal(lines.length, expected.length);
  assert.match(lines[0], new RegExp(`^  ${expected[0].id} \\(DagVersion 2\\): failed: Timeout: .*may still have happened`));
  assert.equal((lines[0].match(/may still have happened/g) ?? []).length, 1, lines[0]);
  for (const l of lines.slice(1)) assert.match(l, /: accepted, RequestId /);
  assert.ok(run.stdout.endsWith(`Summary: found ${expected.length}, rerun ${expected.length - 1}, failed 1, skipped 0\n`), run.stdout);
});

test('--limit N: the N newest failed runs, the others counted as skipped', async () => {
  const since = dayBefore(h.emu.runs.anchorMs, 170);
  const expected = seededRuns(LIST_FLOW, h.emu.runs.anchorMs, { status: 'failed', since });
  const run = await cli(failed('--dag-id', '7', '--since', since, '--limit', '2', '--yes'));
  assertExit(run, 0);
  assert.deepEqual(reruns(run).map(([id]) => id), expected.slice(0, 2).reverse().map((r) => r.id));
  assert.ok(run.stdout.startsWith(`${expected.length} failed runs of task flow 7 since ${since}; the 2 newest (--limit 2) are taken\n`), run.stdout);
  assert.ok(run.stdout.endsWith(`Summary: found ${expected.length}, rerun 2, failed 0, skipped ${expected.length - 2}\n`), run.stdout);
});

test('the listing fails: exit 1, nothing rerun', async () => {
  const run = await cli(failed('--dag-id', '12345', '--since', '2026-01-01', '--yes'));
  assertExit(run, 1);
  assert.deepEqual(reruns(run), []);
  assert.equal(run.stdout, '');
  assert.match(run.stderr, /^error: Api DagNotExist: /);
});

test('hostile text: in the listed message, version and the rerun error, escaped; exact in --json', async () => {
  // 47's listed version is hostile (DMS refuses it); 48's rerun gets a gateway error full of escapes.
  answerList([{ id: '48', message: EVIL }, { id: '47', dagVersion: `2${EVIL}`, message: EVIL }]);
  h.emu.injectFaults([PASS, { type: 'status', status: 400, code: EVIL, message: EVIL }]);
  const run = await cli(failed('--dag-id', '7', '--since', '2026-01-01', '--yes'), { ...DEMO_ENV, COLUMNS: '400' });
  assertExit(run, 1);
  const lines = run.stdout.split('\n');
  assert.ok(!lines.some((l) => l.startsWith('Rerun accepted') || l.startsWith('Summary: found 0')), run.stdout);
  assert.ok(lines.some((l) => l.startsWith('47  ') && l.endsWith(`  ${SHOWN}`)), run.stdout);
  assert.deepEqual(outcomeLines(run), [
    `  47 (DagVersion 2${SHOWN}): failed: Api DagVersionMismatch: The specified DagVersion does not match the task flow version. (RequestId ${run.log[1].requestId})`,
    `  48 (DagVersion 2): failed: Api ${SHOWN}: ${SHOWN} (RequestId ${run.log[2].requestId})`,
  ]);
  assert.equal(reruns(run)[0][1], `2${EVIL}`, 'the version is sent exactly as listed');

  h.emu.state.reset();
  answerList([{ id: '48', message: EVIL }]);
  h.emu.injectFaults([{ type: 'status', status: 400, code: EVIL, message: EVIL }]);
  const json = await cli(failed('--dag-id', '7', '--since', '2026-01-01', '--yes', '--json'));
  assertExit(json, 1);
  const report = JSON.parse(json.stdout);
  assert.equal(report.outcomes[0].error.code, EVIL);
  assert.equal(report.outcomes[0].error.message, EVIL);
});
