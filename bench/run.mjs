// `npm run bench` (or `node bench/run.mjs [--quick]`): size, sign throughput,
// call overhead and cold start of the PACKED package (test-output/consumer,
// made by scripts/pack.mjs), against the official SDK where it makes sense.
// Prints one table, writes test-output/bench.json. Figures are medians of
// alternating rounds; on a shared 2-core machine expect ±20 % between runs.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { consumerDir, importPackage, outputDir, packageDir, repoRoot } from '../tests/support/consumer.mjs';
import { ENTRY_GZIP_BUDGET, WASM_GZIP_BUDGET, measurePackage, measurePopCore } from './sizes.mjs';
import { benchSign } from './sign.mjs';
import { benchOverhead, startServer } from './overhead.mjs';
import { benchNodeColdStart, benchWorkerdColdStart } from './cold-start.mjs';

const quick = process.argv.includes('--quick');
// Call overhead: at least as many rounds and blocks as the five variants, so
// the rotation puts each one in every position (first in a round measured slow).
const P = quick
  ? { sign: { rounds: 4, roundMs: 100, warmupMs: 150 },
      overhead: { calls: 400, block: 80, warmup: 50, concurrency: 64, roundMs: 200, rounds: 5 },
      spawns: 3, workerdRuns: 1 }
  : { sign: { rounds: 10, roundMs: 200, warmupMs: 300 },
      overhead: { calls: 2000, block: 100, warmup: 200, concurrency: 64, roundMs: 1000, rounds: 5 },
      spawns: 7, workerdRuns: 5 };

const log = (msg) => process.stderr.write(`[bench] ${msg}\n`);
const started = performance.now();

log('sizes');
const sizes = measurePackage(packageDir);
const popCore = await measurePopCore(repoRoot);

// The packed copy is what users get; warn when it differs from dist/
// (`npm run bench` rebuilds dist/ but does not pack).
const stale = [];
for (const f of sizes.files) {
  const built = join(repoRoot, f.path);
  if (f.path.startsWith('dist/') && (!existsSync(built) || !readFileSync(built).equals(readFileSync(join(packageDir, f.path))))) {
    stale.push(f.path);
  }
}
if (stale.length) log(`WARNING: packed copy differs from dist/ (${stale.join(', ')}): run \`node scripts/pack.mjs\``);

const pkg = await importPackage();

log('sign throughput');
const sign = await benchSign(pkg, P.sign);

log('call overhead (local instant server in a child process)');
const server = await startServer();
let overhead;
try {
  overhead = await benchOverhead(pkg, server.endpoint, P.overhead);
} finally {
  await server.close();
}

log('cold start: node');
const coldNode = benchNodeColdStart({ consumerDir, outputDir, repoRoot, spawns: P.spawns });
log('cold start: workerd (Miniflare)');
const coldWorkerd = await benchWorkerdColdStart({ consumerDir, outputDir, runs: P.workerdRuns });

// ---- table -------------------------------------------------------------------
const B = (n) => `${Math.round(n).toLocaleString('en-US')} B`;
const ms = (n) => `${n.toFixed(n < 10 ? 2 : 1)} ms`;
const ops = (n) => `${Math.round(n).toLocaleString('en-US')}/s`;
const x = (n) => `${n.toFixed(2)}×`;
const delta = (n) => `${n >= 0 ? '+' : '−'}${ms(Math.abs(n))}`;
const signedUs = (n) => `${n >= 0 ? '+' : '−'}${Math.abs(n).toFixed(0)} µs`;
const verdict = (ok) => (ok ? 'PASS' : 'OVER');
const goalMet = (ok) => (ok ? 'ok' : 'MISS');
const rows = [];
const row = (section, metric, ours, baseline = '', ratio = '', goal = '', result = '') =>
  rows.push([section, metric, ours, baseline, ratio, goal, result]);

for (const f of sizes.files) {
  const isWasm = f.path.endsWith('.wasm');
  row('size', f.path, `${B(f.gzip)} gz`, `${B(f.raw)} raw`, '', isWasm ? `≤ ${B(WASM_GZIP_BUDGET)} gz` : '',
    isWasm ? verdict(f.gzip <= WASM_GZIP_BUDGET) : '');
}
for (const [name, r] of Object.entries(sizes.runtimes)) {
  row('size', `runtime entry: ${name} (${r.files.length} files, listed below)`, `${B(r.gzip)} gz`, `${B(r.raw)} raw`, '', `≤ ${B(ENTRY_GZIP_BUDGET)} gz`,
    verdict(r.gzip <= ENTRY_GZIP_BUDGET));
}
row('size', `node entry vs @alicloud/pop-core ${popCore.version} (esbuild node bundle, minified)`,
  `${B(sizes.runtimes.node.gzip)} gz`, `${B(popCore.gzip)} gz`, x(sizes.runtimes.node.gzip / popCore.gzip), '< 1×',
  goalMet(sizes.runtimes.node.gzip < popCore.gzip));

row('sign', 'signs/s, same request, fixed ts+nonce (vs pop-core signing path)', ops(sign.oursOpsPerSec),
  ops(sign.theirsOpsPerSec), x(sign.ratio), '≥ 2.00×', goalMet(sign.ratio >= 2));
row('sign', 'time per signature', `${(1e6 / sign.oursOpsPerSec).toFixed(1)} µs`, `${(1e6 / sign.theirsOpsPerSec).toFixed(1)} µs`);

