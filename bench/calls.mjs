// Call overhead: rerunTaskFlowInstance (the packed package's public API) vs
// the floor of a correct call in plain JS (bench/floor.mjs), against a local
// server that answers at once and validates nothing (bench/server.mjs), plus
// the same against that server with a 20 ms delay. Variants alternate in
// rotating order (block by block for latency, round by round for
// throughput), so the machine's noise hits all of them alike.
//
// One run of this file is one "call section" run. bench/run.mjs starts it in
// a fresh process per run (`node bench/calls.mjs '<params json>'`, JSON on
// stdout) so each run has its own JIT warm-up and heap, as separate bench
// runs would, and takes the median of the runs.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { loadavg } from 'node:os';
import { median, percentile } from './stats.mjs';
import { CREDENTIALS, FIXED, REQUEST } from './sign.mjs';
import { floorCall, floorSign } from './floor.mjs';

/** Starts bench/server.mjs in its own process: `{ endpoint, slowEndpoint, delayMs, close() }`. */
export async function startServer() {
  const child = spawn(process.execPath, [fileURLToPath(new URL('./server.mjs', import.meta.url))], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let buffered = '';
  const info = await new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`bench server exited early (${code})`)));
    child.stdout.on('data', (d) => {
      buffered += d;
      if (buffered.includes('\n')) resolve(JSON.parse(buffered.split('\n')[0]));
    });
  });
  return {
    endpoint: `http://127.0.0.1:${info.port}`,
    slowEndpoint: `http://127.0.0.1:${info.slowPort}`,
    delayMs: info.delayMs,
    async close() {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * The comparison is only fair if the floor does the same job correctly:
 *  1. with the same timestamp and nonce, the floor's canonical query, string
 *     to sign, signature and URL equal ours (same parameters, same encoding);
 *  2. the emulator (independent signature check, nonce replay check) accepts
 *     `calls` fresh floor calls and `calls` of ours, each with its own nonce;
 *  3. and refuses the raw baseline's replayed URL after its first use, which
 *     is why the floor signs afresh.
 */
export async function checkAgainstEmulator(pkg, calls = 20) {
  const a = pkg.signRerunTaskFlowInstance({ ...CREDENTIALS, endpoint: 'http://127.0.0.1:1' }, REQUEST, FIXED);
  const b = floorSign({ ...CREDENTIALS, endpoint: 'http://127.0.0.1:1' }, REQUEST, FIXED);
  assert.equal(b.canonicalQuery, a.canonicalQuery, 'floor canonical query differs from ours');
  assert.equal(b.stringToSign, a.stringToSign, 'floor string to sign differs from ours');
  assert.equal(b.signature, a.signature, 'floor signature differs from ours');
  assert.equal(b.method, a.method, 'floor method differs from ours');
  assert.equal(b.url, a.url, 'floor URL differs from ours');

  const { startEmulator } = await import('../emulator/server.mjs');
  const emu = await startEmulator();
  try {
    const config = { ...CREDENTIALS, endpoint: emu.url };
    for (let i = 0; i < calls; i++) {
      await floorCall(config, REQUEST);
      const r = await pkg.rerunTaskFlowInstance(config, REQUEST);
      assert.equal(r.success, true, 'ours was not accepted by the emulator');
    }
    const { method, url } = pkg.signRerunTaskFlowInstance(config, REQUEST);
    const first = await (await fetch(url, { method })).json();
    const replay = await (await fetch(url, { method })).json();
    assert.equal(first.Success, true, 'raw pre-signed URL refused on first use');
    assert.notEqual(replay.Success, true, 'the emulator accepted a replayed nonce');
    const reruns = emu.state.reruns.get(String(REQUEST.dagInstanceId));
    assert.equal(reruns, 2 * calls + 1, 'the emulator did not record every accepted rerun');
    return { floorAccepted: calls, oursAccepted: calls, replayRefusedWith: replay.Code ?? replay.ErrorCode };
  } finally {
    await emu.close();
  }
}

/**
 * The calls compared. `raw` replays one URL signed up front without abort
 * (the previous baseline, and what the 20 ms row compares with); the plain-JS
 * rows in between add what a correct call needs: `cancellable` (AbortController
 * + timer), `signed` (fresh signature via bench/floor.mjs), `floor` (both:
 * bench/floor.mjs's floorCall). `ours` is rerunTaskFlowInstance.
 */
function variants(pkg, endpoint) {
  const config = { ...CREDENTIALS, endpoint };
  const { url, method } = pkg.signRerunTaskFlowInstance(config, REQUEST);
  const check = (body) => {
    if (body.Success !== true) throw new Error('unexpected body');
  };
  return {
    raw: async () => {
      const res = await fetch(url, { method });
      check(await res.json());
    },
    cancellable: async () => {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), 10_000);
      try {
        const res = await fetch(url, { method, signal: controller.signal });
        check(await res.json());
      } finally {
        clearTimeout(timer);
      }
    },
    signed: async () => {
      const res = await fetch(floorSign(config, REQUEST).url, { method });
      check(await res.json());
    },
    floor: () => floorCall(config, REQUEST),
    ours: async () => {
      const r = await pkg.rerunTaskFlowInstance(config, REQUEST);
      if (r.success !== true) throw new Error('unexpected result');
    },
  };
}

