// Builds reliability-fixture/worker.mjs with wrangler (`deploy --dry-run`,
// through tests/worker/wrangler-build.mjs) and starts it in Miniflare. Each caller names its own
// build directory, so test files never delete each other's output.
//
//   const worker = await startReliabilityWorker('faults'); // {mf, call(route, body), dispose()}
import { copyFileSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Miniflare } from 'miniflare';
import { consumerDir, outputDir } from '../../support/consumer.mjs';
import { COMPATIBILITY_DATE, bundleModules, wranglerDryRun } from '../wrangler-build.mjs';

const here = (file) => fileURLToPath(new URL(file, import.meta.url));
/** Project file → source: the worker and the two runtime-neutral helpers it imports. */
const SOURCES = {
  'worker.mjs': here('./worker.mjs'),
  'wasm-probe.mjs': here('../../js/reliability/wasm-probe.mjs'),
  'describe-error.mjs': here('../../js/reliability/describe-error.mjs'),
};

/** Bundles the fixture into test-output/worker-reliability-<name>/out. */
export async function buildReliabilityWorker(name) {
  const buildDir = join(outputDir, `worker-reliability-${name}`);
  const projectDir = join(buildDir, 'project');
  rmSync(buildDir, { recursive: true, force: true });
  mkdirSync(projectDir, { recursive: true });
  for (const [file, source] of Object.entries(SOURCES)) copyFileSync(source, join(projectDir, file));
  writeFileSync(
    join(projectDir, 'wrangler.toml'),
    `name = "dms-rerun-reliability-${name}"\nmain = "worker.mjs"\ncompatibility_date = "${COMPATIBILITY_DATE}"\n`,
  );
  writeFileSync(join(projectDir, 'package.json'), JSON.stringify({ name: `reliability-${name}`, private: true, type: 'module' }) + '\n');
  symlinkSync(relative(projectDir, join(consumerDir, 'node_modules')), join(projectDir, 'node_modules'), 'dir');
  const { outDir } = await wranglerDryRun(projectDir, buildDir, { timeoutMs: 90_000 });
  const files = readdirSync(outDir);
  return { outDir, scriptPath: join(outDir, 'worker.js'), wasmFiles: files.filter((f) => f.endsWith('.wasm')) };
}

/** Builds and starts the fixture; `call(route, body)` POSTs JSON and returns the JSON answer. */
export async function startReliabilityWorker(name) {
  const build = await buildReliabilityWorker(name);
  const mf = new Miniflare({
    compatibilityDate: COMPATIBILITY_DATE,
    modulesRoot: build.outDir,
    modules: bundleModules(build),
  });
  await mf.ready;
  return {
    mf,
    async call(route, body = {}) {
      const res = await mf.dispatchFetch(`http://worker.test${route}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (res.status !== 200) throw new Error(`${route} answered ${res.status}: ${await res.text()}`);
      return res.json();
    },
    dispose: () => mf.dispose(),
  };
}
