// Sign throughput: our signRerunTaskFlowInstance (packed package, public API)
// vs the official SDK's signing (bench/popcore-sign.mjs), same request, same
// fixed timestamp and nonce, two rows:
//  - "bare": a request with 64-bit ids as strings and a version with a space,
//    against pop-core's bare signing internals (normalize → canonicalize →
//    encode → kitx.sha1), the restated goal of issue 9;
//  - "simple": the earlier row, a small request, against pop-core's request
//    path up to the send (option and header assembly included).
// Before timing, each row checks both sides give the same string to sign and
// signature. Rounds alternate which side goes first; the ratio is the median
// of per-round ratios of signatures per wall second (both sides of a ratio
// share a round's noise); the same per CPU second is reported beside it.
import assert from 'node:assert/strict';
import { median } from './stats.mjs';
import { popCoreBareSign, popCoreSign } from './popcore-sign.mjs';

export const CREDENTIALS = Object.freeze({ accessKeyId: 'LTAI-demo-key', accessKeySecret: 'demo-secret-do-not-use' });
export const FIXED = Object.freeze({ timestamp: '2024-05-06T07:08:09Z', nonce: '3f1c6a2e-9b7d-4c1e-8f00-bench' });
const API_VERSION = '2018-11-01';
const ACTION = 'ReRunTaskFlowInstance';

// The simple rerun (also the call bench's request: the emulator knows it).
export const REQUEST = Object.freeze({ tid: 1, dagId: 7, dagInstanceId: 47, dagVersion: '2' });
const POP_PARAMS = Object.freeze({ Tid: 1, DagId: 7, DagInstanceId: 47, DagVersion: '2' });
const POP_CLIENT = Object.freeze({ endpoint: 'https://dms-enterprise.aliyuncs.com', apiVersion: API_VERSION, opts: {} });

// Issue 9's request: ids above 2^53 as strings, a version that needs encoding.
export const BIG_REQUEST = Object.freeze({
  tid: '1', dagId: '9007199254740993', dagInstanceId: '9223372036854775807', dagVersion: 'v2024.01.15 release',
});
const BIG_POP_PARAMS = Object.freeze({
  Tid: '1', DagId: '9007199254740993', DagInstanceId: '9223372036854775807', DagVersion: 'v2024.01.15 release',
});

/** The rows: each a pair of zero-argument functions doing the same signature. */
export function signRows(pkg) {
  return {
    bare: {
      label: 'issue-9 request (ids > 2^53 as strings) vs pop-core bare internals',
      ours: () => pkg.signRerunTaskFlowInstance(CREDENTIALS, BIG_REQUEST, FIXED),
      theirs: () => popCoreBareSign(CREDENTIALS, API_VERSION, ACTION, BIG_POP_PARAMS, 'POST', FIXED),
    },
    simple: {
      label: 'simple request vs pop-core request path (options + headers)',
      ours: () => pkg.signRerunTaskFlowInstance(CREDENTIALS, REQUEST, FIXED),
      // Both sides reuse their request object (pop-core copies it in formatParams, never mutates it).
      theirs: () => popCoreSign(POP_CLIENT, CREDENTIALS, ACTION, POP_PARAMS, { method: 'POST' }, FIXED),
    },
  };
}

/**
 * Calls `fn` in batches for `ms` of wall time: signatures per wall second,
 * and per CPU second of this process (all threads, so GC helper threads
 * count: that leans slightly toward the side that allocates less).
 */
function rates(fn, ms, batch = 32) {
  let n = 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  let now = start;
  do {
    for (let i = 0; i < batch; i++) fn();
    n += batch;
    now = performance.now();
  } while (now - start < ms);
  const used = process.cpuUsage(cpu);
  return { wall: (n * 1000) / (now - start), cpu: (n * 1e6) / Math.max(1, used.user + used.system) };
}

// Many short rounds, alternating which side goes first: on a shared machine
// a round where this process lost the CPU is an outlier the median ignores.
async function benchRow({ ours, theirs }, { rounds, roundMs, warmupMs }) {
  const a = ours();
  const b = theirs();
  assert.equal(a.stringToSign, b.stringToSign, 'string to sign differs from pop-core');
  assert.equal(a.signature, b.signature, 'signature differs from pop-core');

  rates(ours, warmupMs);
  rates(theirs, warmupMs);
  const perRound = [];
  for (let i = 0; i < rounds; i++) {
    let o, t;
    if (i % 2 === 0) {
      o = rates(ours, roundMs);
      t = rates(theirs, roundMs);
    } else {
      t = rates(theirs, roundMs);
      o = rates(ours, roundMs);
    }
    perRound.push({ ours: o.wall, theirs: t.wall, ratio: o.wall / t.wall, oursCpu: o.cpu, theirsCpu: t.cpu, cpuRatio: o.cpu / t.cpu });
    await new Promise(setImmediate); // let the event loop breathe (pending I/O of other sections)
  }
  const ratios = perRound.map((r) => r.ratio).sort((x, y) => x - y);
  const q = (p) => ratios[Math.min(ratios.length - 1, Math.floor(p * ratios.length))];
  return {
    oursOpsPerSec: median(perRound.map((r) => r.ours)),
    theirsOpsPerSec: median(perRound.map((r) => r.theirs)),
    ratio: median(perRound.map((r) => r.ratio)),
    ratioP25: q(0.25),
    ratioP75: q(0.75),
    oursOpsPerCpuSec: median(perRound.map((r) => r.oursCpu)),
    theirsOpsPerCpuSec: median(perRound.map((r) => r.theirsCpu)),
    cpuRatio: median(perRound.map((r) => r.cpuRatio)),
    rounds: perRound,
    signature: a.signature,
  };
}

/** `{ bare, simple }`, each `{label, oursOpsPerSec, theirsOpsPerSec, ratio, …}`. */
export async function benchSign(pkg, P) {
  const out = {};
  for (const [name, row] of Object.entries(signRows(pkg))) out[name] = { label: row.label, ...(await benchRow(row, P)) };
  return out;
}
