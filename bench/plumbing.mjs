// Client CPU per call with `fetch` stubbed (config.fetch, public API): no
// socket, no undici, so what is left is each client's own work — signing,
// the timer and abort wiring, reading and judging the answer. The stub
// returns a ready `Response` with the success JSON (its cost, the "stub
// only" row, is in both). Diagnostic, not a goal: it moves far less with the
// machine's load than the calls against a server, so it shows what our own
// code adds over the floor. In-process, rounds alternate (order reversed
// every other round); differences are medians of per-round differences.
import { median } from './stats.mjs';
import { CREDENTIALS, REQUEST } from './sign.mjs';
import { floorSign } from './floor.mjs';

const BODY = '{"RequestId":"x","Success":true}';
const HEADERS = { 'content-type': 'application/json;charset=utf-8', 'content-length': String(BODY.length) };
const stub = () => Promise.resolve(new Response(BODY, { status: 200, headers: HEADERS }));

export function plumbingVariants(pkg) {
  const config = { ...CREDENTIALS, endpoint: 'http://127.0.0.1:9', fetch: stub };
  return {
    stub: async () => {
      const body = await (await stub()).json();
      if (body.Success !== true) throw new Error('unexpected body');
    },
    // bench/floor.mjs's floorCall with the same stub in place of fetch.
    floor: async () => {
      const { method, url } = floorSign(config, REQUEST);
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), 10_000);
      try {
        const body = await (await stub(url, { method, signal: controller.signal })).json();
        if (body.Success !== true) throw new Error('unexpected body');
      } finally {
        clearTimeout(timer);
      }
    },
    ours: async () => {
      const r = await pkg.rerunTaskFlowInstance(config, REQUEST);
      if (r.success !== true) throw new Error('unexpected result');
    },
    floorSign: async () => floorSign(config, REQUEST),
    oursSign: async () => pkg.signRerunTaskFlowInstance(CREDENTIALS, REQUEST),
  };
}

/** CPU µs per call, `calls` calls with up to 64 in flight. */
async function cpuPerCall(fn, calls) {
  const cpu = process.cpuUsage();
  let batch = [];
  for (let i = 0; i < calls; i++) {
    batch.push(fn());
    if (batch.length === 64) {
      await Promise.all(batch);
      batch = [];
    }
  }
  await Promise.all(batch);
  const used = process.cpuUsage(cpu);
  return (used.user + used.system) / calls;
}

export async function benchPlumbing(pkg, { rounds, calls }) {
  const fns = plumbingVariants(pkg);
  const names = Object.keys(fns);
  for (const name of names) await cpuPerCall(fns[name], calls);
  const samples = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 ? [...names].reverse() : names;
    for (const name of order) samples[name].push(await cpuPerCall(fns[name], calls));
  }
  const diff = (a, b) => median(samples[a].map((v, i) => v - samples[b][i]));
  return {
    cpuUsPerCall: Object.fromEntries(names.map((n) => [n, median(samples[n])])),
    oursOverFloor: diff('ours', 'floor'),
    signOursOverFloor: diff('oursSign', 'floorSign'),
    samples,
  };
}
