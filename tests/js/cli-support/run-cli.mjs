// Runs the dms-rerun CLI as a child process, the way a user's shell would.
// Prefers the copy npm installed from the packed tarball (test-output/consumer);
// falls back to the repository's bin/ while the package has not been re-packed.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
export const repoBin = join(repoRoot, 'bin', 'dms-rerun.mjs');
export const consumerDir = join(repoRoot, 'test-output', 'consumer');
export const installedPackage = join(consumerDir, 'node_modules', 'dms-rerun');
export const installedBin = join(installedPackage, 'bin', 'dms-rerun.mjs');
/** The symlink npm creates for `"bin"`; runs through the shebang. */
export const installedShim = join(consumerDir, 'node_modules', '.bin', 'dms-rerun');

export const usingInstalled = existsSync(installedBin);
export const cliPath = usingInstalled ? installedBin : repoBin;
export const cliPackageDir = usingInstalled ? installedPackage : repoRoot;

/**
 * Runs `node <cli> ...args` with ONLY `env` plus PATH (never the parent's
 * ALIBABA_CLOUD_* variables). Resolves `{code, signal, stdout, stderr,
 * stdoutBytes, stderrBytes, ms}`: the bytes exactly as a terminal would get
 * them (decoding to a string first would turn bad UTF-8 into U+FFFD and hide it).
 * `closeStdout` closes the reading end of stdout at once, as `| head -c0` would.
 */
export function runCli(args, { env = {}, command = process.execPath, timeoutMs = 30_000, closeStdout = false } = {}) {
  const argv = command === process.execPath ? [cliPath, ...args] : args;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, argv, { env: { PATH: process.env.PATH, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    if (closeStdout) child.stdout.destroy();
    else child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const stdoutBytes = Buffer.concat(out);
      const stderrBytes = Buffer.concat(err);
      const ms = performance.now() - started;
      resolve({ code, signal, stdout: stdoutBytes.toString('utf8'), stderr: stderrBytes.toString('utf8'), stdoutBytes, stderrBytes, ms });
    });
  });
}
