// Builds reliability-fixture/worker.mjs with wrangler (`deploy --dry-run`,
// like tests/worker/wrangler-build.mjs, whose environment and compatibility
// date it reuses) and starts it in Miniflare. Each caller names its own
// build directory, so test files never delete each other's output.
//
//   const worker = await startReliabilityWorker('faults'); // {mf, call(route, body), dispose()}
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Miniflare } from 'miniflare';
import { consumerDir, outputDir, repoRoot } from '../../support/consumer.mjs';
import { COMPATIBILITY_DATE, wranglerEnv } from '../wrangler-build.mjs';

const require = createRequire(join(repoRoot, 'package.json'));
const here = (file) => fileURLToPath(new URL(file, import.meta.url));
/** Project file → source: the worker and the two runtime-neutral helpers it imports. */
const SOURCES = {
  'worker.mjs': here('./worker.mjs'),
  'wasm-probe.mjs': here('../../js/reliability/wasm-probe.mjs'),
  'describe-error.mjs': here('../../js/reliability/describe-error.mjs'),
};

function wrangler(args, cwd, env) {
  const bin = join(dirname(require.resolve('wrangler/package.json')), 'bin', 'wrangler.js');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(new Error(`wrangler ${args.join(' ')} failed (${code}):\n${output}`));
    });
  });
}

/** Bundles the fixture into test-output/worker-reliability-<name>/out. */
export async function buildReliabilityWorker(name) {
  const buildDir = join(outputDir, `worker-reliability-${name}`);
  const projectDir = join(buildDir, 'project');
  const outDir = join(buildDir, 'out');
  rmSync(buildDir, { recursive: true, force: true });
  mkdirSync(projectDir, { recursive: true });
  for (const [file, source] of Object.entries(SOURCES)) copyFileSync(source, join(projectDir, file));
  writeFileSync(
    join(projectDir, 'wrangler.toml'),
    `name = "dms-rerun-reliability-${name}"\nmain = "worker.mjs"\ncompatibility_date = "${COMPATIBILITY_DATE}"\n`,
  );
  writeFileSync(join(projectDir, 'package.json'), JSON.stringify({ name: `reliability-${name}`, private: true, type: 'module' }) + '\n');
  symlinkSync(relative(projectDir, join(consumerDir, 'node_modules')), join(projectDir, 'node_modules'), 'dir');
  await wrangler(['deploy', '--dry-run', '--outdir', outDir], projectDir, wranglerEnv(buildDir));
  const files = readdirSync(outDir);
  return { outDir, script: join(outDir, 'worker.js'), wasmFiles: files.filter((f) => f.endsWith('.wasm')) };
}

/** Builds and starts the fixture; `call(route, body)` POSTs JSON and returns the JSON answer. */
export async function startReliabilityWorker(name) {
  const build = await buildReliabilityWorker(name);
  const mf = new Miniflare({
    compatibilityDate: COMPATIBILITY_DATE,
    modulesRoot: build.outDir,
    modules: [
      { type: 'ESModule', path: build.script, contents: readFileSync(build.script, 'utf8') },
      ...build.wasmFiles.map((f) => ({ type: 'CompiledWasm', path: join(build.outDir, f), contents: readFileSync(join(build.outDir, f)) })),
    ],
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
