// Call overhead: rerunTaskFlowInstance against an instant local server
// (bench/server.mjs in a child process) vs a raw fetch of the same request
// signed once up front. What is left is our per-call cost: signing with a
// fresh nonce/timestamp, the wasm↔fetch plumbing, deadline timer, response
// checks. Blocks/rounds alternate between the two sides.
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

export async function benchOverhead(pkg, endpoint, { calls, block, warmup, concurrency, roundMs, rounds }) {
  const config = { ...CREDENTIALS, endpoint, maxRetries: 0 };
  const { url, method } = pkg.signRerunTaskFlowInstance(config, REQUEST);

  const ours = async () => {
    const r = await pkg.rerunTaskFlowInstance(config, REQUEST);
    if (r.success !== true) throw new Error('unexpected result');
  };
  const raw = async () => {
    const res = await fetch(url, { method });
    const body = await res.json();
    if (body.Success !== true) throw new Error('unexpected body');
  };

  // Not a goal, a yardstick: the work any correct call must do — sign afresh
  // (new nonce and timestamp) and make the fetch cancellable — written in
  // plain JS around the same fetch. What ours adds beyond it is plumbing.
  const signedCancellable = async () => {
    const fresh = pkg.signRerunTaskFlowInstance(config, REQUEST);
    const res = await fetch(fresh.url, { method, signal: AbortSignal.timeout(10_000) });
    const body = await res.json();
    if (body.Success !== true) throw new Error('unexpected body');
  };

  for (let i = 0; i < warmup; i++) {
    await ours();
    await raw();
    await signedCancellable();
  }

  // Sequential latency, alternating blocks.
  const lat = { ours: [], raw: [], signedCancellable: [] };
  for (let done = 0; done < calls; done += block) {
    for (const [name, fn] of [['ours', ours], ['raw', raw], ['signedCancellable', signedCancellable]]) {
      for (let i = 0; i < block; i++) {
        const t0 = performance.now();
        await fn();
        lat[name].push(performance.now() - t0);
      }
    }
  }

  // Throughput at `concurrency` in flight, alternating rounds.
  const tput = [];
  for (let r = 0; r < rounds; r++) {
    const o = await throughput(ours, concurrency, roundMs);
    const w = await throughput(raw, concurrency, roundMs);
    const c = await throughput(signedCancellable, concurrency, roundMs);
    tput.push({ ours: o, raw: w, signedCancellable: c, ratio: o / w, ratioCancellable: o / c });
  }

  const summary = (xs) => ({ p50: percentile(xs, 50), p99: percentile(xs, 99), n: xs.length });
  const o = summary(lat.ours);
  const w = summary(lat.raw);
  const c = summary(lat.signedCancellable);
  return {
    latency: { ours: o, raw: w, p50Ratio: o.p50 / w.p50, p99Ratio: o.p99 / w.p99, signedCancellable: c, p50RatioCancellable: o.p50 / c.p50 },
    throughput: {
      concurrency,
      oursPerSec: median(tput.map((t) => t.ours)),
      rawPerSec: median(tput.map((t) => t.raw)),
      ratio: median(tput.map((t) => t.ratio)),
      signedCancellablePerSec: median(tput.map((t) => t.signedCancellable)),
      ratioCancellable: median(tput.map((t) => t.ratioCancellable)),
      rounds: tput,
    },
  };
}

/** `workers` loops calling fn until `ms` elapsed; completed calls per second. */
async function throughput(fn, workers, ms) {
  let n = 0;
  const start = performance.now();
  const deadline = start + ms;
  const loop = async () => {
    while (performance.now() < deadline) {
      await fn();
      n++;
    }
  };
  await Promise.all(Array.from({ length: workers }, loop));
  return (n * 1000) / (performance.now() - start);
}
