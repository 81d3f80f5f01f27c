/**
 * Sizes of the packed package, gzip -9 as users download it, measured on the
 * package as npm installed it from the tarball, and the layout they rely on:
 * one .wasm file in the tarball, every file the exports map can resolve to
 * is measured here, nothing else is shipped.
 *
 * Two numbers per size. The GOAL is what issues 9–11 ask for:
 *   - the .wasm                                   ≤ 20 KiB (22 KiB with both operations, issue 11)
 *   - an entry that carries the wasm inline       ≤ 26 KiB (all the files it loads)
 *   - any other entry (glue + the .wasm it loads) ≤ 25 KiB
 * Core v2 with the list operation does not meet them (measured 2026-12-02:
 * .wasm 28.5 KiB; see the issue notes and `npm run bench`), so each test
 * reports its goal as a diagnostic and ASSERTS the GUARD: the size measured
 * when core v2 landed plus ~3%, to catch growth until the owner decides
 * the budget. Lower a guard whenever the size goes down.
 *
 *   node --test tests/js/size-budget.test.mjs
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import { packageDir } from '../support/consumer.mjs';

const KiB = 1024;
const GOAL = { wasm: 22 * KiB, inline: 26 * KiB, entry: 25 * KiB };
const GUARD = { wasm: 29 * KiB, inline: 35.5 * KiB, entry: 33.5 * KiB };

/** Each entry: the files the exports map points at for it; their relative imports are followed. */
const ENTRIES = {
  'web (browsers, bundlers, Deno, Bun, Vercel Edge)': { roots: ['dist/web/index.mjs'], inline: true },
  'node (import + require)': { roots: ['dist/node/index.mjs', 'dist/node/index.cjs'], inline: true },
  workerd: { roots: ['dist/workerd/index.mjs'], inline: false },
};

const gzip = (path) => gzipSync(readFileSync(join(packageDir, path)), { level: 9 }).length;
const kb = (n) => `${n} B (${(n / KiB).toFixed(1)} KiB)`;

function listFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(join(dir, e.name)) : [relative(packageDir, join(dir, e.name)).split(sep).join('/')],
  );
}

// Relative specifiers in (minified) code: import/export … from, import(), require().
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*)["'](\.{1,2}\/[^"']+)["']/g;

/** The package files an entry loads. Throws if one it references is missing. */
function closure(roots) {
  const seen = new Set();
  const queue = roots.map((r) => join(packageDir, r));
  while (queue.length) {
    const file = queue.pop();
    const rel = relative(packageDir, file).split(sep).join('/');
    if (seen.has(rel)) continue;
    assert.ok(existsSync(file), `${rel} is referenced but not in the package`);
    seen.add(rel);
    if (rel.endsWith('.wasm')) continue;
    for (const m of readFileSync(file, 'utf8').matchAll(SPECIFIER)) queue.push(resolve(dirname(file), m[1]));
  }
  return [...seen].sort();
}

/** Every file an exports condition can resolve to. */
function exportTargets(node, out = new Set()) {
  if (typeof node === 'string') out.add(node.replace(/^\.\//, ''));
  else for (const value of Object.values(node)) exportTargets(value, out);
  return out;
}

const files = listFiles(packageDir);
const wasmFiles = files.filter((f) => f.endsWith('.wasm'));

test('the tarball holds one .wasm file', () => {
  assert.deepEqual(wasmFiles, ['dist/web/dms_rerun_bg.wasm']);
});

test(`the .wasm is at most ${kb(GUARD.wasm)} gzip -9 (goal ${kb(GOAL.wasm)})`, (t) => {
  const size = gzip(wasmFiles[0]);
  t.diagnostic(`${wasmFiles[0]}: ${readFileSync(join(packageDir, wasmFiles[0])).length} B raw, ${kb(size)} gzip; goal ${size <= GOAL.wasm ? 'met' : 'NOT met'}`);
  assert.ok(size <= GUARD.wasm, `${kb(size)} gzip`);
});

for (const [name, { roots, inline }] of Object.entries(ENTRIES)) {
  const ceiling = inline ? GUARD.inline : GUARD.entry;
  const goal = inline ? GOAL.inline : GOAL.entry;
  test(`${name} entry: at most ${kb(ceiling)} gzip -9 for everything it loads (goal ${kb(goal)})`, (t) => {
    const loaded = closure(roots);
    const size = loaded.reduce((sum, f) => sum + gzip(f), 0);
    t.diagnostic(`${loaded.map((f) => `${f} ${gzip(f)} B`).join(' + ')} = ${kb(size)} gzip; goal ${size <= goal ? 'met' : 'NOT met'}`);
    // Inline entries load no .wasm file; the others load exactly the one.
    assert.deepEqual(loaded.filter((f) => f.endsWith('.wasm')), inline ? [] : wasmFiles, loaded.join(', '));
    assert.ok(size <= ceiling, `${name} is ${kb(size)} gzip, ceiling ${kb(ceiling)}`);
  });
}

test('every file exports/main/module/types resolve to is measured above; nothing else is shipped but bin/', () => {
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
  const measured = new Set(Object.values(ENTRIES).flatMap((e) => closure(e.roots)));
  const targets = exportTargets([manifest.exports['.'], manifest.main, manifest.module, manifest.types]);
  for (const target of targets) {
    assert.ok(existsSync(join(packageDir, target)), `${target} is missing`);
    if (!/\.d\.c?ts$/.test(target)) assert.ok(measured.has(target), `${target} is not measured`);
  }
  const expected = new Set([...measured, ...targets, 'package.json', 'README.md', 'LICENSE']);
  assert.deepEqual(files.filter((f) => !expected.has(f) && !f.startsWith('bin/')), []);
});
