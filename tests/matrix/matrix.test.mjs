/**
 * The runtime × bundler matrix (issue 10): every cell in cells.mjs is a
 * consumer project made from the packed tarball, built by its real tool with
 * zero package-specific config, and run in its real runtime, where it
 *   - signs three official-signer vectors (CJK POST, astral GET, STS token),
 *   - reruns a task flow instance against the one shared DMS emulator,
 *   - gets a DmsError (instanceof the exported class) for invalid input,
 *   - sees the same exports as Node does,
 * with no page error, console error/warning, stderr output or failed request.
 * Writes test-output/matrix/report.json and report.md (tool versions, time,
 * what each tool emitted: bytes and gzip).
 *
 *   node scripts/build.mjs && node scripts/pack.mjs
 *   node --test tests/matrix/*.test.mjs
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startEmulator } from '../../emulator/server.mjs';
import { importPackage, packageDir, repoRoot } from '../support/consumer.mjs';
import { CELLS, runtimeVersion } from './cells.mjs';
import { closeHosts, runInLegacyPage } from './hosts.mjs';
import { emitted, inlineWasmIn, makeProject, matrixDir } from './project.mjs';

/** Official-signer vectors (tests/vectors, made by @alicloud/openapi-util): CJK POST, astral GET, STS token. */
const VECTORS = JSON.parse(readFileSync(join(repoRoot, 'tests/vectors/official-generated.json'), 'utf8'));
const PICKED = [7, 8, 12].map((i) => VECTORS[i]);
const SIGN = PICKED.map(({ method, secret, params: p }) => ({
  config: { accessKeyId: p.AccessKeyId, accessKeySecret: secret, method, securityToken: p.SecurityToken },
  request: { tid: p.Tid, dagId: p.DagId, dagInstanceId: p.DagInstanceId, dagVersion: p.DagVersion },
  overrides: { timestamp: p.Timestamp, nonce: p.SignatureNonce },
}));
const SIGNATURES = PICKED.map((v) => v.signature);
const WASM = readFileSync(join(packageDir, 'dist/web/dms_rerun_bg.wasm'));

/** Each cell signs with its own key, so the emulator's log tells whose rerun it got. */
const keyOf = (cell) => ({ accessKeyId: `matrix-${cell.id}`, accessKeySecret: `secret-of-${cell.id}` });
const REQUEST = { dagId: '7', dagInstanceId: '47', dagVersion: '2' };
/** A path with `*` for one unknown folder name, as an exact regular expression. */
const glob = (path) => new RegExp(`^${path.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]+')}$`);

// The 2 cores are shared: three cells at a time keeps both busy while one waits on I/O.
const CONCURRENCY = Number(process.env.DMS_MATRIX_CONCURRENCY ?? 3);
const ONLY = process.env.DMS_MATRIX_ONLY?.split(',');

let emu;
let expectedTypes;
const report = [];
const started = performance.now();

before(async () => {
  emu = await startEmulator({ credentials: CELLS.map(keyOf) });
  const node = await importPackage();
  expectedTypes = Object.fromEntries(Object.keys(node).sort().map((name) => [name, typeof node[name]]));
});

after(async () => {
  await closeHosts();
  await emu?.close();
  mkdirSync(matrixDir, { recursive: true });
  report.sort((a, b) => CELLS.findIndex((c) => c.id === a.id) - CELLS.findIndex((c) => c.id === b.id));
  writeFileSync(join(matrixDir, 'report.json'), JSON.stringify({ totalMs: Math.round(performance.now() - started), cells: report }, null, 2) + '\n');
  const kb = (n) => (n / 1024).toFixed(1);
  const rows = report.map((r) =>
    `| ${r.runtimeVersion} | ${r.tool} | ${r.version ?? '—'} | none | ${r.emitted ? `${r.emitted.bytes} B (${kb(r.emitted.bytes)} KiB) / ${r.emitted.gzip} B gzip` : '—'} |`);
  const md = ['| runtime | tool | version tested | config needed | emitted (JS + wasm) |', '|---|---|---|---|---|', ...rows, ''].join('\n');
  writeFileSync(join(matrixDir, 'report.md'), md);
  console.log(`matrix: ${report.length} cells in ${((performance.now() - started) / 1000).toFixed(1)} s\n${md}`);
});