/**
 * The order of round/block `k`: the two variants a goal compares (`pair`)
 * always run next to each other, swapping which goes first round by round, so
 * the machine's load at that moment hits both alike; the pair and the other
 * variants rotate through every position.
 */
function order(names, pair, k) {
  const others = names.filter((n) => !pair.includes(n)).map((n) => [n]);
  // Swap parity also flips each full rotation, so each order of the pair meets each position.
  const swap = (k + Math.floor(k / (others.length + 1))) % 2 === 1;
  const units = [...others, swap ? [...pair].reverse() : pair];
  return units.map((_, i) => units[(i + k) % units.length]).flat();
}

/** Sequential latency of each fn, in blocks of `block` calls, order changing every block (see order): ms samples per name. */
async function sequential(fns, pair, calls, block) {
  const names = Object.keys(fns);
  const lat = Object.fromEntries(names.map((n) => [n, []]));
  for (let done = 0, k = 0; done < calls; done += block, k++) {
    for (const name of order(names, pair, k)) {
      for (let i = 0; i < block; i++) {
        const t0 = performance.now();
        await fns[name]();
        lat[name].push(performance.now() - t0);
      }
    }
  }
  return lat;
}

/** `workers` loops calling fn until `ms` elapsed: completed calls per second and client CPU µs per call. */
async function throughput(fn, workers, ms) {
  let n = 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  const deadline = start + ms;
  const loop = async () => {
    while (performance.now() < deadline) {
      await fn();
      n++;
    }
  };
  await Promise.all(Array.from({ length: workers }, loop));
  const used = process.cpuUsage(cpu);
  return { perSec: (n * 1000) / (performance.now() - start), cpuUsPerCall: (used.user + used.system) / n, calls: n };
}

/**
 * One run of the call section. Returns per variant: sequential p50/p99 (ms),
 * throughput and client CPU per call at `concurrency` (medians of rounds),
 * and for the 20 ms server p50 of raw, floor and ours.
 */
export async function benchCalls(pkg, server, P) {
  const load = loadavg()[0];
  const fns = variants(pkg, server.endpoint);
  const names = Object.keys(fns);
  for (let i = 0; i < P.warmup; i++) {
    for (const name of names) await fns[name]();
  }
  const lat = await sequential(fns, ['floor', 'ours'], P.calls, P.block);

  const perRound = [];
  for (let r = 0; r < P.rounds; r++) {
    const round = {};
    for (const name of order(names, ['floor', 'ours'], r)) round[name] = await throughput(fns[name], P.concurrency, P.roundMs);
    perRound.push(round);
  }

  const instant = {};
  for (const name of names) {
    instant[name] = {
      p50: percentile(lat[name], 50),
      p99: percentile(lat[name], 99),
      n: lat[name].length,
      perSec: median(perRound.map((t) => t[name].perSec)),
      cpuUsPerCall: median(perRound.map((t) => t[name].cpuUsPerCall)),
      // Ratios and differences per round, then the median: both sides share a
      // round's noise (ours and floor run back to back in every round).
      cpuOverFloor: median(perRound.map((t) => t[name].cpuUsPerCall - t.floor.cpuUsPerCall)),
      perSecToFloor: median(perRound.map((t) => t[name].perSec / t.floor.perSec)),
      perSecToRaw: median(perRound.map((t) => t[name].perSec / t.raw.perSec)),
    };
  }

  const all = variants(pkg, server.slowEndpoint);
  const slowFns = { raw: all.raw, floor: all.floor, ours: all.ours };
  for (const name of Object.keys(slowFns)) await slowFns[name]();
  const slowLat = await sequential(slowFns, ['raw', 'ours'], P.slowCalls, P.slowBlock);
  const slow = { delayMs: server.delayMs };
  for (const [name, xs] of Object.entries(slowLat)) slow[name] = { p50: percentile(xs, 50), p99: percentile(xs, 99), n: xs.length };

  return { concurrency: P.concurrency, loadBefore: load, loadAfter: loadavg()[0], instant, slow, rounds: perRound };
}

// `node bench/calls.mjs '<params json>'`: one run in this fresh process, JSON on stdout.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const P = JSON.parse(process.argv[2]);
  const { importPackage } = await import('./consumer.mjs');
  const pkg = await importPackage();
  const server = await startServer();
  try {
    const result = await benchCalls(pkg, server, P);
    process.stdout.write(JSON.stringify(result) + '\n');
  } finally {
    await server.close();
  }
}
