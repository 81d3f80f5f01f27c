// Size of what users download: every file of the packed package as npm
// installed it (test-output/consumer), gzip -9 like a CDN or registry would,
// and for every entry the exports map names, the files it actually loads.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { gzipSync } from 'node:zlib';

const KiB = 1024;
/** Size goals, gzip -9 bytes (KB as the issues write them, read as KiB like tests/js/size-budget.test.mjs). */
export const GOALS = Object.freeze({
  wasm: 20 * KiB, // issues 5, 9, 10
  wasmTwoOperations: 22 * KiB, // issue 11: the .wasm with the rerun and the list operation
  entry: 25 * KiB, // an entry: its glue + the .wasm it loads
  inlineEntry: 26 * KiB, // an entry carrying the wasm inline (issue 10)
});

export const gzip9 = (bytes) => gzipSync(bytes, { level: 9 }).length;

/** Every file under `dir`, as package-relative POSIX paths, sorted. */
export function listFiles(dir, base = dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(full, base));
    else out.push(relative(base, full).split(sep).join('/'));
  }
  return out.sort();
}

// Relative module specifiers (import/export from, dynamic import, require,
// new URL(...)) and any *.wasm file name the glue reads next to itself.
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*|new URL\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g;
const WASM_NAME = /[\w.-]+\.wasm\b/g;

/**
 * The files an entry loads, found by following relative specifiers from the
 * entry files. Throws if a referenced file is missing from the package.
 */
export function entryClosure(packageDir, entries) {
  const seen = new Set();
  const queue = entries.map((e) => resolve(packageDir, e));
  while (queue.length) {
    const file = queue.pop();
    const rel = relative(packageDir, file).split(sep).join('/');
    if (seen.has(rel)) continue;
    if (!existsSync(file)) throw new Error(`${rel} is referenced but not in the package`);
    seen.add(rel);
    if (file.endsWith('.wasm')) continue;
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(SPECIFIER)) queue.push(resolve(dirname(file), m[1]));
    for (const m of text.matchAll(WASM_NAME)) {
      const candidate = resolve(dirname(file), m[0]);
      if (existsSync(candidate)) queue.push(candidate);
    }
  }
  return [...seen].sort();
}

/**
 * Every runtime file the packed package.json points at (its `exports` map,
 * every subpath and condition, plus `main`/`module`/`browser` when strings),
 * type declarations and JSON left out. Returns `[{path, via: [...]}]`, one
 * per distinct file, `via` naming how a resolver reaches it (e.g.
 * `. node.import`, `. workerd`, `main`).
 */
export function exportEntries(packageDir) {
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
  const found = new Map();
  const add = (target, via) => {
    if (typeof target !== 'string' || /\.d\.[cm]?ts$/.test(target) || target.endsWith('.json')) return;
    const path = target.replace(/^\.\//, '');
    if (!found.has(path)) found.set(path, []);
    found.get(path).push(via);
  };
  const walk = (node, subpath, conditions) => {
    if (typeof node === 'string') {
      // A trailing `default` under another condition adds nothing to the label (`node.require.default` → `node.require`).
      const named = conditions.length > 1 && conditions.at(-1) === 'default' ? conditions.slice(0, -1) : conditions;
      return add(node, `${subpath}${named.length ? ' ' + named.join('.') : ''}`);
    }
    if (Array.isArray(node)) return node.forEach((n) => walk(n, subpath, conditions));
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (key.startsWith('.')) walk(value, key, conditions); // a subpath
      else if (key !== 'types') walk(value, subpath, [...conditions, key]);
    }
  };
  walk(manifest.exports ?? {}, '.', []);
  for (const field of ['main', 'module', 'browser']) add(manifest[field], field);
  return [...found].map(([path, via]) => ({ path, via })).sort((a, b) => a.path.localeCompare(b.path));
}

/**
 * `{ files: [{path, raw, gzip}], wasms: [{path, raw, gzip}], entries: [{path, via, files, raw, gzip, inline}] }`:
 * `entries` from exportEntries, `inline` when the entry loads no .wasm file.
 * A runtime's gzip is the sum of its files gzipped one by one (they are
 * fetched/stored as separate files).
 */
export function measurePackage(packageDir) {
  const files = listFiles(packageDir).map((path) => {
    const bytes = readFileSync(join(packageDir, path));
    return { path, raw: bytes.length, gzip: gzip9(bytes) };
  });
  const byPath = new Map(files.map((f) => [f.path, f]));
  const wasms = files.filter((f) => f.path.endsWith('.wasm'));
  const sum = (closure) => ({
    files: closure,
    raw: closure.reduce((s, p) => s + byPath.get(p).raw, 0),
    gzip: closure.reduce((s, p) => s + byPath.get(p).gzip, 0),
  });
  const entries = exportEntries(packageDir).map((e) => {
    const closure = entryClosure(packageDir, [e.path]);
    return { ...e, ...sum(closure), inline: !closure.some((p) => p.endsWith('.wasm')) };
  });
  return { files, wasms, entries };
}

/**
 * The official SDK as a Node user ships it: `require('@alicloud/pop-core')`
 * bundled and minified by esbuild for Node, gzip -9.
 */
export async function measurePopCore(repoRoot) {
  const { build } = await import('esbuild');
  const result = await build({
    stdin: { contents: "module.exports = require('@alicloud/pop-core');", resolveDir: repoRoot, loader: 'js' },
    bundle: true,
    platform: 'node',
    minify: true,
    write: false,
    logLevel: 'silent',
  });
  const bytes = result.outputFiles[0].contents;
  const version = JSON.parse(readFileSync(join(repoRoot, 'node_modules/@alicloud/pop-core/package.json'), 'utf8')).version;
  return { version, raw: bytes.length, gzip: gzip9(bytes) };
}
