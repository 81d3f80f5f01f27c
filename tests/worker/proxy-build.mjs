// Bundles examples/worker (the Worker proxy) exactly as its README deploys it,
// `wrangler deploy --dry-run --outdir`, offline, with `dms-rerun` resolved to
// the packed package installed in test-output/consumer.
//
// Layout (recreated on every call):
//   test-output/proxy-build/project/   copy of examples/worker (src/, wrangler.toml, package.json)
//                                      node_modules -> ../../consumer/node_modules
//   test-output/proxy-build/out/       what wrangler emits: index.js + <hash>-dms_rerun_bg.wasm
//   test-output/proxy-build/meta.json  esbuild metafile
import { cpSync, mkdirSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { join, relative } from 'node:path';
import { consumerDir, outputDir, repoRoot } from '../support/consumer.mjs';
import { wranglerDryRun } from './wrangler-build.mjs';

export const exampleDir = join(repoRoot, 'examples', 'worker');

/**
 * Runs the dry-run; rejects when wrangler fails, else resolves with paths and output.
 * `name` picks the build folder, so test files that run in parallel do not delete each
 * other's bundle.
 */
export async function buildProxy({ timeoutMs = 60_000, name = 'proxy-build' } = {}) {
  const buildDir = join(outputDir, name);
  const projectDir = join(buildDir, 'project');
  const outDir = join(buildDir, 'out');
  rmSync(buildDir, { recursive: true, force: true });
  mkdirSync(projectDir, { recursive: true });
  for (const entry of ['src', 'wrangler.toml', 'package.json']) {
    cpSync(join(exampleDir, entry), join(projectDir, entry), { recursive: true });
  }
  symlinkSync(relative(projectDir, join(consumerDir, 'node_modules')), join(projectDir, 'node_modules'), 'dir');

  const { metafile: meta, stdout, stderr, ms } = await wranglerDryRun(projectDir, buildDir, { timeoutMs });
  const files = readdirSync(outDir);
  const scripts = files.filter((f) => f.endsWith('.js'));
  if (scripts.length !== 1) throw new Error(`expected one script in ${outDir}, got ${files.join(', ')}`);
  return {
    outDir,
    files,
    scriptPath: join(outDir, scripts[0]),
    wasmFiles: files.filter((f) => f.endsWith('.wasm')),
    metafile: meta,
    stdout,
    stderr,
    ms,
  };
}

export { bundleModules } from './wrangler-build.mjs';
