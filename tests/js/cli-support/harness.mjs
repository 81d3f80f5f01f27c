// Shared by the CLI test files: an emulator per file, the CLI run against it, and the
// checks every run must pass whatever it tested (no secret, nothing a terminal acts on).
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startEmulator } from '../../../emulator/server.mjs';
import { DEMO_KEY, STS_KEY } from '../../../emulator/data.mjs';
import { cliPath, runCli, usingInstalled } from './run-cli.mjs';
import { unsafeCharacters } from './terminal.mjs';

export const SECRETS = [DEMO_KEY.accessKeySecret, STS_KEY.accessKeySecret];
export const DEMO_ENV = Object.freeze({ ALIBABA_CLOUD_ACCESS_KEY_ID: DEMO_KEY.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: DEMO_KEY.accessKeySecret });
export const STS_ENV = Object.freeze({
  ALIBABA_CLOUD_ACCESS_KEY_ID: STS_KEY.accessKeyId,
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: STS_KEY.accessKeySecret,
  ALIBABA_CLOUD_SECURITY_TOKEN: STS_KEY.securityToken,
});

/**
 * Starts an emulator for this test file (before/after hooks) and returns
 * `{emu, flow, cli}`; `emu` is set once the hook ran. `options` go to startEmulator.
 */
export function useEmulatorCli(options = {}) {
  const h = {
    emu: undefined,
    /** The seeded small flow aimed at the emulator, plus extra flags. */
    flow: (...extra) => ['--dag-id', '7', '--dag-instance-id', '47', '--dag-version', '2', '--endpoint', h.emu.url, ...extra],
    /**
     * Runs the CLI and checks what must hold for every run: no secret on stdout or
     * stderr, and no byte a terminal would act on. Adds `requests` and `log`: what
     * reached the emulator during the run.
     */
    async cli(args, env = DEMO_ENV) {
      const requestsBefore = h.emu.state.requests;
      const logBefore = h.emu.state.log.length;
      const run = await runCli(args, { env });
      const output = run.stdout + run.stderr;
      for (const secret of SECRETS) assert.ok(!output.includes(secret), `the secret leaked:\n${output}`);
      assertTerminalSafe(run);
      return { ...run, requests: h.emu.state.requests - requestsBefore, log: h.emu.state.log.slice(logBefore) };
    },
  };
  before(async () => {
    h.emu = await startEmulator(options);
    console.log(`cli under test: ${cliPath} (${usingInstalled ? 'installed from the packed tarball' : 'repository copy: package not re-packed yet'})`);
  });
  after(async () => {
    await h.emu?.close();
  });
  return h;
}

/** Neither stream holds a control, bidi or format character (see terminal.mjs). */
export function assertTerminalSafe(run) {
  for (const stream of ['stdout', 'stderr']) {
    const found = unsafeCharacters(run[`${stream}Bytes`]);
    assert.deepEqual(found, [], `${stream} holds characters a terminal acts on:\n${JSON.stringify(run[stream])}`);
  }
}

export function assertExit(run, code) {
  assert.equal(run.code, code, `exit ${run.code}, expected ${code}\n--- stdout\n${run.stdout}--- stderr\n${run.stderr}`);
}
