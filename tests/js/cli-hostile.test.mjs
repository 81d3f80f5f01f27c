/**
 * The CLI against a hostile gateway and hostile input (defect 8 of issue 9): text the CLI
 * did not write — gateway Code/Message/RequestId/Recommend, DMS ErrorCode/ErrorMessage,
 * response headers, argv, env — must reach the terminal as visible escapes, never as
 * controls that clear the screen, move the cursor or reorder a line. Every run here also
 * passes the harness's byte check (cli-support/terminal.mjs).
 *
 *   node --test tests/js/cli-hostile.test.mjs
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO_ENV, assertExit, useEmulatorCli } from './cli-support/harness.mjs';
import { runCli } from './cli-support/run-cli.mjs';

// Clears the screen, homes the cursor and draws a success line; U+202E reverses what
// follows; U+009B is a one-character CSI; the newline would start a forged line.
const EVIL = '\x1b[2J\x1b[HRerun accepted: RequestId X \u202eevil\u009b31m\nRerun accepted: RequestId FAKE';
// Written by hand, not computed with the CLI's printable(): what a user must see.
const SHOWN = String.raw`\x1b[2J\x1b[HRerun accepted: RequestId X \u202eevil\u009b31m\nRerun accepted: RequestId FAKE`;
// The same text inside JSON: JSON.stringify's \u001b for ESC, and the rest escaped too.
const SHOWN_JSON = String.raw`\u001b[2J\u001b[HRerun accepted: RequestId X \u202eevil\u009b31m\nRerun accepted: RequestId FAKE`;

const h = useEmulatorCli();
const { flow, cli } = h;

/** Lines of both streams; none but a real success may begin like one. */
const lines = (run) => (run.stdout + run.stderr).split('\n');

/** A gateway answer with this status and JSON body, once. */
function answer(status, body, headers) {
  h.emu.injectFaults([{ type: 'raw', status, body: JSON.stringify(body), headers }]);
}

test('gateway error with escape sequences in Code and Message: shown escaped, no forged line', async () => {
  h.emu.injectFaults([{ type: 'status', status: 400, code: EVIL, message: EVIL }]);
  const run = await cli(flow());
  assertExit(run, 1);
  assert.equal(run.stdout, '');
  const [first] = run.stderr.split('\n');
  assert.equal(first, `error: Api ${SHOWN}: ${SHOWN}`);
  assert.ok(run.stderr.includes(`  RequestId: ${run.log[0].requestId}\n`), run.stderr);
  assert.ok(!lines(run).some((l) => l.startsWith('Rerun accepted')), run.stderr);
  assert.ok(!run.stderrBytes.includes(0x1b));
});

test('--json: the same answer is valid JSON, every unsafe character escaped, the value exact', async () => {
  h.emu.injectFaults([{ type: 'status', status: 400, code: EVIL, message: EVIL }]);
  const run = await cli(flow('--json'));
  assertExit(run, 1);
  assert.equal(run.stderr, '');
  assert.equal(run.stdout.split('\n').length, 2, 'one line and its newline');
  assert.ok(run.stdout.includes(`"code":"${SHOWN_JSON}"`), run.stdout);
  const { error } = JSON.parse(run.stdout);
  assert.equal(error.code, EVIL, 'escaping must not change what a program reads');
  assert.equal(error.message, EVIL);
});

test('an accepted rerun whose RequestId and API note carry escapes', async () => {
  answer(200, { RequestId: EVIL, Success: true, ErrorCode: EVIL, ErrorMessage: `\u2066${EVIL}\u2069` });
  const run = await cli(flow());
  assertExit(run, 0);
  assert.equal(run.stderr, '');
  assert.deepEqual(run.stdout.split('\n'), [
    `Rerun accepted: RequestId ${SHOWN}`,
    `  note from the API: ${SHOWN}: \\u2066${SHOWN}\\u2069`,
    '',
  ]);

  answer(200, { RequestId: EVIL, Success: true, ErrorCode: EVIL, ErrorMessage: EVIL });
  const json = await cli(flow('--json'));
  assertExit(json, 0);
  assert.deepEqual(JSON.parse(json.stdout), { requestId: EVIL, success: true, errorCode: EVIL, errorMessage: EVIL });
});

