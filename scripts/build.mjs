// Builds the npm package into dist/: one optimised .wasm, glue per runtime,
// the JS entries and the type declarations.
//
//   dist/web/      web-target glue + wasm (browsers, bundlers; workerd reuses it)
//   dist/workerd/  Workers entry importing ../web/dms_rerun_bg.wasm as a module
//   dist/node/     nodejs-target glue (CommonJS) + wasm, ESM and CJS entries
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transformSync } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
const p = (...parts) => join(root, ...parts);

run('cargo', ['build', '--release', '--target', 'wasm32-unknown-unknown', '--quiet']);
const raw = p('target/wasm32-unknown-unknown/release/dms_rerun.wasm');

rmSync(p('dist'), { recursive: true, force: true });
const staging = p('target/bindgen');
rmSync(staging, { recursive: true, force: true });
for (const target of ['web', 'nodejs']) {
  run('wasm-bindgen', ['--target', target, '--no-typescript', '--out-dir', join(staging, target), raw]);
}

// The _bg.wasm is identical for every target: optimise once, copy.
const optimised = join(staging, 'dms_rerun_bg.opt.wasm');
run(p('node_modules/.bin/wasm-opt'), [
  join(staging, 'web', 'dms_rerun_bg.wasm'), '-Oz', '--converge', '--strip-target-features', '--enable-bulk-memory', '--enable-nontrapping-float-to-int',
  '--enable-sign-ext', '--enable-mutable-globals', '--enable-reference-types', '--enable-multivalue',
  // Binaryen inlines every function with one caller, whatever its size; that
  // made `prepare` one 19 KB function, which V8 compiles lazily on the first
  // call (Liftoff, ~2 ms). Capping it keeps the first call ~1 ms faster and the
  // file ~300 B smaller, at the same signing speed.
  '--one-caller-inline-max-function-size=200',
  '--strip-debug', '--strip-producers', '-o', optimised,
]);

// Generated glue and js/api.mjs are shipped minified (readable sources stay in
// js/ and in wasm-bindgen's output; Workers pay for every byte).
const minify = (from, to, format) => {
  const { code } = transformSync(readFileSync(from, 'utf8'), { minify: true, format, target: 'es2022' });
  writeFileSync(to, code);
};

for (const dir of ['web', 'workerd', 'node']) mkdirSync(p('dist', dir), { recursive: true });

// web/ (also imported by workerd/)
copyFileSync(optimised, p('dist/web/dms_rerun_bg.wasm'));
minify(join(staging, 'web', 'dms_rerun.js'), p('dist/web/dms_rerun.js'), 'esm');
minify(p('js/api.mjs'), p('dist/web/api.mjs'), 'esm');
copyFileSync(p('js/web.mjs'), p('dist/web/index.mjs'));

// workerd/
copyFileSync(p('js/workerd.mjs'), p('dist/workerd/index.mjs'));

// node/ (CommonJS inside a "type": "module" package)
copyFileSync(optimised, p('dist/node/dms_rerun_bg.wasm'));
minify(join(staging, 'nodejs', 'dms_rerun.js'), p('dist/node/dms_rerun.js'), 'cjs');
minify(p('js/api.mjs'), p('dist/node/api.cjs'), 'cjs');
writeFileSync(p('dist/node/package.json'), '{"type":"commonjs"}\n');
copyFileSync(p('js/node.cjs'), p('dist/node/index.cjs'));
copyFileSync(p('js/node.mjs'), p('dist/node/index.mjs'));

copyFileSync(p('js/index.d.ts'), p('dist/index.d.ts'));
copyFileSync(p('js/index.d.ts'), p('dist/index.d.cts'));

const wasm = readFileSync(p('dist/web/dms_rerun_bg.wasm'));
console.error(`[build] dist/ ready: dms_rerun_bg.wasm ${wasm.length} B raw, ${gzipSync(wasm, { level: 9 }).length} B gzip`);
