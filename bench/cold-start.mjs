// Cold start: import of the packed package + first signature in a fresh
// process (Node ESM and CJS), and the same for workerd through Miniflare.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { median } from './stats.mjs';
import { CREDENTIALS, REQUEST } from './sign.mjs';

const SIGN_ARGS = `${JSON.stringify(CREDENTIALS)}, ${JSON.stringify(REQUEST)}`;

// The child scripts are real files (not `node -e`, which pre-defines globals
// such as `crypto`) in test-output/bench-cold/, whose node_modules links to
// the consumer project's, so `dms-rerun` resolves exactly as in a user's
// project. Each is timed from its own first line (performance.now() counts
// from process start; `boot` is Node's start-up before that line, reported
// but not in `total`): import + first signature with a fresh timestamp and a
// random nonce (no overrides: the package's CSPRNG path).
const child = (load) => `const t0 = performance.now();
const c0 = process.cpuUsage();
const m = ${load};
const t1 = performance.now();
const s = m.signRerunTaskFlowInstance(${SIGN_ARGS});
const t2 = performance.now();
if (typeof s.signature !== 'string' || !s.url.includes('SignatureNonce=')) throw new Error('no signature');
const c = process.cpuUsage(c0);
console.log(JSON.stringify({ boot: t0, load: t1 - t0, firstSign: t2 - t1, total: t2 - t0, cpu: (c.user + c.system) / 1000 }));
`;
const CHILD = {
  'child.mjs': child("await import('dms-rerun')"),
  'child.cjs': child("require('dms-rerun')"),
};

// The official SDK as a Node user runs it: require('@alicloud/pop-core'),
// then its first signed request through RPCClient#request (its own fresh
// timestamp and nonce), with the network stubbed: httpx.request/read (the
// module object rpc.js calls) answer at once. The stub is set up inside the
// timed span, after the require; it costs microseconds. The script sits in
// test-output/bench-cold-popcore/, whose node_modules links to the repo's.
const POPCORE_CHILD = `const t0 = performance.now();
const c0 = process.cpuUsage();
const RPCClient = require('@alicloud/pop-core');
const t1 = performance.now();
const httpx = require('module').createRequire(require.resolve('@alicloud/pop-core/lib/rpc.js'))('httpx');
let sent;
httpx.request = async (url, opts) => { sent = opts; return { req: { getHeaders: () => ({}) }, statusCode: 200, headers: {} }; };
httpx.read = async () => '{"RequestId":"x","Success":true}';
const client = new RPCClient({ endpoint: 'https://dms-enterprise.aliyuncs.com', apiVersion: '2018-11-01', ...${JSON.stringify(CREDENTIALS)} });
client.request('ReRunTaskFlowInstance', { Tid: 1, DagId: 7, DagInstanceId: 47, DagVersion: '2' }, { method: 'POST' }).then((json) => {
  const t2 = performance.now();
  const c = process.cpuUsage(c0);
  if (json.Success !== true || !/&Signature=/.test(sent.data)) throw new Error('no signed request');
  console.log(JSON.stringify({ boot: t0, load: t1 - t0, firstSign: t2 - t1, total: t2 - t0, cpu: (c.user + c.system) / 1000 }));
});
`;

