// Sign throughput: our signRerunTaskFlowInstance (packed package) vs the
// official SDK's per-request signing work (bench/popcore-sign.mjs) for the
// same request, same fixed timestamp and nonce. Rounds alternate so machine
// noise hits both sides alike; the verdict is the median per-round ratio.
import assert from 'node:assert/strict';
import { median, opsPerSecond } from './stats.mjs';
import { popCoreSign } from './popcore-sign.mjs';

export const CREDENTIALS = Object.freeze({ accessKeyId: 'LTAI-demo-key', accessKeySecret: 'demo-secret-do-not-use' });
export const FIXED = Object.freeze({ timestamp: '2024-05-06T07:08:09Z', nonce: '3f1c6a2e-9b7d-4c1e-8f00-bench' });
// The same rerun as each client spells it.
export const REQUEST = Object.freeze({ tid: 1, dagId: 7, dagInstanceId: 47, dagVersion: '2' });
const POP_PARAMS = Object.freeze({ Tid: 1, DagId: 7, DagInstanceId: 47, DagVersion: '2' });
const POP_CLIENT = Object.freeze({ endpoint: 'https://dms-enterprise.aliyuncs.com', apiVersion: '2018-11-01', opts: {} });

export async function benchSign(pkg, { rounds, roundMs, warmupMs }) {
  const ours = () => pkg.signRerunTaskFlowInstance(CREDENTIALS, REQUEST, FIXED);
  // Both sides reuse their request object (pop-core copies it in formatParams, never mutates it).
  const theirs = () => popCoreSign(POP_CLIENT, CREDENTIALS, 'ReRunTaskFlowInstance', POP_PARAMS, { method: 'POST' }, FIXED);

  // Same request on both sides: identical string to sign and signature.
  const a = ours();
  const b = theirs();
  assert.equal(a.stringToSign, b.stringToSign, 'string to sign differs from pop-core');
  assert.equal(a.signature, b.signature, 'signature differs from pop-core');

  opsPerSecond(ours, warmupMs);
  opsPerSecond(theirs, warmupMs);
  const perRound = [];
  for (let i = 0; i < rounds; i++) {
    // Alternate which side goes first, too.
    let o, t;
    if (i % 2 === 0) {
      o = opsPerSecond(ours, roundMs);
      t = opsPerSecond(theirs, roundMs);
    } else {
      t = opsPerSecond(theirs, roundMs);
      o = opsPerSecond(ours, roundMs);
    }
    perRound.push({ ours: o, theirs: t, ratio: o / t });
  }
  return {
    oursOpsPerSec: median(perRound.map((r) => r.ours)),
    theirsOpsPerSec: median(perRound.map((r) => r.theirs)),
    ratio: median(perRound.map((r) => r.ratio)),
    rounds: perRound,
    signature: a.signature,
  };
}
