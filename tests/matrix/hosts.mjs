/**
 * Where the non-process cells run: a page in headless Chromium, a Worker in
 * workerd (Miniflare), a function in Vercel's Edge Runtime. Each takes the
 * cell's built output and the check input, and resolves with the check's
 * JSON result plus what the host saw (page errors, requests served).
 */
import http from 'node:http';
import { readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { basename, extname, join } from 'node:path';
import { createRequire } from 'node:module';
import { Miniflare } from 'miniflare';
import { EdgeRuntime, runServer } from 'edge-runtime';
import { launchBrowser, startStaticServer } from '../browser/support.mjs';
import { repoRoot } from '../support/consumer.mjs';

const require = createRequire(join(repoRoot, 'package.json'));
export const toolVersion = (name) => require(`${name}/package.json`).version;

let browser;
/** One Chromium for the whole matrix (launched on first use). */
export function sharedBrowser() {
  browser ??= launchBrowser();
  return browser;
}

export async function closeHosts() {
  if (browser) await (await browser).close();
}

/**
 * Serves `root` on its own origin (as a deployed site: the page at `/`),
 * opens it, waits for the bundle to define `window.__check`, runs it.
 */
export async function runInPage(root, input) {
  const site = await startStaticServer({ '/': root });
  const page = await (await sharedBrowser()).newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error?.stack ?? error}`));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console.${m.type()}: ${m.text()}`);
  });
  try {
    await page.goto(site.url);
    await page.waitForFunction(() => typeof window.__check === 'function', null, { timeout: 15_000 }).catch((error) => {
      throw new Error(`the page never defined __check: ${problems.join('\n') || error.message}`);
    });
    const result = await page.evaluate((i) => window.__check(i), input);
    const failed = site.served.filter((s) => s.status !== 200);
    return { result, problems, failed, served: site.served.map((s) => s.path) };
  } finally {
    await page.close();
    await site.close();
  }
}

/** wrangler's output (a script and its .wasm modules) in workerd, through Miniflare. */
export async function runInWorkerd(outDir, compatibilityDate, input) {
  // The main module comes first; the .wasm files are the modules it imports.
  const modules = readdirSync(outDir)
    .filter((f) => /\.(m?js|wasm)$/.test(f))
    .sort((a, b) => a.endsWith('.wasm') - b.endsWith('.wasm'))
    .map((f) => ({ type: f.endsWith('.wasm') ? 'CompiledWasm' : 'ESModule', path: join(outDir, f), contents: readFileSync(join(outDir, f)) }));
  const mf = new Miniflare({ compatibilityDate, modulesRoot: outDir, modules });
  try {
    const response = await mf.dispatchFetch('http://matrix.test/', { method: 'POST', body: JSON.stringify(input) });
    const text = await response.text();
    if (response.status !== 200) throw new Error(`worker answered ${response.status}: ${text}`);
    return { result: JSON.parse(text), problems: [] };
  } finally {
    await mf.dispose();
  }
}

/**
 * A CommonJS bundle as `vercel dev` runs an Edge Function: wrapped in a
 * function scope, `module` provided by the context, its default export
 * answering fetch events, served by edge-runtime's `runServer`. The VM is
 * Vercel's own (`@edge-runtime/vm`) with its default code-generation rules.
 */
export async function runInEdge(bundleFile, input) {
  const initialCode = `"use strict";
(() => {
${readFileSync(bundleFile, 'utf8')}
})();
const userModule = module.exports;
addEventListener('fetch', (event) => event.respondWith(userModule.default(event.request)));
`;
  const runtime = new EdgeRuntime({ initialCode, extend: (context) => Object.assign(context, { module: {} }) });
  const server = await runServer({ runtime, host: '127.0.0.1' });
  try {
    const response = await fetch(server.url, { method: 'POST', body: JSON.stringify(input) });
    const text = await response.text();
    if (response.status !== 200) throw new Error(`edge function answered ${response.status}: ${text}`);
    return { result: JSON.parse(text), problems: [] };
  } finally {
    await server.close();
  }
}

/**
 * A legacy page: windows-1252 HTML, files sent with no `charset`, so
 * Chromium decodes a classic script as windows-1252. Resolves with the page
 * errors once `src` has run.
 */
export async function runInLegacyPage(root, src) {
  const types = { '.html': 'text/html', '.js': 'text/javascript' };
  const server = http.createServer((req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    if (path === '/') {
      res.writeHead(200, { 'content-type': types['.html'] });
      return res.end(`<!doctype html><meta charset="windows-1252"><link rel="icon" href="data:,"><script src="${src}"></script>`);
    }
    readFile(join(root, path.slice(1))).then(
      (body) => res.writeHead(200, { 'content-type': types[extname(path)] ?? 'application/octet-stream' }).end(body),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  const page = await (await sharedBrowser()).newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(String(error?.message ?? error)));
  try {
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    await page.waitForLoadState('load');
    return { errors, hasCheck: await page.evaluate(() => typeof window.__check === 'function') };
  } finally {
    await page.close();
    await new Promise((done) => server.close(done));
  }
}

/**
 * The smallest npm registry Deno's `npm:` specifiers can install from: the
 * packument of the one package (its own package.json plus `dist`) and the
 * packed tarball itself, byte for byte, with its integrity.
 */
export async function startTarballRegistry(tarball, manifest) {
  const bytes = readFileSync(tarball);
  const dist = { integrity: `sha512-${createHash('sha512').update(bytes).digest('base64')}`, shasum: createHash('sha1').update(bytes).digest('hex') };
  const requests = [];
  const server = http.createServer((req, res) => {
    requests.push(req.url);
    const origin = `http://127.0.0.1:${server.address().port}`;
    if (req.url === `/${manifest.name}`) {
      const version = { ...manifest, dist: { ...dist, tarball: `${origin}/${manifest.name}/-/${basename(tarball)}` } };
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ name: manifest.name, 'dist-tags': { latest: manifest.version }, versions: { [manifest.version]: version } }));
    }
    if (req.url === `/${manifest.name}/-/${basename(tarball)}`) return res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(bytes);
    res.writeHead(404).end();
  });
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  return { url: `http://127.0.0.1:${server.address().port}/`, requests, close: () => new Promise((done) => server.close(done)) };
}
