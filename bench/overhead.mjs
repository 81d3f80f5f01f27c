// Call overhead: rerunTaskFlowInstance against an instant local server
// (bench/server.mjs in a child process) vs a raw fetch of the same request
// signed once up front, with plain-JS calls in between that show what a
// correct call costs at least (see `variants`). Blocks/rounds alternate
// between all of them.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { median, percentile } from './stats.mjs';
import { CREDENTIALS, REQUEST } from './sign.mjs';

/** Starts bench/server.mjs in its own process; resolves `{ endpoint, close() }`. */
export async function startServer() {
  const child = spawn(process.execPath, [fileURLToPath(new URL('./server.mjs', import.meta.url))], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let buffered = '';
  const port = await new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`bench server exited early (${code})`)));
    child.stdout.on('data', (d) => {
      buffered += d;
      const line = buffered.split('\n')[0];
      if (buffered.includes('\n')) resolve(JSON.parse(line).port);
    });
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    async close() {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * The calls compared, each against the same instant server. `ours` and `raw`
 * are what the goals compare. The three in between are plain JS around the
 * same `fetch` and split what any correct call must add to a raw fetch of one
 * pre-signed URL: `cancellable` (an AbortController + timer, so a hung server
 * can be cut off), `signed` (a fresh nonce and timestamp each call, which the
 * gateway requires: it refuses a replayed nonce), and `floor` (both). What
 * ours costs beyond `floor` is its own plumbing.
 */
function variants(pkg, config) {
  const { url, method } = pkg.signRerunTaskFlowInstance(config, REQUEST);
  const check = (body) => {
    if (body.Success !== true) throw new Error('unexpected body');
  };
  const cancellable = async (target) => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 10_000);
    try {
      const res = await fetch(target, { method, signal: controller.signal });
      check(await res.json());
    } finally {
      clearTimeout(timer);
    }
  };
  return {
    raw: async () => {
      const res = await fetch(url, { method });
      check(await res.json());
    },
    cancellable: () => cancellable(url),
    signed: async () => {
      const res = await fetch(pkg.signRerunTaskFlowInstance(config, REQUEST).url, { method });
      check(await res.json());
    },
    floor: () => cancellable(pkg.signRerunTaskFlowInstance(config, REQUEST).url),
    ours: async () => {
      const r = await pkg.rerunTaskFlowInstance(config, REQUEST);
      if (r.success !== true) throw new Error('unexpected result');
    },
  };
}

export async function benchOverhead(pkg, endpoint, { calls, block, warmup, concurrency, roundMs, rounds }) {
  const fns = variants(pkg, { ...CREDENTIALS, endpoint, maxRetries: 0 });
  const names = Object.keys(fns);
  for (let i = 0; i < warmup; i++) {
    for (const name of names) await fns[name]();
  }

  // Sequential latency, alternating blocks. The order rotates every block and
  // round: position mattered here (ours measured 0.66× raw's throughput when
  // always first in a round, 0.79× when always last, in quick runs minutes apart).
  const rotated = (k) => names.map((_, i) => names[(i + k) % names.length]);
  const lat = Object.fromEntries(names.map((n) => [n, []]));
  for (let done = 0, k = 0; done < calls; done += block, k++) {
    for (const name of rotated(k)) {
      for (let i = 0; i < block; i++) {
        const t0 = performance.now();
        await fns[name]();
        lat[name].push(performance.now() - t0);
      }
    }
  }

  // Throughput at `concurrency` in flight, alternating rounds; the client's
  // CPU time per call (this process only: the server runs in its own) is
  // steadier than calls/s on a shared machine.
  const perRound = [];
  for (let r = 0; r < rounds; r++) {
    const round = {};
    for (const name of rotated(r)) round[name] = await throughput(fns[name], concurrency, roundMs);
    perRound.push(round);
  }

  const latency = {};
  const throughputs = {};
  for (const name of names) {
    const xs = lat[name];
    latency[name] = { p50: percentile(xs, 50), p99: percentile(xs, 99), n: xs.length };
    throughputs[name] = {
      perSec: median(perRound.map((t) => t[name].perSec)),
      cpuUsPerCall: median(perRound.map((t) => t[name].cpuUsPerCall)),
      // Median of the per-round ratios: both sides of a ratio share a round's noise.
      ratioToRaw: median(perRound.map((t) => t[name].perSec / t.raw.perSec)),
    };
  }
  return { concurrency, latency, throughput: throughputs, rounds: perRound };
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
  return { perSec: (n * 1000) / (performance.now() - start), cpuUsPerCall: (used.user + used.system) / n };
}
