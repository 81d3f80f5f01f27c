/**
 * Issue 9, defect 7: aborting a call while it waits out a server's retry
 * hint rejects at once AND clears the backoff timer, so Node exits promptly
 * instead of staying alive for the rest of the hint.
 *
 * The call runs in a child Node process that imports the packed package
 * (as a user script would), is aborted 300 ms in, prints what it got and
 * falls off the end of its script. The emulator, in this process, answers
 * `Throttling.User` with `x-acs-retry-after: 30000` (30 s, under the 60 s
 * cap above which a hint is refused rather than waited for).
 *
 *   node --test tests/js/abort-backoff.test.mjs
 */
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { consumerDir } from '../support/consumer.mjs';
import { startEmulator } from '../../emulator/server.mjs';
import { DEMO_KEY } from './support/harness.mjs';

const HINT = { type: 'throttling-user', headers: { 'x-acs-retry-after': '30000' } };
const ABORT_AT_MS = 300;

let emu;
before(async () => {
  emu = await startEmulator();
});
after(async () => {
  await emu?.close();
});
beforeEach(() => {
  emu.state.reset();
});

/**
 * The child: one call, aborted at ABORT_AT_MS, then nothing left to do. It
 * prints one JSON line: how the call ended and when (ms after the call began).
 */
const CHILD = `
const pkg = await import(process.env.PACKAGE_URL);
const { config, request, operation } = JSON.parse(process.env.CALL);
const controller = new AbortController();
setTimeout(() => controller.abort(), ${ABORT_AT_MS});
const started = performance.now();
try {
  const value = await pkg[operation]({ ...config, signal: controller.signal }, request);
  console.log(JSON.stringify({ resolved: value, atMs: performance.now() - started }));
} catch (error) {
  const { kind, code, attempts } = error;
  console.log(JSON.stringify({ kind, code, attempts, isDmsError: error instanceof pkg.DmsError, atMs: performance.now() - started }));
}
`;

/** Runs the child; resolves with its printed outcome, its wall time from spawn to exit, and from its print to its exit. */
function runChild(call) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const env = { ...process.env, PACKAGE_URL: pathToFileURL(join(consumerDir, 'esm.mjs')).href, CALL: JSON.stringify(call) };
    const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let printedAt;
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      stdout += chunk;
      printedAt ??= performance.now();
    });
    child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
    // A child still alive after 40 s is the defect itself: the 30 s timer ran out.
    const killer = setTimeout(() => child.kill('SIGKILL'), 40_000);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(killer);
      const exitedAt = performance.now();
      let outcome;
      try {
        outcome = JSON.parse(stdout.trim().split('\n').at(-1));
      } catch {
        return reject(new Error(`child printed no outcome (code ${code}, signal ${signal}): ${stdout}${stderr}`));
      }
      resolve({ outcome, code, wallMs: exitedAt - started, afterPrintMs: exitedAt - (printedAt ?? exitedAt), stderr });
    });
  });
}

const CASES = [
  {
    label: 'rerun',
    operation: 'rerunTaskFlowInstance',
    request: { dagId: 7, dagInstanceId: 47, dagVersion: '2' },
  },
  {
    label: 'list (read-only, retried on throttling too)',
    operation: 'listTaskFlowInstances',
    request: { dagId: 7 },
  },
];

for (const c of CASES) {
  // cfd98a7 (rerun; it had no list): the call rejected with Aborted after
  // 304 ms, but the child stayed alive until the 30 s backoff timer fired:
  // "the process lingered 29942 ms after the call ended" (30.6 s in all).
  test(`defect 7, ${c.label}: abort at ${ABORT_AT_MS} ms during a 30 s retry hint → rejects then, and the process exits within 2 s`, async (t) => {
    emu.injectFaults([HINT]);
    const config = { ...DEMO_KEY, endpoint: emu.url, maxRetries: 2, timeoutMs: 0 };
    const { outcome, code, wallMs, afterPrintMs, stderr } = await runChild({ config, request: c.request, operation: c.operation });
    t.diagnostic(`${c.label}: rejected after ${outcome.atMs?.toFixed(0)} ms; process exited ${wallMs.toFixed(0)} ms after spawn, ${afterPrintMs.toFixed(0)} ms after the rejection`);
    assert.equal(code, 0, stderr);
    // Aborted (not Throttling.User at once): the call was waiting out the hint when the abort came.
    assert.deepEqual({ ...outcome, atMs: undefined }, { kind: 'Aborted', code: 'Aborted', attempts: 1, isDmsError: true, atMs: undefined });
    assert.ok(outcome.atMs >= ABORT_AT_MS - 50 && outcome.atMs < ABORT_AT_MS + 700, `rejected after ${outcome.atMs} ms`);
    assert.equal(emu.state.requests, 1, 'only the throttled attempt was sent');
    assert.ok(afterPrintMs < 1000, `the process lingered ${afterPrintMs} ms after the call ended`);
    assert.ok(wallMs < 2000, `the process took ${wallMs} ms from spawn to exit`);
  });
}
