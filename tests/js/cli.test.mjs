/**
 * The `dms-rerun` command line, run as a child process from the installed
 * package (falls back to the repository's bin/ before a re-pack) against the
 * local DMS emulator.
 *
 *   node --test tests/js/cli.test.mjs
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync, readdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_KEY, STS_KEY, MAX_LONG, TASK_FLOWS } from '../../emulator/data.mjs';
import { cliPackageDir, cliPath, installedShim, repoRoot, runCli, usingInstalled } from './cli-support/run-cli.mjs';
import { DEMO_ENV, STS_ENV, assertExit, useEmulatorCli } from './cli-support/harness.mjs';

const BIG_FLOW = TASK_FLOWS[1]; // DagId 2^63−1, version 'v-大数据-🚀', instance 2^63−2
const REQUEST_ID = /[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}/;
/** Every flag the CLI has; --help must document exactly these. */
const FLAGS = [
  '--dag-id', '--dag-instance-id', '--dag-version', '--tid', '--region-id', '--endpoint', '--method',
  '--timeout-ms', '--max-retries', '--dry-run', '--json', '--help', '--version',
];

// `h.emu` is the emulator (started in a before hook); `cli` also checks every run for
// leaked secrets and for characters a terminal would act on.
const h = useEmulatorCli();
const { flow, cli } = h;

/** base64 HMAC-SHA1 of a string to sign: what the signature of a printed dry run would be. */
const sign = (secret, stringToSign) => createHmac('sha1', `${secret}&`).update(stringToSign).digest('base64');

test('the CLI under test is the one the package ships', (t) => {
  t.diagnostic(`running ${cliPath}`);
  if (!usingInstalled) {
    t.diagnostic('test-output/consumer has no bin/dms-rerun.mjs yet: run `node scripts/pack.mjs` to test the installed copy');
    return;
  }
  // Every file of bin/ (the entry and its modules under bin/lib/) ships, unchanged.
  const files = readdirSync(join(repoRoot, 'bin'), { recursive: true }).filter((f) => f.endsWith('.mjs'));
  assert.ok(files.length > 1, files.join(', '));
  for (const file of files) {
    assert.equal(readFileSync(join(cliPackageDir, 'bin', file), 'utf8'), readFileSync(join(repoRoot, 'bin', file), 'utf8'), `bin/${file}: the installed copy differs: re-pack`);
  }
  assert.equal(cliPath, join(cliPackageDir, 'bin', 'dms-rerun.mjs'));
  assert.equal(realpathSync(installedShim), realpathSync(cliPath), 'node_modules/.bin/dms-rerun does not point at the CLI');
});

test('node_modules/.bin/dms-rerun runs through its shebang', { skip: !usingInstalled && 'package not re-packed with bin/ yet' }, async () => {
  const run = await runCli(['--version'], { command: installedShim });
  assertExit(run, 0);
  assert.equal(run.stdout, `${JSON.parse(readFileSync(join(cliPackageDir, 'package.json'), 'utf8')).version}\n`);
});

test('--help documents every flag, the environment variables and the exit codes', async () => {
  const run = await cli(['--help'], {});
  assertExit(run, 0);
  assert.equal(run.stderr, '');
  // The usage lines of the other commands (`dms-rerun failed --dag-id ID --since DATE`) name
  // their flags; each command's own --help documents them (cli-list/cli-failed tests).
  const own = run.stdout.replace(/^ {7}dms-rerun (list|failed) .*$/gm, '');
  const documented = new Set(own.match(/--[a-z][a-z-]*/g));
  assert.deepEqual([...documented].sort(), [...FLAGS].sort(), 'flags in --help');
  for (const name of ['ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET', 'ALIBABA_CLOUD_SECURITY_TOKEN']) {
    assert.ok(run.stdout.includes(name), `--help does not mention ${name}`);
  }
  for (const code of ['0', '1', '2']) assert.match(run.stdout, new RegExp(`^\\s+${code}\\s+\\S`, 'm'), `exit code ${code}`);
  assert.deepEqual((await cli(['-h'], {})).stdout, run.stdout);
});

test('--version prints the package version', async () => {
  const version = JSON.parse(readFileSync(join(cliPackageDir, 'package.json'), 'utf8')).version;
  for (const flag of ['--version', '-v']) {
    const run = await cli([flag], {});
    assertExit(run, 0);
    assert.equal(run.stdout, `${version}\n`);
  }
});

