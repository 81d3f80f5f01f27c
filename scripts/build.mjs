// Builds the npm package into dist/: one optimised .wasm, and one bundled,
// minified file per entry (sources in js/, see js/entries/).
//
//   dist/web/index.mjs           ESM, the .wasm inline: browsers, bundlers, Deno, Bun, Vercel Edge
//   dist/node/index.cjs          the same as CommonJS: Node `require` (and Node `import`, below)
//   dist/node/index.mjs          ESM wrapper of index.cjs (one instance for import + require)
//   dist/workerd/index.mjs       Cloudflare Workers: imports ../web/dms_rerun_bg.wasm as a module
//   dist/web/dms_rerun_bg.wasm   the one .wasm file (only the workerd entry loads it)
//   dist/index.d.ts, index.d.cts the types, for ESM and CommonJS resolution
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { byteString } from './wasm-string.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
const p = (...parts) => join(root, ...parts);
const fail = (message) => {
  console.error(`[build] ${message}`);
  process.exit(1);
};

run('cargo', ['build', '--release', '--target', 'wasm32-unknown-unknown', '--quiet']);
const raw = p('target/wasm32-unknown-unknown/release/dms_rerun.wasm');

rmSync(p('dist'), { recursive: true, force: true });
const staging = p('target/bindgen');
rmSync(staging, { recursive: true, force: true });
// The `bundler` target: glue that leaves loading the .wasm to its importer
// (js/instantiate.mjs does it, the same way for every entry).
run('wasm-bindgen', ['--target', 'bundler', '--no-typescript', '--out-dir', staging, raw]);

// js/instantiate.mjs repeats what the generated dms_rerun.js does; if a
// wasm-bindgen upgrade changes that protocol, stop here rather than ship it.
const expectedStart = [
  'import * as wasm from "./dms_rerun_bg.wasm";',
  'import { __wbg_set_wasm } from "./dms_rerun_bg.js";',
  '',
  '__wbg_set_wasm(wasm);',
  'wasm.__wbindgen_start();',
].join('\n');
if (!readFileSync(join(staging, 'dms_rerun.js'), 'utf8').startsWith(expectedStart)) {
  fail(`target/bindgen/dms_rerun.js no longer starts with:\n${expectedStart}\nupdate js/instantiate.mjs to match it`);
}

const optimised = join(staging, 'dms_rerun_bg.opt.wasm');
run(p('node_modules/.bin/wasm-opt'), [
  join(staging, 'dms_rerun_bg.wasm'), '-Oz', '--converge', '--strip-target-features', '--enable-bulk-memory', '--enable-nontrapping-float-to-int',
  '--enable-sign-ext', '--enable-mutable-globals', '--enable-reference-types', '--enable-multivalue',
  // Binaryen inlines every function with one caller, whatever its size; that
  // made `prepare` one 19 KB function, which V8 compiles lazily on the first
  // call (Liftoff, ~2 ms). Capping it keeps the first call ~1 ms faster and the
  // file ~300 B smaller, at the same signing speed.
  '--one-caller-inline-max-function-size=200',
  '--strip-debug', '--strip-producers', '-o', optimised,
]);
const wasm = readFileSync(optimised);
const importModules = new Set(WebAssembly.Module.imports(new WebAssembly.Module(wasm)).map((i) => i.module));
if ([...importModules].join() !== './dms_rerun_bg.js') {
  fail(`the wasm imports from ${[...importModules].join(', ')}; js/instantiate.mjs only provides ./dms_rerun_bg.js`);
}

const PLACEHOLDER = '"DMS_RERUN_WASM_BYTES"';
const literal = byteString(wasm);
// The literal must read back as the exact bytes (what the engines will parse).
const readBack = (0, eval)(`'use strict'; ${literal}`); // modules are strict: no octal escapes
if (readBack.length !== wasm.length || [...wasm].some((b, i) => readBack.charCodeAt(i) !== b)) {
  fail('the inline string does not read back as the .wasm bytes');
}

/** esbuild: the generated glue stands in for ./dms_rerun_bg.js; a .wasm import stays an import of `wasmPath`. */
const wiring = (wasmPath) => ({
  name: 'dms-rerun-wiring',
  setup(b) {
    b.onResolve({ filter: /^\.\/dms_rerun_bg\.js$/ }, () => ({ path: join(staging, 'dms_rerun_bg.js') }));
    b.onResolve({ filter: /\.wasm$/ }, () => ({ path: wasmPath, external: true }));
  },
});

/**
 * Bundles one entry into one minified file (sources stay readable in js/;
 * Workers and browsers pay for every byte). `inline` puts the .wasm in place
 * of the placeholder string.
 */
async function bundle(entry, out, { format, inline = false }) {
  const result = await build({
    entryPoints: [p('js/entries', entry)],
    bundle: true,
    minify: true,
    format,
    platform: 'neutral',
    target: 'es2022',
    legalComments: 'none',
    write: false,
    logLevel: 'warning',
    plugins: [wiring('../web/dms_rerun_bg.wasm')],
  });
  let code = result.outputFiles[0].text;
  // What breaks bundles and edge runtimes: locating files next to the code,
  // loading modules at runtime. (Top-level await cannot slip in: the CommonJS
  // build of the same source would have failed above.)
  const locating = /import\.meta|\brequire\s*\(|\bimport\s*\(|__dirname|__filename/.exec(code);
  if (locating) fail(`${out} contains \`${locating[0]}\`: entries must not locate or load files at runtime`);
  const parts = code.split(PLACEHOLDER);
  if (inline) {
    if (parts.length !== 2) fail(`${out}: expected the wasm placeholder once, found it ${parts.length - 1} times`);
    code = parts.join(literal);
  } else if (parts.length !== 1) {
    fail(`${out} contains the wasm placeholder`);
  }
  mkdirSync(join(p('dist'), out, '..'), { recursive: true });
  writeFileSync(p('dist', out), code);
}

await bundle('inline.mjs', 'web/index.mjs', { format: 'esm', inline: true });
await bundle('inline.mjs', 'node/index.cjs', { format: 'cjs', inline: true });
await bundle('workerd.mjs', 'workerd/index.mjs', { format: 'esm' });
copyFileSync(p('js/entries/node.mjs'), p('dist/node/index.mjs'));
copyFileSync(optimised, p('dist/web/dms_rerun_bg.wasm'));
copyFileSync(p('js/index.d.ts'), p('dist/index.d.ts'));
copyFileSync(p('js/index.d.ts'), p('dist/index.d.cts'));

const size = (rel) => {
  const bytes = readFileSync(p('dist', rel));
  return `${rel} ${bytes.length} B (${gzipSync(bytes, { level: 9 }).length} B gzip)`;
};
console.error(`[build] dist/ ready: ${['web/dms_rerun_bg.wasm', 'web/index.mjs', 'node/index.cjs', 'workerd/index.mjs'].map(size).join(', ')}`);
