// Bundles examples/auto-rerun (the auto-heal Worker) exactly as its README
// deploys it, `wrangler deploy --dry-run --outdir`, offline, with `dms-rerun`
// resolved to the packed package installed in test-output/consumer.
//
// Layout (recreated on every call):
//   test-output/auto-rerun-build/project/   copy of examples/auto-rerun (src/, wrangler.toml, package.json)
//                                           node_modules -> ../../consumer/node_modules
//   test-output/auto-rerun-build/out/       what wrangler emits: index.js + <hash>-dms_rerun_bg.wasm
//   test-output/auto-rerun-build/meta.json  esbuild metafile
import { join } from 'node:path';
import { repoRoot } from '../support/consumer.mjs';
import { buildExample } from './wrangler-build.mjs';

export const exampleDir = join(repoRoot, 'examples', 'auto-rerun');

/** The example's dry-run bundle (see `buildExample`). */
export function buildAutoRerun({ timeoutMs = 60_000, name = 'auto-rerun-build' } = {}) {
  return buildExample(exampleDir, { name, timeoutMs });
}

export { bundleModules } from './wrangler-build.mjs';