function writeChildren(consumerDir, outputDir, repoRoot) {
  const dir = join(outputDir, 'bench-cold');
  const popDir = join(outputDir, 'bench-cold-popcore');
  for (const [d, modules] of [[dir, join(consumerDir, 'node_modules')], [popDir, join(repoRoot, 'node_modules')]]) {
    rmSync(d, { recursive: true, force: true });
    mkdirSync(d, { recursive: true });
    symlinkSync(relative(d, modules), join(d, 'node_modules'), 'dir');
    // Its own package.json: without one, the nearest is the repo's, named
    // dms-rerun, and Node's self-reference would resolve 'dms-rerun' to the
    // repo's dist/ instead of the packed copy in node_modules.
    writeFileSync(join(d, 'package.json'), JSON.stringify({ name: 'bench-cold', private: true }) + '\n');
  }
  for (const [name, src] of Object.entries(CHILD)) writeFileSync(join(dir, name), src);
  writeFileSync(join(popDir, 'popcore.cjs'), POPCORE_CHILD);
  // Both module systems must load the packed copy under consumerDir.
  writeFileSync(join(dir, 'where.cjs'), "console.log(require('fs').realpathSync(require.resolve('dms-rerun')));\n");
  writeFileSync(join(dir, 'where.mjs'), "import { realpathSync } from 'node:fs'; import { fileURLToPath } from 'node:url';\n" +
    "console.log(realpathSync(fileURLToPath(import.meta.resolve('dms-rerun'))));\n");
  const expected = realpathSync(join(consumerDir, 'node_modules', 'dms-rerun'));
  for (const probe of ['where.cjs', 'where.mjs']) {
    const resolved = execFileSync(process.execPath, [join(dir, probe)], { encoding: 'utf8' }).trim();
    if (!resolved.startsWith(expected + sep)) throw new Error(`cold start child resolves dms-rerun to ${resolved}, not the packed copy in ${expected}`);
  }
  return { esm: join(dir, 'child.mjs'), cjs: join(dir, 'child.cjs'), popCore: join(popDir, 'popcore.cjs') };
}

/**
 * `spawns` fresh Node processes per kind, interleaved in rotating order;
 * medians in ms, and the ratios ours/pop-core per kind (ratio of medians).
 */
export function benchNodeColdStart({ consumerDir, outputDir, repoRoot, spawns }) {
  const scripts = writeChildren(consumerDir, outputDir, repoRoot);
  const kinds = ['esm', 'cjs', 'popCore'];
  const samples = { esm: [], cjs: [], popCore: [] };
  for (let i = 0; i < spawns; i++) {
    for (let j = 0; j < kinds.length; j++) {
      const kind = kinds[(i + j) % kinds.length];
      const out = execFileSync(process.execPath, [scripts[kind]], { encoding: 'utf8' });
      samples[kind].push(JSON.parse(out));
    }
  }
  const med = (list) => ({
    total: median(list.map((s) => s.total)),
    load: median(list.map((s) => s.load)),
    firstSign: median(list.map((s) => s.firstSign)),
    nodeBoot: median(list.map((s) => s.boot)),
    cpu: median(list.map((s) => s.cpu)), // CPU ms of all the process's threads over the same span
    samples: list.map((s) => s.total),
  });
  const r = { esm: med(samples.esm), cjs: med(samples.cjs), popCore: med(samples.popCore), spawns };
  r.esm.ratio = r.esm.total / r.popCore.total;
  r.cjs.ratio = r.cjs.total / r.popCore.total;
  r.esm.cpuRatio = r.esm.cpu / r.popCore.cpu;
  r.cjs.cpuRatio = r.cjs.cpu / r.popCore.cpu;
  r.popCore.ratio = r.popCore.cpuRatio = 1;
  return r;
}

// The bench worker: its first request signs once. `bench:mark` is evaluated
// before the package (import order), so `initMs` is the package's module
// evaluation incl. instantiating the wasm (`initSync`). Under Miniflare the
// workerd clock advances while code runs, with 1 ms resolution (on
// Cloudflare's edge it only moves on I/O, so this in-worker timing is local-only).
const WORKER_SRC = (withPackage) => `import 'bench:mark';
${withPackage ? "import { signRerunTaskFlowInstance } from 'dms-rerun';" : ''}
const initMs = Date.now() - globalThis.__benchT0;
export default {
  async fetch() {
    const t0 = Date.now();
    const signature = ${withPackage ? `signRerunTaskFlowInstance(${SIGN_ARGS}).signature` : "''"};
    return Response.json({ signature, initMs, firstSignMs: Date.now() - t0 });
  },
};
`;

/**
 * Bundles the bench worker with esbuild (workerd condition, .wasm kept as a
 * module import, as wrangler does) next to a baseline worker without the
 * package, then starts each in a fresh Miniflare `runs` times, interleaved.
 * Reports medians of Miniflare startup (workerd process + module load, which
 * includes compiling the wasm) and of the first dispatchFetch (the first
 * signature, end to end through Miniflare's loopback), and the deltas ours −
 * baseline, which are what the package adds to a cold Worker.
 */
