// Where a call's client CPU goes: a loop of calls at concurrency 64 against
// the instant bench server, for `node --cpu-prof`, then a summary.
//
//   node --cpu-prof --cpu-prof-dir=test-output/prof bench/profile-calls.mjs [ours|floor] [seconds]
//   node bench/profile-calls.mjs --summary test-output/prof/*.cpuprofile
// (profile several alternating pairs: files named *floor* are pooled and
// compared with the rest.)
//
// The summary lists self time by origin (the package's JS, wasm modules —
// undici's llhttp parser is one too, the one the floor profile also shows —,
// undici/fetch, the rest of Node, GC) and by function, per call; with two
// files, the per-call difference by origin (second − first).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CREDENTIALS, REQUEST } from './sign.mjs';
import { floorCall } from './floor.mjs';

const args = process.argv.slice(2);
if (args[0] === '--summary') {
  // Files whose name contains "floor" are pooled against the others (e.g.
  // alternating runs floor1, ours1, floor2, ours2: the machine's load moves).
  const results = args.slice(1).map(summarize);
  const pool = (list) => list.reduce((acc, r) => {
    acc.calls += r.calls;
    acc.busy += r.busy;
    for (const [k, t] of r.byOrigin) acc.byOrigin.set(k, (acc.byOrigin.get(k) ?? 0) + t);
    return acc;
  }, { file: list.map((r) => r.file.replace(/^.*\//, '')).join('+'), calls: 0, busy: 0, byOrigin: new Map() });
  const floors = results.filter((r) => /floor/.test(r.file));
  const others = results.filter((r) => !/floor/.test(r.file));
  if (floors.length && others.length) diff(pool(floors), pool(others));
} else {
  const which = args[0] ?? 'ours';
  const seconds = Number(args[1] ?? 5);
  const { startServer } = await import('./calls.mjs');
  const { importPackage } = await import('./consumer.mjs');
  const pkg = await importPackage();
  const server = await startServer();
  const config = { ...CREDENTIALS, endpoint: server.endpoint };
  const fn = which === 'floor' ? () => floorCall(config, REQUEST) : () => pkg.rerunTaskFlowInstance(config, REQUEST);
  for (let i = 0; i < 500; i++) await fn(); // warm-up (in the profile too; small next to the loop)
  let n = 0;
  const deadline = performance.now() + seconds * 1000;
  const cpu = process.cpuUsage();
  await Promise.all(Array.from({ length: 64 }, async () => {
    while (performance.now() < deadline) {
      await fn();
      n++;
    }
  }));
  const used = process.cpuUsage(cpu);
  await server.close();
  const total = n + 500;
  console.log(JSON.stringify({ which, calls: n, cpuUsPerCall: (used.user + used.system) / n }));
  // The summary divides by the calls made, read from this file next to the profile.
  const dir = process.execArgv.find((a) => a.startsWith('--cpu-prof-dir='))?.split('=')[1];
  const name = process.execArgv.find((a) => a.startsWith('--cpu-prof-name='))?.split('=')[1];
  if (dir && name) writeFileSync(join(dir, `${name}.calls`), String(total));
}

function summarize(file) {
  const prof = JSON.parse(readFileSync(file, 'utf8'));
  const calls = existsSync(`${file}.calls`) ? Number(readFileSync(`${file}.calls`, 'utf8')) : NaN;
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map();
  for (let i = 0; i < prof.samples.length; i++) {
    const id = prof.samples[i];
    self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0));
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const ours = (url) => /dms-rerun\//.test(url);
  const origin = (cf) => {
    const url = cf.url ?? '';
    if (cf.functionName === '(garbage collector)') return 'GC';
    if (cf.functionName === '(idle)') return 'idle';
    if (cf.functionName === '(program)') return '(program: V8/native, unattributed)';
    if (url.startsWith('wasm://')) return `wasm module ${url.slice('wasm://wasm/'.length)}`;
    if (ours(url) && url.endsWith('dms_rerun.js')) return 'dms-rerun wasm-bindgen glue (JS)';
    if (ours(url)) return 'dms-rerun JS (api/entry)';
    if (url.includes('bench/')) return 'bench harness / floor signer';
    if (url.includes('undici')) return 'undici (fetch)';
    if (url.startsWith('node:') || url.startsWith('internal/')) return 'node internals (JS)';
    if (!url) return `native: ${cf.functionName || '(anonymous)'}`;
    return url;
  };
  const byOrigin = new Map();
  const byFn = new Map();
  // Inclusive time of the package's own JS functions (self + everything they call).
  const inclusive = new Map();
  for (const [id, t] of self) {
    const cf = byId.get(id).callFrame;
    const o = origin(cf);
    byOrigin.set(o, (byOrigin.get(o) ?? 0) + t);
    const key = `${cf.functionName || '(anonymous)'}  ${(cf.url || '').replace(/^.*\/(node_modules|work)\//, '')}:${cf.lineNumber + 1}`;
    byFn.set(key, (byFn.get(key) ?? 0) + t);
    const seen = new Set();
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const f = byId.get(at).callFrame;
      if (!ours(f.url ?? '')) continue;
      const k = `${f.functionName || '(anonymous)'}  ${f.url.replace(/^.*dms-rerun\//, '')}`;
      if (seen.has(k)) continue;
      seen.add(k);
      inclusive.set(k, (inclusive.get(k) ?? 0) + t);
    }
  }
  const busy = total - (byOrigin.get('idle') ?? 0);
  const per = (t) => (Number.isFinite(calls) ? `${(t / calls).toFixed(1).padStart(6)} µs` : '');
  const pct = (t) => `${((100 * t) / busy).toFixed(1).padStart(5)} %`;
  console.log(`\n${file}: ${(total / 1e3).toFixed(0)} ms sampled, ${(busy / 1e3).toFixed(0)} ms busy, ${calls} calls` +
    (Number.isFinite(calls) ? ` (${(busy / calls).toFixed(0)} µs busy per call, profiler overhead included)` : ''));
  console.log('by origin (self time; share of busy time, per call):');
  let other = 0;
  for (const [o, t] of [...byOrigin].sort((a, b) => b[1] - a[1])) {
    if (o === 'idle') continue;
    if (t / busy < 0.005) other += t;
    else console.log(`  ${pct(t)} ${per(t)}  ${o}`);
  }
  console.log(`  ${pct(other)} ${per(other)}  (everything under 0.5 % each)`);
  console.log('top functions by self time:');
  for (const [f, t] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, 20)) console.log(`  ${pct(t)} ${per(t)}  ${f}`);
  if (inclusive.size) {
    console.log('dms-rerun functions, inclusive time (self + callees: wasm, fetch, …):');
    for (const [f, t] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`  ${pct(t)} ${per(t)}  ${f}`);
  }
  return { file, calls, busy, byOrigin };
}

/** µs per call by origin, second file minus first (e.g. ours − floor). */
function diff(a, b) {
  console.log(`\nper call, ${b.file} − ${a.file} (µs; profiler sampling at 1 kHz, so ±several µs):`);
  const keys = new Set([...a.byOrigin.keys(), ...b.byOrigin.keys()]);
  const rows = [...keys].filter((k) => k !== 'idle').map((k) => [k, (b.byOrigin.get(k) ?? 0) / b.calls - (a.byOrigin.get(k) ?? 0) / a.calls]);
  for (const [k, d] of rows.sort((x, y) => Math.abs(y[1]) - Math.abs(x[1])).slice(0, 14)) {
    console.log(`  ${(d >= 0 ? '+' : '') + d.toFixed(1).padStart(6)} µs  ${k}`);
  }
  console.log(`  ${((b.busy / b.calls - a.busy / a.calls) >= 0 ? '+' : '') + (b.busy / b.calls - a.busy / a.calls).toFixed(1)} µs  total busy`);
}
