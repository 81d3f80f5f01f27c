// Where scripts/pack.mjs installed the packed tarball, and how tests load it
// exactly as a user project would (never from dist/ or the repo itself).
//
// DMS_CONSUMER_DIR points the tests at another consumer project, e.g. one
// packed from an old commit in a scratch worktree, to show that a regression
// test fails there:
//   DMS_CONSUMER_DIR=/tmp/old/test-output/consumer node --test tests/js/x.test.mjs
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const outputDir = join(repoRoot, 'test-output');
export const consumerDir = process.env.DMS_CONSUMER_DIR || join(outputDir, 'consumer');
export const packageDir = join(consumerDir, 'node_modules', 'dms-rerun');

if (!existsSync(packageDir)) {
  throw new Error('packed package missing: run `node scripts/build.mjs && node scripts/pack.mjs` first');
}

/** The package as `import ... from 'dms-rerun'` sees it in the consumer project. */
export function importPackage() {
  return import(pathToFileURL(join(consumerDir, 'esm.mjs')).href);
}

/** The package as `require('dms-rerun')` sees it in the consumer project. */
export function requirePackage() {
  return createRequire(join(consumerDir, 'cjs.cjs'))('./cjs.cjs');
}