const { latency: L, throughput: T, concurrency } = overhead;
const p50Ratio = L.ours.p50 / L.raw.p50;
const p99Ratio = L.ours.p99 / L.raw.p99;
row('call', `latency p50, sequential (vs raw fetch, n=${L.ours.n})`, ms(L.ours.p50), ms(L.raw.p50), x(p50Ratio), '≤ 1.10×', goalMet(p50Ratio <= 1.1));
row('call', 'latency p99, sequential (vs raw fetch)', ms(L.ours.p99), ms(L.raw.p99), x(p99Ratio), '≤ 1.10×', goalMet(p99Ratio <= 1.1));
row('call', `throughput, concurrency ${concurrency} (vs raw fetch)`, ops(T.ours.perSec), ops(T.raw.perSec), x(T.ours.ratioToRaw), '≥ 0.90×', goalMet(T.ours.ratioToRaw >= 0.9));

for (const kind of ['esm', 'cjs']) {
  const c = coldNode[kind];
  row('cold', `node ${kind.toUpperCase()}: import + first signature, fresh process (median of ${coldNode.spawns})`, ms(c.total),
    `load ${ms(c.load)}, sign ${ms(c.firstSign)}`, `loader ${ms(c.baseline)}`, '< 10 ms', goalMet(c.total < 10));
}
row('cold', `node: @alicloud/pop-core require + first signature, for reference`, ms(coldNode.popCore.total),
  `load ${ms(coldNode.popCore.load)}, sign ${ms(coldNode.popCore.firstSign)}`);
const W = coldWorkerd;
row('cold', `workerd: module init + first signature, in-worker Date.now() (n=${W.runs})`, ms(W.ours.inWorkerTotalMs),
  `init ${ms(W.ours.initMs)}, sign ${ms(W.ours.firstSignMs)}`, '', '< 10 ms', goalMet(W.ours.inWorkerTotalMs < 10));
row('cold', `workerd: Miniflare first dispatch (vs worker without package, n=${W.runs})`, ms(W.ours.firstDispatch),
  ms(W.baseline.firstDispatch), delta(W.firstDispatchDelta));
row('cold', 'workerd: Miniflare startup incl. wasm compile (vs without package)', ms(W.ours.startup), ms(W.baseline.startup),
  delta(W.startupDelta));

const header = ['section', 'metric', 'ours', 'baseline', 'ratio/Δ', 'goal', 'result'];
const totalS = (performance.now() - started) / 1000;
console.log(`dms-rerun bench${quick ? ' (--quick)' : ''}: node ${process.version}, ${availableParallelism()} cpus, ` +
  `load avg ${loadavg()[0].toFixed(2)}, ${totalS.toFixed(0)} s${stale.length ? ', PACKED COPY IS STALE' : ''}`);
printTable(header, rows);

// Where a call's cost goes: each row adds one thing to a raw fetch of one
// pre-signed URL (see bench/overhead.mjs); CPU is the client process's.
const costRows = [
  ['raw', 'raw fetch of one pre-signed URL'],
  ['cancellable', '+ AbortController and timer (plain JS)'],
  ['signed', '+ fresh signature, no cancelling (plain JS)'],
  ['floor', '+ both: the floor of a correct call (plain JS)'],
  ['ours', 'rerunTaskFlowInstance'],
].map(([name, label]) => [
  label, ms(L[name].p50), x(L[name].p50 / L.raw.p50), ms(L[name].p99), ops(T[name].perSec), x(T[name].ratioToRaw),
  `${T[name].cpuUsPerCall.toFixed(0)} µs`, name === 'raw' ? '' : signedUs(T[name].cpuUsPerCall - T.raw.cpuUsPerCall),
]);
console.log('');
console.log(`call cost breakdown (sequential latency; throughput and client CPU per call at concurrency ${concurrency})`);
printTable(['call', 'p50', 'p50 ×raw', 'p99', 'calls/s', '×raw', 'CPU/call', 'vs raw'], costRows);
console.log('');
for (const [name, r] of Object.entries(sizes.runtimes)) {
  console.log(`${name} entry = ${r.files.map((p) => p.replace(/^dist\//, '')).join(' + ')} (sum of per-file gzip -9)`);
}
console.log('workerd: the in-worker row is the package\'s module evaluation (instantiating the already\n' +
  'compiled wasm) plus the first signature, timed with Date.now() inside workerd (1 ms resolution;\n' +
  'it advances under Miniflare, not on the edge). "first dispatch" is Node → Miniflare loopback →\n' +
  'workerd → Response: mostly Miniflare plumbing; its Δ against the same worker without the package\n' +
  'is what the first signature adds end to end. Startup (workerd process + config load, where the\n' +
  'wasm is compiled) is dominated by Miniflare itself, so its Δ is noisy.');

function printTable(head, body) {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => [...r[i]].length)));
  const fmt = (r) => r.map((c, i) => c + ' '.repeat(widths[i] - [...c].length)).join('  ').trimEnd();
  console.log(fmt(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of body) console.log(fmt(r));
}

const summary = {
  date: new Date().toISOString(), node: process.version, cpus: availableParallelism(), loadavg: loadavg(), quick,
  seconds: totalS, staleFiles: stale, params: P,
  budgets: { wasmGzip: WASM_GZIP_BUDGET, entryGzip: ENTRY_GZIP_BUDGET },
  size: { ...sizes, popCore },
  sign, overhead, coldStart: { node: coldNode, workerd: coldWorkerd },
};
const out = join(outputDir, 'bench.json');
writeFileSync(out, JSON.stringify(summary, null, 2) + '\n');
log(`wrote ${out}`);
