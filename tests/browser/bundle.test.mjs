/**
 * The packed package in headless Chromium through a bundler: Vite 7's
 * `build()`, with its default target, bundles a page whose script does
 * `import ... from 'dms-rerun'`, resolved from the consumer project's
 * node_modules (the `browser` export condition must win), then the built
 * output is served from another origin than the emulator and run. The wasm
 * travels inside the entry, so there is no asset to emit and no top-level
 * await: older build targets work too.
 *
 *   node --test tests/browser/bundle.test.mjs
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readdir, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { build } from 'vite';
import { consumerDir, outputDir, packageDir } from '../support/consumer.mjs';
import { defineBrowserSuite, fixturesDir, startStaticServer } from './support.mjs';

const bundleRoot = join(outputDir, 'browser-bundle');
let projectDir;

/**
 * A throwaway Vite project: index.html + app.mjs + page.css, and a
 * node_modules that is the consumer's (a symlink, as workspaces do), so
 * 'dms-rerun' resolves to the installed tarball and nothing else.
 */
async function createProject() {
  await mkdir(bundleRoot, { recursive: true });
  const dir = await mkdtemp(join(bundleRoot, 'vite-'));
  await copyFile(join(fixturesDir, 'bundle.html'), join(dir, 'index.html'));
  await copyFile(join(fixturesDir, 'app.mjs'), join(dir, 'app.mjs'));
  await copyFile(join(fixturesDir, 'page.css'), join(dir, 'page.css'));
  // Its own package.json stops resolution from seeing the repo's (which is named dms-rerun too).
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'browser-bundle-fixture', private: true, type: 'module' }, null, 2));
  await symlink(join(consumerDir, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

/** Builds `projectDir` into `outDir`; `target` undefined means Vite's default. */
async function viteBuild(outDir, target) {
  const result = await build({
    root: projectDir,
    configFile: false,
    logLevel: 'silent',
    build: { outDir, emptyOutDir: true, ...(target === undefined ? {} : { target }) },
  });
  const output = (Array.isArray(result) ? result[0] : result).output;
  return {
    outDir: join(projectDir, outDir),
    chunks: output.filter((file) => file.type === 'chunk'),
    assets: output.filter((file) => file.type === 'asset'),
  };
}

let main;

defineBrowserSuite({
  mode: 'vite',
  serve: async () => {
    projectDir = await createProject();
    main = await viteBuild('dist-default');
    return startStaticServer({ '/': main.outDir });
  },
});

after(async () => {
  if (projectDir) await rm(projectDir, { recursive: true, force: true });
});

test('vite: the browser export condition was picked, from the consumer node_modules', async () => {
  const webDir = await realpath(join(packageDir, 'dist', 'web'));
  const modules = main.chunks.flatMap((chunk) => Object.keys(chunk.modules));
  const fromPackage = modules.filter((id) => id.includes(`${sep}dms-rerun${sep}`) || id.includes(`${sep}dist${sep}`));
  assert.ok(modules.includes(join(webDir, 'index.mjs')), `bundled modules: ${modules.join(', ')}`);
  for (const id of fromPackage) {
    assert.ok(id.startsWith(webDir + sep), `only dist/web of the installed package is bundled, not ${id}`);
  }
});

test('vite: one JS chunk carries the wasm; no .wasm asset, no reference to one', async () => {
  assert.deepEqual(main.assets.filter((asset) => asset.fileName.endsWith('.wasm')), []);
  assert.deepEqual((await readdir(join(main.outDir, 'assets'))).filter((f) => f.endsWith('.wasm')), []);
  const code = main.chunks.map((chunk) => chunk.code).join('\n');
  assert.ok(!code.includes('.wasm'), 'the bundle names a .wasm file');
  // The module's magic number and version, as chars of the inline string (NUL is escaped, U+0001 is not).
  assert.ok(code.includes('asm\u0001'), 'the inline wasm is not in the bundle');
});

test('vite: an es2020 target (Vite ≤ 6\'s default; no top-level await) builds the same bundle', async () => {
  const built = await viteBuild('dist-es2020', 'es2020');
  assert.equal(built.assets.filter((asset) => asset.fileName.endsWith('.wasm')).length, 0);
  assert.equal(built.chunks.length, 1);
});