test('the reference (Node, as tests load the package) exports the contract, and nothing else', () => {
  assert.deepEqual(expectedTypes, {
    DmsError: 'function',
    ErrorCode: 'object',
    ErrorKind: 'object',
    iterateTaskFlowInstances: 'function',
    listTaskFlowInstances: 'function',
    rerunTaskFlowInstance: 'function',
    signListTaskFlowInstances: 'function',
    signRerunTaskFlowInstance: 'function',
  });
});

describe('matrix', { concurrency: CONCURRENCY }, () => {
  for (const cell of CELLS) {
    test(`${cell.id}: ${cell.runtime} × ${cell.tool}`, { skip: ONLY && !ONLY.includes(cell.id) }, async (t) => {
      const t0 = performance.now();
      const dir = makeProject(cell.id, cell.project);
      const built = cell.build ? { id: cell.id, ...(await cell.build(dir)) } : undefined;
      const t1 = performance.now();
      const key = keyOf(cell);
      const input = { vectors: SIGN, config: { ...key, endpoint: emu.url }, request: REQUEST };
      const host = await cell.run(dir, built, input);
      const t2 = performance.now();
      const outDir = built && (statSync(built.out).isDirectory() ? built.out : join(built.out, '..'));
      const out = built && emitted(outDir);

      const row = {
        id: cell.id,
        runtime: cell.runtime,
        runtimeVersion: await runtimeVersion(cell),
        tool: cell.tool,
        version: built?.version,
        emitted: out,
        buildMs: Math.round(t1 - t0),
        runMs: Math.round(t2 - t1),
      };
      report.push(row);
      t.diagnostic(JSON.stringify({ ...row, emitted: out && out.files.map((f) => `${f.name} ${f.bytes} B / ${f.gzip} B gzip`) }));

      assert.deepEqual(host.problems, [], 'errors or warnings while running');
      if (host.failed) assert.deepEqual(host.failed, [], 'requests that failed');
      if (host.served) assert.ok(!host.served.some((p) => p.endsWith('.wasm')), `the page fetched a .wasm: ${host.served}`);
      const r = host.result;
      assert.deepEqual(r.types, expectedTypes, 'exports differ from Node');
      assert.deepEqual(r.signatures, SIGNATURES, 'signatures differ from the official signer');
      assert.deepEqual(r.invalid, { threw: true, isDmsError: true, kind: 'InvalidInput', code: 'InvalidParameter.DagId' });
      assert.equal(r.rerun.ok, true, JSON.stringify(r.rerun));
      const seen = emu.state.log.filter((entry) => entry.params.AccessKeyId === key.accessKeyId);
      assert.equal(seen.length, 1, 'requests the emulator got from this cell');
      assert.deepEqual(r.rerun.result, { requestId: seen[0].requestId, success: true });
      assert.equal(seen[0].status, 200);
      if (out) {
        // What the tool emitted holds the module byte for byte: inline in one script, or (workerd) as the one .wasm.
        const copies = out.files.map((f) => (f.name.endsWith('.wasm') ? readFileSync(join(outDir, f.name)) : inlineWasmIn(readFileSync(join(outDir, f.name), 'utf8')))).filter(Boolean);
        assert.equal(copies.length, 1, `copies of the wasm in ${out.files.map((f) => f.name)}`);
        assert.ok(copies[0].equals(WASM), 'the emitted wasm differs from the package\'s');
      }
      if (cell.resolved) {
        assert.match(r.resolved, glob(cell.resolved(dir)), 'resolved another copy or entry of the package');
      }
      if (cell.id === 'bun') assert.equal(r.requireIsImport, true, 'Bun: require and import give different modules');
    });
  }
});

// Not zero-config, and not ours to fix, but ours to explain: a classic script
// decoded as windows-1252 would corrupt the inline wasm. The entry notices and
// says what to do (this cell reuses the webpack page bundle built above).
test('a bundle decoded as windows-1252 (no charset anywhere) fails at load with the fix in the message', { skip: ONLY && !ONLY.includes('chromium-webpack-import') }, async () => {
  const { errors, hasCheck } = await runInLegacyPage(join(matrixDir, 'chromium-webpack-import', 'out'), 'main.js');
  assert.equal(hasCheck, false);
  assert.equal(errors.length, 1, errors.join('\n'));
  assert.match(errors[0], /not decoded as UTF-8, which corrupts the wasm in it; serve it with charset=utf-8/);
});