test('success: exit 0, one line with the RequestId, one POST to the gateway', async () => {
  const rerunsBefore = h.emu.state.reruns.get('47') ?? 0;
  const run = await cli(flow());
  assertExit(run, 0);
  assert.equal(run.requests, 1);
  const [entry] = run.log;
  assert.equal(run.stdout, `Rerun accepted: RequestId ${entry.requestId}\n`);
  assert.equal(run.stderr, '');
  assert.equal(entry.method, 'POST');
  assert.equal(entry.status, 200);
  assert.deepEqual([entry.params.DagId, entry.params.DagInstanceId, entry.params.DagVersion, entry.params.Tid], ['7', '47', '2', undefined]);
  assert.equal(entry.params.SecurityToken, undefined);
  assert.equal(h.emu.state.reruns.get('47'), rerunsBefore + 1);
});

test('--json success: one JSON object, the result', async () => {
  const run = await cli(flow('--json', '--method', 'GET'));
  assertExit(run, 0);
  assert.equal(run.stderr, '');
  assert.equal(run.stdout.trim().split('\n').length, 1);
  assert.deepEqual(JSON.parse(run.stdout), { requestId: run.log[0].requestId, success: true });
  assert.equal(run.log[0].method, 'GET');
});

test('unknown instance: exit 1, kind, code, RequestId and HTTP status on stderr', async () => {
  const args = ['--dag-id', '7', '--dag-instance-id', '49', '--dag-version', '2', '--endpoint', h.emu.url];
  const run = await cli(args);
  assertExit(run, 1);
  assert.equal(run.stdout, '');
  assert.equal(run.requests, 1);
  const lines = run.stderr.trimEnd().split('\n');
  assert.match(lines[0], /^error: Api InstanceNotExist: \S/);
  assert.ok(lines.includes(`  RequestId: ${run.log[0].requestId}`), run.stderr);
  assert.ok(lines.includes('  HTTP status: 200'), run.stderr);

  const json = await cli([...args, '--json']);
  assertExit(json, 1);
  assert.equal(json.stderr, '');
  const { error } = JSON.parse(json.stdout);
  assert.equal(error.kind, 'Api');
  assert.equal(error.code, 'InstanceNotExist');
  assert.equal(error.httpStatus, 200);
  assert.equal(error.requestId, json.log[0].requestId);
  assert.equal(error.retryable, false);
});

test('invalid input: exit 2, the library code and the flag named, nothing sent', async () => {
  const cases = [
    [['--dag-id', 'abc', '--dag-instance-id', '47', '--dag-version', '2'], 'InvalidInput InvalidParameter.DagId', '--dag-id'],
    [['--dag-id', '7', '--dag-instance-id', '047', '--dag-version', '2'], 'InvalidInput InvalidParameter.DagInstanceId', '--dag-instance-id'],
    [['--dag-id', '7', '--dag-instance-id', '47', '--dag-version', '2', '--tid', '9223372036854775808'], 'InvalidInput InvalidParameter.Tid', '--tid'],
    [['--dag-id', '7', '--dag-instance-id', '47', '--dag-version', ''], 'InvalidInput InvalidParameter.DagVersion', '--dag-version'],
    [['--dag-id', '7', '--dag-instance-id', '47', '--dag-version', '2', '--method', 'PUT'], 'InvalidInput InvalidParameter.Method', '--method'],
    [['--dag-id', '7', '--dag-instance-id', '47', '--dag-version', '2', '--max-retries', '11'], 'InvalidInput InvalidParameter.MaxRetries', '--max-retries'],
    [['--dag-id', '7', '--dag-instance-id', '47', '--dag-version', '2', '--timeout-ms', '1e3'], 'Usage InvalidArguments', '--timeout-ms'],
    [['--dag-id', '7', '--dag-instance-id', '47'], 'Usage MissingArgument', '--dag-version'],
  ];
  for (const [args, label, flag] of cases) {
    const run = await cli([...args, '--endpoint', h.emu.url]);
    assertExit(run, 2);
    assert.equal(run.requests, 0, `${label}: a request reached the emulator`);
    assert.equal(run.stdout, '');
    assert.ok(run.stderr.startsWith(`error: ${label}: `), run.stderr);
    assert.ok(run.stderr.includes(flag), `${label}: ${flag} not named in\n${run.stderr}`);
  }
  const json = await cli(['--dag-id', 'abc', '--dag-instance-id', '47', '--dag-version', '2', '--endpoint', h.emu.url, '--json']);
  assertExit(json, 2);
  assert.deepEqual(
    [JSON.parse(json.stdout).error.kind, JSON.parse(json.stdout).error.code, json.requests],
    ['InvalidInput', 'InvalidParameter.DagId', 0],
  );
});

