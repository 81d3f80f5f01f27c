// Bundles tests/worker/fixture/ (worker.mjs and the modules it imports) with
// wrangler, the way a user's project is deployed (`wrangler deploy --dry-run
// --outdir`), against the packed package installed in test-output/consumer.
//
// Layout (recreated on every call; <name> is 'worker-build' unless a test file
// asks for its own, so test files running side by side never share one):
//   test-output/<name>/project/   worker.mjs + its modules, wrangler.toml,
//                                  node_modules -> ../../consumer/node_modules
//   test-output/<name>/out/       what wrangler emits: worker.js + <hash>-dms_rerun_bg.wasm
//   test-output/<name>/meta.json  esbuild metafile (which files went into the bundle)
//   test-output/<name>/home/      XDG_CONFIG_HOME: wrangler's metrics.json/device id
//   test-output/<name>/logs/      WRANGLER_LOG_PATH: wrangler's debug logs
//
// Offline: with the environment below wrangler needs no network (checked in
// a network namespace with none: `unshare -rn`). WRANGLER_HIDE_BANNER skips
// the banner's npm update check (it would otherwise race a 3 s timer or use
// a cached answer); metrics and error reports are off; nothing touches ~.
import { copyFileSync, cpSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { consumerDir, outputDir, repoRoot } from '../support/consumer.mjs';
import { runProcess } from '../support/run-process.mjs';

export const COMPATIBILITY_DATE = '2025-09-01';
export const WORKER_NAME = 'dms-rerun-worker-test';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const fixtureDir = here('./fixture/');
/** Runtime-neutral helpers the fixture imports from elsewhere in tests/: project file → source. */
const SHARED = {
  'wasm-probe.mjs': here('../js/reliability/wasm-probe.mjs'),
  'throwing-imports.mjs': here('../support/throwing-imports.mjs'),
};
const require = createRequire(join(repoRoot, 'package.json'));

/** The environment wrangler gets; reported by the test. */
export function wranglerEnv(buildDir) {
  return {
    ...process.env,
    CI: 'true', // no interactive prompts
    WRANGLER_SEND_METRICS: 'false',
    WRANGLER_SEND_ERROR_REPORTS: 'false',
    WRANGLER_HIDE_BANNER: 'true', // also skips the npm update check
    XDG_CONFIG_HOME: join(buildDir, 'home'),
    WRANGLER_LOG_PATH: join(buildDir, 'logs'),
    NO_COLOR: '1',
    FORCE_COLOR: '0',
  };
}

/**
 * `wrangler deploy --dry-run --outdir <buildDir>/out --metafile <buildDir>/meta.json`
 * in `projectDir`, offline. Rejects when wrangler fails.
 */
export async function wranglerDryRun(projectDir, buildDir, { timeoutMs = 60_000 } = {}) {
  const outDir = join(buildDir, 'out');
  const metafile = join(buildDir, 'meta.json');
  const bin = join(dirname(require.resolve('wrangler/package.json')), 'bin', 'wrangler.js');
  const args = [bin, 'deploy', '--dry-run', '--outdir', outDir, '--metafile', metafile];
  const started = performance.now();
  const result = await runProcess(process.execPath, args, { cwd: projectDir, env: wranglerEnv(buildDir), timeoutMs });
  const ms = performance.now() - started;
  if (result.code !== 0) {
    throw new Error(
      `wrangler ${args.slice(1).join(' ')} failed (code ${result.code}, signal ${result.signal})\n` +
        `--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`,
    );
  }
  return { outDir, metafile: JSON.parse(readFileSync(metafile, 'utf8')), stdout: result.stdout, stderr: result.stderr, ms };
}

/**
 * Runs `wrangler deploy --dry-run --outdir` on a fresh copy of the fixture.
 * Rejects when wrangler fails; otherwise resolves with paths, output and sizes.
 */
export async function buildWithWrangler({ name = 'worker-build', timeoutMs = 60_000 } = {}) {
  const buildDir = join(outputDir, name);
  const projectDir = join(buildDir, 'project');
  const outDir = join(buildDir, 'out');
  rmSync(buildDir, { recursive: true, force: true });
  mkdirSync(projectDir, { recursive: true });

  for (const file of readdirSync(fixtureDir).filter((f) => f.endsWith('.mjs'))) {
    copyFileSync(join(fixtureDir, file), join(projectDir, file));
  }
  for (const [file, source] of Object.entries(SHARED)) copyFileSync(source, join(projectDir, file));
  writeFileSync(
    join(projectDir, 'wrangler.toml'),
    [
      `name = "${WORKER_NAME}"`,
      'main = "worker.mjs"',
      `compatibility_date = "${COMPATIBILITY_DATE}"`,
      '# no nodejs_compat: the package must not need Node built-ins',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(projectDir, 'package.json'),
    JSON.stringify({ name: WORKER_NAME, private: true, type: 'module' }, null, 2) + '\n',
  );
  // The user's node_modules: the packed tarball as npm installed it.
  symlinkSync(relative(projectDir, join(consumerDir, 'node_modules')), join(projectDir, 'node_modules'), 'dir');

  const version = JSON.parse(readFileSync(require.resolve('wrangler/package.json'), 'utf8')).version;
  const { stdout, stderr, metafile: meta, ms } = await wranglerDryRun(projectDir, buildDir, { timeoutMs });
  const result = { stdout, stderr };
  const files = readdirSync(outDir);
  const wasmFiles = files.filter((f) => f.endsWith('.wasm'));
  const scriptName = 'worker.js';
  const upload = /Total Upload:\s*([\d.]+\s*\w+)\s*\/\s*gzip:\s*([\d.]+\s*\w+)/.exec(result.stdout);
  return {
    wranglerVersion: version,
    buildDir,
    projectDir,
    outDir,
    files,
    scriptName,
    scriptPath: join(outDir, scriptName),
    wasmFiles,
    metafile: meta,
    stdout: result.stdout,
    stderr: result.stderr,
    totalUpload: upload ? { raw: upload[1], gzip: upload[2] } : null,
    scriptBytes: statSync(join(outDir, scriptName)).size,
    wasmBytes: wasmFiles.map((f) => statSync(join(outDir, f)).size),
    ms,
  };
}

/** Miniflare module list for a wrangler bundle: the script plus its compiled .wasm files. */
export function bundleModules(build) {
  return [
    { type: 'ESModule', path: build.scriptPath, contents: readFileSync(build.scriptPath, 'utf8') },
    ...build.wasmFiles.map((f) => ({ type: 'CompiledWasm', path: join(build.outDir, f), contents: readFileSync(join(build.outDir, f)) })),
  ];
}

/**
 * `wrangler deploy --dry-run` of an example Worker (`examples/<dir>`), as a
 * user would run it after `npm i`: its src, wrangler.toml and package.json
 * copied into test-output/<name>/project, with the consumer project's
 * node_modules (the packed package). `name` picks the build folder, so test
 * files that run in parallel do not delete each other's bundle. Rejects when
 * wrangler fails; resolves with the one script and the files beside it.
 */
export async function buildExample(exampleDir, { name, timeoutMs = 60_000 }) {
  const buildDir = join(outputDir, name);
  const projectDir = join(buildDir, 'project');
  const outDir = join(buildDir, 'out');
  rmSync(buildDir, { recursive: true, force: true });
  mkdirSync(projectDir, { recursive: true });
  for (const entry of ['src', 'wrangler.toml', 'package.json']) {
    cpSync(join(exampleDir, entry), join(projectDir, entry), { recursive: true });
  }
  symlinkSync(relative(projectDir, join(consumerDir, 'node_modules')), join(projectDir, 'node_modules'), 'dir');

  const { metafile, stdout, stderr, ms } = await wranglerDryRun(projectDir, buildDir, { timeoutMs });
  const files = readdirSync(outDir);
  const scripts = files.filter((f) => f.endsWith('.js'));
  if (scripts.length !== 1) throw new Error(`expected one script in ${outDir}, got ${files.join(', ')}`);
  return {
    outDir,
    files,
    scriptPath: join(outDir, scripts[0]),
    wasmFiles: files.filter((f) => f.endsWith('.wasm')),
    metafile,
    stdout,
    stderr,
    ms,
  };
}
