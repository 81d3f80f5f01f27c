// Runs the dms-rerun CLI as a child process, the way a user's shell would.
// Prefers the copy npm installed from the packed tarball (test-output/consumer);
// falls back to the repository's bin/ while the package has not been re-packed.
import { runProcess } from '../../support/run-process.mjs';
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
 * ALIBABA_CLOUD_* variables). Resolves `{code, signal, stdout, stderr, ms}`.
 */
export function runCli(args, { env = {}, command = process.execPath, timeoutMs = 30_000 } = {}) {
  const argv = command === process.execPath ? [cliPath, ...args] : args;
  return runProcess(command, argv, { env: { PATH: process.env.PATH, NO_COLOR: '1', ...env }, timeoutMs });
}
