// Bundles examples/auto-rerun (the auto-heal Worker) exactly as its README
// deploys it, `wrangler deploy --dry-run --outdir`, offline, with `dms-rerun`
// resolved to the packed package installed in test-output/consumer.
//
// Layout (recreated on every call):
//   test-output/auto-rerun-build/project/   copy of examples/auto-rerun (src/, wrangler.toml, package.json)
//                                           node_modules -> ../../consumer/node_modules
//   test-output/auto-rerun-build/out/       what wrangler emits: index.js + <hash>-dms_rerun_bg.wasm
//   test-output/auto-rerun-build/meta.json  esbuild metafile
import { cpSync, mkdirSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { join, relative } from 'node:path';
import { consumerDir, outputDir, repoRoot } from '../support/consumer.mjs';
import { wranglerDryRun } from './wrangler-build.mjs';

export const exampleDir = join(repoRoot, 'examples', 'auto-rerun');

/** Runs the dry-run; rejects when wrangler fails, else resolves with paths and output. */
export async function buildAutoRerun({ timeoutMs = 60_000 } = {}) {
  const buildDir = join(outputDir, 'auto-rerun-build');
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

export { bundleModules } from './wrangler-build.mjs';
