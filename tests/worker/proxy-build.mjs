// Bundles examples/worker (the Worker proxy) exactly as its README deploys it,
// `wrangler deploy --dry-run --outdir`, offline, with `dms-rerun` resolved to
// the packed package installed in test-output/consumer.
//
// Layout (recreated on every call):
//   test-output/proxy-build/project/   copy of examples/worker (src/, wrangler.toml, package.json)
//                                      node_modules -> ../../consumer/node_modules
//   test-output/proxy-build/out/       what wrangler emits: index.js + <hash>-dms_rerun_bg.wasm
//   test-output/proxy-build/meta.json  esbuild metafile
import { join } from 'node:path';
import { repoRoot } from '../support/consumer.mjs';
import { buildExample } from './wrangler-build.mjs';

export const exampleDir = join(repoRoot, 'examples', 'worker');

/** The example's dry-run bundle (see `buildExample`). */
export function buildProxy({ timeoutMs = 60_000, name = 'proxy-build' } = {}) {
  return buildExample(exampleDir, { name, timeoutMs });
}

export { bundleModules } from './wrangler-build.mjs';