test('DMS refusal (HTTP 200, Success false) and a gateway Recommend with escapes', async () => {
  answer(200, { RequestId: EVIL, Success: false, ErrorCode: EVIL, ErrorMessage: EVIL });
  const refused = await cli(flow());
  assertExit(refused, 1);
  assert.deepEqual(refused.stderr.split('\n').slice(0, 2), [`error: Api ${SHOWN}: ${SHOWN}`, `  RequestId: ${SHOWN}`]);

  answer(403, { RequestId: 'R-1', Code: 'Forbidden.RAM', Message: 'denied', Recommend: EVIL });
  const gateway = await cli(flow());
  assertExit(gateway, 1);
  assert.ok(gateway.stderr.includes(`\n  see: ${SHOWN}\n`), gateway.stderr);
  assert.ok(!lines(gateway).some((l) => l.startsWith('Rerun accepted')));
});

test('C1 controls arriving in a response header (x-acs-request-id, read as Latin-1)', async () => {
  // HTTP allows bytes 0x80–0xFF in header values and fetch reads each byte as U+0000–U+00FF.
  // Node's server writes this value as UTF-8 (C2 9B, C2 85): read back as 'Â' + U+009B (the
  // 8-bit CSI) and 'Â' + U+0085 (next line).
  answer(400, { Code: 'Forbidden', Message: 'denied' }, { 'x-acs-request-id': 'ID\u009b2J\u0085X' });
  const run = await cli(flow());
  assertExit(run, 1);
  assert.ok(run.stderr.includes(String.raw`  RequestId: IDÂ\u009b2JÂ\u0085X`), run.stderr);
  answer(400, { Code: 'Forbidden', Message: 'denied' }, { 'x-acs-request-id': 'ID\u009b2J\u0085X' });
  const json = await cli(flow('--json'));
  assert.equal(JSON.parse(json.stdout).error.requestId, 'ID\u00c2\u009b2J\u00c2\u0085X');
  assert.ok(json.stdout.includes(String.raw`"requestId":"IDÂ\u009b2JÂ\u0085X"`), json.stdout);
});

test('a 1 MB gateway Message: a bounded line on a terminal, whole in --json', async () => {
  const message = `\x1b]0;title\x07${'m'.repeat(1_000_000)}`; // OSC: would retitle the window
  h.emu.injectFaults([{ type: 'status', status: 400, code: 'Big', message }]);
  const run = await cli(flow());
  assertExit(run, 1);
  assert.ok(run.stderr.length < 8_000, `printed ${run.stderr.length} characters`);
  assert.match(run.stderr, /^error: Api Big: \\x1b\]0;title\\x07m{100,} … \[\d+ more characters; --json prints them all\]\n/);

  h.emu.injectFaults([{ type: 'status', status: 400, code: 'Big', message }]);
  const json = await cli(flow('--json'));
  assertExit(json, 1);
  assert.equal(JSON.parse(json.stdout).error.message, message);
});

test('argv echoed in usage errors: unknown flag, positional, credential flag, bad number', async () => {
  const cases = [
    [[`--${EVIL}`], `error: Usage InvalidArguments: Unknown option '--${SHOWN}'`],
    [[`pos${EVIL}`], `error: Usage InvalidArguments: Unexpected argument 'pos${SHOWN}'`],
    [[`--token${EVIL}=x`], `error: Usage CredentialArgument: --token${SHOWN} is not accepted`],
    // JSON.stringify in the message escapes the ESC but not U+202E: printing must.
    [['--timeout-ms', '\u202e1'], String.raw`error: Usage InvalidArguments: --timeout-ms must be a non-negative integer, got "\u202e1"`],
  ];
  for (const [extra, expected] of cases) {
    const run = await cli(flow(...extra));
    assertExit(run, 2);
    assert.equal(run.requests, 0);
    assert.ok(run.stderr.startsWith(expected), `expected ${expected}\n     got ${run.stderr}`);
    assert.ok(!lines(run).some((l) => l.startsWith('Rerun accepted')));

    const json = await cli(flow(...extra, '--json'));
    assertExit(json, 2);
    assert.equal(JSON.parse(json.stdout).error.kind, 'Usage');
  }
});