export async function benchWorkerdColdStart({ consumerDir, outputDir, runs }) {
  const { build } = await import('esbuild');
  const { Miniflare } = await import('miniflare');
  const dir = join(outputDir, 'bench-worker');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });

  let wasmPath = null;
  const workers = {};
  for (const [name, withPackage] of [['ours', true], ['baseline', false]]) {
    const result = await build({
      stdin: { contents: WORKER_SRC(withPackage), resolveDir: consumerDir, loader: 'js', sourcefile: `${name}.mjs` },
      bundle: true,
      format: 'esm',
      platform: 'neutral',
      conditions: ['workerd', 'worker', 'browser'],
      minify: true,
      write: false,
      logLevel: 'silent',
      plugins: [{
        name: 'bench-worker',
        setup(b) {
          // `bench:mark`: a virtual module that records the clock when evaluated.
          b.onResolve({ filter: /^bench:mark$/ }, () => ({ path: 'mark', namespace: 'bench' }));
          b.onLoad({ filter: /.*/, namespace: 'bench' }, () => ({ contents: 'globalThis.__benchT0 = Date.now();', loader: 'js' }));
          // Keep `import m from '…/dms_rerun_bg.wasm'` as a module import next to the bundle.
          b.onResolve({ filter: /\.wasm$/ }, (args) => {
            wasmPath = join(args.resolveDir, args.path);
            return { path: './dms_rerun_bg.wasm', external: true };
          });
        },
      }],
    });
    const file = join(dir, `${name}.mjs`);
    writeFileSync(file, result.outputFiles[0].contents);
    workers[name] = file;
  }
  if (!wasmPath) throw new Error('bench worker bundle imports no .wasm');
  const wasmBytes = readFileSync(wasmPath);
  writeFileSync(join(dir, 'dms_rerun_bg.wasm'), wasmBytes);

  const startOnce = async (name) => {
    const script = workers[name];
    const modules = [{ type: 'ESModule', path: script, contents: readFileSync(script, 'utf8') }];
    if (name === 'ours') modules.push({ type: 'CompiledWasm', path: join(dir, 'dms_rerun_bg.wasm'), contents: wasmBytes });
    const t0 = performance.now();
    const mf = new Miniflare({ compatibilityDate: '2025-09-01', modulesRoot: dir, modules });
    try {
      await mf.ready;
      const t1 = performance.now();
      const res = await mf.dispatchFetch('http://bench.test/');
      const body = await res.json();
      const t2 = performance.now();
      const res2 = await mf.dispatchFetch('http://bench.test/');
      await res2.json();
      const t3 = performance.now();
      if (name === 'ours' && typeof body.signature !== 'string') throw new Error('worker did not sign');
      return { startup: t1 - t0, firstDispatch: t2 - t1, secondDispatch: t3 - t2, initMs: body.initMs, firstSignMs: body.firstSignMs };
    } finally {
      await mf.dispose();
    }
  };

  const samples = { ours: [], baseline: [] };
  for (let i = 0; i < runs; i++) {
    samples.ours.push(await startOnce('ours'));
    samples.baseline.push(await startOnce('baseline'));
  }
  const med = (list, key) => median(list.map((s) => s[key]));
  const summary = (list) => ({
    startup: med(list, 'startup'),
    firstDispatch: med(list, 'firstDispatch'),
    secondDispatch: med(list, 'secondDispatch'),
    initMs: med(list, 'initMs'),
    firstSignMs: med(list, 'firstSignMs'),
    inWorkerTotalMs: median(list.map((s) => s.initMs + s.firstSignMs)),
  });
  const ours = summary(samples.ours);
  const baseline = summary(samples.baseline);
  return {
    runs,
    ours,
    baseline,
    startupDelta: ours.startup - baseline.startup,
    firstDispatchDelta: ours.firstDispatch - baseline.firstDispatch,
    bundleBytes: readFileSync(workers.ours).length,
  };
}