test('credentials: missing or empty env → exit 2; empty security token counts as unset; STS works', async () => {
  for (const env of [{}, { ALIBABA_CLOUD_ACCESS_KEY_ID: DEMO_KEY.accessKeyId }, { ...DEMO_ENV, ALIBABA_CLOUD_ACCESS_KEY_SECRET: '' }]) {
    const run = await cli(flow(), env);
    assertExit(run, 2);
    assert.equal(run.requests, 0);
    assert.match(run.stderr, /^error: Usage MissingCredentials: set .*ALIBABA_CLOUD_ACCESS_KEY_SECRET.* in the environment/);
  }

  const emptyToken = await cli(flow(), { ...DEMO_ENV, ALIBABA_CLOUD_SECURITY_TOKEN: '' });
  assertExit(emptyToken, 0);
  assert.equal(emptyToken.log[0].params.SecurityToken, undefined);

  const sts = await cli(flow('--tid', '1'), STS_ENV);
  assertExit(sts, 0);
  assert.equal(sts.log[0].params.SecurityToken, STS_KEY.securityToken);
  assert.equal(sts.log[0].params.Tid, '1');
});

test('usage errors: unknown flag, positional, both endpoint and region, credential flags → exit 2', async () => {
  const cases = [
    [flow('--bogus'), /^error: Usage InvalidArguments: Unknown option '--bogus'/],
    [flow('extra'), /^error: Usage InvalidArguments: Unexpected argument 'extra'/],
    [flow('--json=yes'), /^error: Usage InvalidArguments: Option '--json' does not take an argument/],
    [flow('--json', '--bogus'), /^\{"error":\{"kind":"Usage","code":"InvalidArguments","message":"Unknown option '--bogus'"\}\}\n$/], // JSON asked: usage errors are JSON too
    [flow('--region-id', 'cn-hangzhou'), /^error: Usage InvalidArguments: give --region-id or --endpoint, not both/],
  ];
  for (const [args, pattern] of cases) {
    const run = await cli(args);
    assertExit(run, 2);
    assert.equal(run.requests, 0);
    assert.match(run.stdout + run.stderr, pattern);
  }
  // A secret on the command line is refused by name, and its value is never echoed.
  for (const flag of [`--access-key-secret=${DEMO_KEY.accessKeySecret}`, '--security-token', '--access-key-id']) {
    const run = await cli([...flow(), flag, 'x']); // cli() asserts the secret is not in the output
    assertExit(run, 2);
    assert.equal(run.requests, 0);
    assert.match(run.stderr, /^error: Usage CredentialArgument: --[a-z-]+ is not accepted: credentials are read only from the environment/);
    assert.match(run.stderr, /process list/);
  }
});

test('--dry-run: signed, not sent, signature redacted; the printed request is the real one', async () => {
  const run = await cli(flow('--tid', '1'));
  assertExit(run, 0); // warm-up success, proves the same flags send when not a dry run

  const dry = await cli(flow('--tid', '1', '--dry-run'));
  assertExit(dry, 0);
  assert.equal(dry.requests, 0, 'a dry run sent a request');
  assert.equal(dry.stderr, '');
  const field = (name) => new RegExp(`^${name}:\\s+(.*)$`, 'm').exec(dry.stdout)?.[1];
  const url = field('URL');
  const stringToSign = field('String to sign');
  assert.equal(field('Method'), 'POST');
  assert.match(url, /&Signature=REDACTED$/);
  assert.equal(url, `${h.emu.url}/?${field('Canonical query')}&Signature=REDACTED`);
  assert.match(field('Signature'), /^REDACTED\b/);

  // The real signature (recomputed here from the printed string to sign) is nowhere in the output...
  const signature = sign(DEMO_KEY.accessKeySecret, stringToSign);
  assert.ok(!dry.stdout.includes(signature) && !dry.stdout.includes(encodeURIComponent(signature)), 'the signature was printed');
  // ...and with it the printed URL is a valid request: the dry run showed exactly what would be sent.
  const res = await fetch(url.replace('Signature=REDACTED', `Signature=${encodeURIComponent(signature)}`), { method: 'POST' });
  const body = await res.json();
  assert.equal(res.status, 200, JSON.stringify(body));
  assert.equal(body.Success, true);
  assert.equal(h.emu.state.log.at(-1).params.Tid, '1');
});