test('a 100 KB unknown flag is echoed, cut short', async () => {
  const run = await cli(flow(`--${'\x1b'.repeat(100_000)}`));
  assertExit(run, 2);
  assert.ok(run.stderr.length < 12_000, `printed ${run.stderr.length} characters`);
  assert.match(run.stderr, /^error: Usage InvalidArguments: Unknown option '--(\\x1b){100,}.* more characters/);
});

test('--dry-run with escapes in --dag-version and the environment: percent-encoded, nothing raw', async () => {
  const env = { ...DEMO_ENV, ALIBABA_CLOUD_ACCESS_KEY_ID: `${DEMO_ENV.ALIBABA_CLOUD_ACCESS_KEY_ID}\x1b[2J\u202e` };
  for (const json of [[], ['--json']]) {
    const run = await cli(['--dag-id', '7', '--dag-instance-id', '47', '--dag-version', EVIL, '--endpoint', h.emu.url, '--dry-run', ...json], env);
    assertExit(run, 0);
    assert.equal(run.requests, 0);
    assert.ok(run.stdout.includes('DagVersion=%1B%5B2J%1B%5BHRerun%20accepted%3A%20RequestId%20X%20%E2%80%AEevil%C2%9B31m%0ARerun'), run.stdout);
    assert.ok(run.stdout.includes('AccessKeyId=LTAI-demo-key%1B%5B2J%E2%80%AE&'), run.stdout);
  }
});

test('a hostile Code cannot make the CLI point at a flag that does not exist', async () => {
  // "InvalidParameter.X" → "check --x" is a hint for the CLI's own flags only; `in` would
  // also find Object.prototype's constructor and __proto__.
  for (const code of ['InvalidParameter.Constructor', 'InvalidParameter.__proto__', 'InvalidParameter.ToString']) {
    h.emu.injectFaults([{ type: 'status', status: 400, code, message: 'no' }]);
    const run = await cli(flow());
    assertExit(run, 1);
    assert.ok(!run.stderr.includes('check --'), run.stderr);
  }
});

test('a flag given twice is refused, not silently the last one: nothing sent', async () => {
  // A script that appends `--dag-id 8` to a command holding `--dag-id 7` must not rerun 8.
  const run = await cli(flow('--dag-id', '8'));
  assertExit(run, 2);
  assert.equal(run.requests, 0);
  assert.match(run.stderr, /^error: Usage DuplicateArgument: --dag-id given more than once \("7", "8"\)/);
  const json = await cli(flow('--dag-instance-id=48', '--json'));
  assertExit(json, 2);
  assert.equal(json.requests, 0);
  assert.equal(JSON.parse(json.stdout).error.code, 'DuplicateArgument');
  // Repeating a switch changes nothing: accepted.
  assertExit(await cli(flow('--json', '--json')), 0);
});

test('stdout closed early (`dms-rerun … | head -c0`): the exit code still says what happened', async () => {
  // Writing to a pipe nobody reads fails with EPIPE. Unhandled, Node prints a stack trace and
  // exits 1 — "refused" — after a rerun that was accepted, inviting a second one.
  const rerun = (instance, ...extra) => ['--dag-id', '7', '--dag-instance-id', instance, '--dag-version', '2', '--endpoint', h.emu.url, ...extra];
  for (const [args, expected] of [[rerun('47'), 0], [rerun('47', '--json'), 0], [rerun('49', '--json'), 1]]) {
    const requestsBefore = h.emu.state.requests;
    const run = await runCli(args, { env: DEMO_ENV, closeStdout: true });
    assert.equal(run.code, expected, `${args.join(' ')}: exit ${run.code}\n${run.stderr}`);
    assert.ok(!/EPIPE|node:internal/.test(run.stderr), run.stderr);
    assert.equal(h.emu.state.requests - requestsBefore, 1);
  }
});
