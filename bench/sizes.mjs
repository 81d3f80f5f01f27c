// Size of what users download: every file of the packed package as npm
// installed it (test-output/consumer), gzip -9 like a CDN or registry would,
// and per runtime the files its entry actually loads. Shared by bench/run.mjs
// and tests/js/size-budget.test.mjs so both measure the same thing.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { gzipSync } from 'node:zlib';

export const WASM_GZIP_BUDGET = 20480; // bytes, issue #5
export const ENTRY_GZIP_BUDGET = 25600; // bytes, issue #5, JS glue + wasm per runtime

/**
 * Entry files per runtime (relative to the package); their imports are
 * followed. Fixed list kept for tests/js/size-budget.test.mjs; the bench
 * itself measures every entry the packed exports map names (exportEntries).
 */
export const RUNTIME_ENTRIES = {
  node: ['dist/node/index.mjs', 'dist/node/index.cjs'], // import and require both ship
  web: ['dist/web/index.mjs'],
  workerd: ['dist/workerd/index.mjs'],
};

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
 * `{ files: [{path, raw, gzip}], wasm: {path, raw, gzip}, runtimes: {name: {files, raw, gzip}},
 *    entries: [{path, via, files, raw, gzip}] }` (`entries` from exportEntries).
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
  if (wasms.length === 0) throw new Error(`no .wasm in ${packageDir}`);
  const runtimes = {};
  for (const [name, entries] of Object.entries(RUNTIME_ENTRIES)) {
    const closure = entryClosure(packageDir, entries);
    runtimes[name] = {
      files: closure,
      raw: closure.reduce((s, p) => s + byPath.get(p).raw, 0),
      gzip: closure.reduce((s, p) => s + byPath.get(p).gzip, 0),
    };
  }
  const sum = (closure) => ({
    files: closure,
    raw: closure.reduce((s, p) => s + byPath.get(p).raw, 0),
    gzip: closure.reduce((s, p) => s + byPath.get(p).gzip, 0),
  });
  const entries = exportEntries(packageDir).map((e) => ({ ...e, ...sum(entryClosure(packageDir, [e.path])) }));
  return { files, wasm: wasms[0], wasms, runtimes, entries };
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