test('--dry-run --json with STS: the token is redacted too', async () => {
  const dry = await cli(flow('--dry-run', '--json'), STS_ENV);
  assertExit(dry, 0);
  assert.equal(dry.requests, 0);
  const shown = JSON.parse(dry.stdout);
  assert.deepEqual(Object.keys(shown).sort(), ['canonicalQuery', 'dryRun', 'method', 'sent', 'signature', 'stringToSign', 'url']);
  assert.equal(shown.dryRun, true);
  assert.equal(shown.sent, false);
  assert.equal(shown.signature, 'REDACTED');
  assert.ok(shown.url.includes('&SecurityToken=REDACTED&'), shown.url);
  assert.ok(shown.canonicalQuery.includes('&SecurityToken=REDACTED&'), shown.canonicalQuery);
  assert.ok(shown.stringToSign.includes('%26SecurityToken%3DREDACTED%26'), shown.stringToSign);
  const token = STS_KEY.securityToken;
  for (const form of [token, encodeURIComponent(token), encodeURIComponent(encodeURIComponent(token)), 'CAIS']) {
    assert.ok(!dry.stdout.includes(form), `the token leaked as ${form}`);
  }
});

test('2^63−1 ids and the non-ASCII version go through exactly', async () => {
  const rerunsBefore = h.emu.state.reruns.get(BIG_FLOW.instances[0]) ?? 0;
  const run = await cli([
    '--dag-id', MAX_LONG, '--dag-instance-id', BIG_FLOW.instances[0], '--dag-version', BIG_FLOW.dagVersion,
    '--tid', MAX_LONG, '--endpoint', h.emu.url, '--json',
  ]);
  assertExit(run, 0);
  assert.equal(JSON.parse(run.stdout).requestId, run.log[0].requestId);
  const { params } = run.log[0];
  assert.deepEqual(
    [params.DagId, params.DagInstanceId, params.DagVersion, params.Tid],
    ['9223372036854775807', '9223372036854775806', 'v-大数据-🚀', '9223372036854775807'],
  );
  assert.equal(h.emu.state.reruns.get(BIG_FLOW.instances[0]), rerunsBefore + 1);
});

test('throttling: retried then accepted; with --max-retries 0 it fails with exit 1', async () => {
  h.emu.injectFaults([{ type: 'throttling-user' }]);
  const retried = await cli(flow());
  assertExit(retried, 0);
  assert.equal(retried.requests, 2);
  assert.match(retried.stdout, REQUEST_ID);

  h.emu.injectFaults([{ type: 'throttling-api' }]);
  const refused = await cli(flow('--max-retries', '0'));
  assertExit(refused, 1);
  assert.equal(refused.requests, 1);
  assert.match(refused.stderr, /^error: Api Throttling\.Api: /);
  assert.ok(refused.stderr.includes(`  RequestId: ${refused.log[0].requestId}`), refused.stderr);
  assert.ok(refused.stderr.includes('  HTTP status: 400'), refused.stderr);
});

test('timeout and network errors: exit 1 with a warning that the rerun may have happened', async (t) => {
  h.emu.injectFaults([{ type: 'hang' }]);
  const timeout = await cli(flow('--timeout-ms', '300'));
  assertExit(timeout, 1);
  assert.match(timeout.stderr, /^error: Timeout: /);
  assert.match(timeout.stderr, /may still have happened/);
  assert.ok(timeout.ms < 15_000, `the CLI took ${timeout.ms} ms to give up and exit`);
  t.diagnostic(`timed out and exited after ${timeout.ms.toFixed(0)} ms (process start included)`);

  const unreachable = ['--dag-id', '7', '--dag-instance-id', '47', '--dag-version', '2', '--endpoint', 'http://127.0.0.1:1'];
  const human = await cli(unreachable);
  assertExit(human, 1);
  assert.match(human.stderr, /^error: Network NetworkError: /);
  assert.match(human.stderr, /may still have happened/);
  const network = await cli([...unreachable, '--json']);
  assertExit(network, 1);
  assert.deepEqual(
    [JSON.parse(network.stdout).error.kind, JSON.parse(network.stdout).error.code],
    ['Network', 'NetworkError'],
  );
});
