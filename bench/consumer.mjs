// Where the bench finds the packed package: test-output/consumer (made by
// scripts/pack.mjs), or another consumer project given with
// `--consumer DIR` / DMS_BENCH_CONSUMER=DIR (e.g. an older build, packed the
// same way, for before/after figures). The package is always loaded as a
// user's project loads it: through its exports map, never from dist/.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

function fromArgv() {
  const argv = process.argv;
  const i = argv.findIndex((a) => a === '--consumer' || a.startsWith('--consumer='));
  if (i === -1) return undefined;
  return argv[i].includes('=') ? argv[i].slice('--consumer='.length) : argv[i + 1];
}

export const repoRoot = fileURLToPath(new URL('..', import.meta.url));
export const outputDir = join(repoRoot, 'test-output');
const chosen = fromArgv() ?? process.env.DMS_BENCH_CONSUMER;
export const defaultConsumer = chosen === undefined;
export const consumerDir = chosen === undefined ? join(outputDir, 'consumer') : resolve(chosen);
export const packageDir = join(consumerDir, 'node_modules', 'dms-rerun');
// Child processes (bench/calls.mjs) load the same package.
process.env.DMS_BENCH_CONSUMER = consumerDir;

if (!existsSync(packageDir)) {
  throw new Error(`packed package missing in ${consumerDir}: run \`node scripts/build.mjs && node scripts/pack.mjs\` first`);
}

/** The package as `import … from 'dms-rerun'` sees it in the consumer project. */
export function importPackage() {
  return import(pathToFileURL(join(consumerDir, 'esm.mjs')).href);
}
