// Bundles examples/worker (the Worker proxy) exactly as its README deploys it,
// `wrangler deploy --dry-run --outdir`, offline, with `dms-rerun` resolved to
// the packed package installed in test-output/consumer.
//
// Layout (recreated on every call):
//   test-output/proxy-build/project/   copy of examples/worker (src/, wrangler.toml, package.json)
//                                      node_modules -> ../../consumer/node_modules
//   test-output/proxy-build/out/       what wrangler emits: index.js + <hash>-dms_rerun_bg.wasm
//   test-output/proxy-build/meta.json  esbuild metafile
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { consumerDir, outputDir, repoRoot } from '../support/consumer.mjs';
import { wranglerEnv } from './wrangler-build.mjs';

export const exampleDir = join(repoRoot, 'examples', 'worker');
const require = createRequire(join(repoRoot, 'package.json'));

function run(command, args, { cwd, env, timeoutMs }) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Runs the dry-run; rejects when wrangler fails, else resolves with paths and output. */
export async function buildProxy({ timeoutMs = 60_000 } = {}) {
  const buildDir = join(outputDir, 'proxy-build');
  const projectDir = join(buildDir, 'project');
  const outDir = join(buildDir, 'out');
  const metafile = join(buildDir, 'meta.json');
  rmSync(buildDir, { recursive: true, force: true });
  mkdirSync(projectDir, { recursive: true });
  for (const entry of ['src', 'wrangler.toml', 'package.json']) {
    cpSync(join(exampleDir, entry), join(projectDir, entry), { recursive: true });
  }
  symlinkSync(relative(projectDir, join(consumerDir, 'node_modules')), join(projectDir, 'node_modules'), 'dir');

  const bin = join(dirname(require.resolve('wrangler/package.json')), 'bin', 'wrangler.js');
  const args = [bin, 'deploy', '--dry-run', '--outdir', outDir, '--metafile', metafile];
  const started = performance.now();
  const result = await run(process.execPath, args, { cwd: projectDir, env: wranglerEnv(buildDir), timeoutMs });
  const ms = performance.now() - started;
  if (result.code !== 0) {
    throw new Error(
      `wrangler ${args.slice(1).join(' ')} failed (code ${result.code}, signal ${result.signal})\n` +
        `--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`,
    );
  }
  const files = readdirSync(outDir);
  const scripts = files.filter((f) => f.endsWith('.js'));
  if (scripts.length !== 1) throw new Error(`expected one script in ${outDir}, got ${files.join(', ')}`);
  return {
    outDir,
    files,
    scriptPath: join(outDir, scripts[0]),
    wasmFiles: files.filter((f) => f.endsWith('.wasm')),
    metafile: JSON.parse(readFileSync(metafile, 'utf8')),
    stdout: result.stdout,
    stderr: result.stderr,
    ms,
  };
}

/** Miniflare module list for the bundle: the script plus its compiled .wasm. */
export function bundleModules(build) {
  return [
    { type: 'ESModule', path: build.scriptPath, contents: readFileSync(build.scriptPath, 'utf8') },
    ...build.wasmFiles.map((f) => ({ type: 'CompiledWasm', path: join(build.outDir, f), contents: readFileSync(join(build.outDir, f)) })),
  ];
}
