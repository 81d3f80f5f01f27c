#!/usr/bin/env node
/**
 * Writes tests/vectors/official-generated.json: ReRunTaskFlowInstance signature
 * vectors whose signatures come ONLY from Alibaba's official signer,
 * `@alicloud/openapi-util` `getRPCSignature`. The native Rust test
 * (tests/signing.rs) signs every vector and must match byte for byte.
 *
 *   node scripts/gen-vectors.mjs          # (re)write the file
 *   node scripts/gen-vectors.mjs --check  # exit 1 if the file is stale
 *
 * `string_to_sign` is built by the emulator's independent signer and kept
 * only because HMAC-SHA1 of it reproduces the official signature. Output is
 * deterministic (fixed seed) and pretty-printed, so regenerating is a no-op.
 */
import { createHmac } from 'node:crypto';
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { prng } from '../tests/support/prng.mjs';
// Independent string to sign (documented rule, byte by byte): the emulator's.
import { stringToSign } from '../emulator/signature.mjs';

const require = createRequire(import.meta.url);
const OpenApiUtil = require('@alicloud/openapi-util').default;

export const SEED = 0x0ff1c1a1;
export const OUTPUT = fileURLToPath(new URL('../tests/vectors/official-generated.json', import.meta.url));

const SOURCE = '@alicloud/openapi-util getRPCSignature (scripts/gen-vectors.mjs)';
const RESERVED = ' !"#$%&\'()*+,/:;<=>?@[\\]^`{|}~';
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const MAX_ID = '9223372036854775807';

// ---- seeded inputs ----


function hard(r, max = 24) {
  const pieces = [
    () => r.pick([...RESERVED]),
    () => RESERVED,
    () => String.fromCodePoint(r.int(0x4e00, 0x9fff)),
    () => String.fromCodePoint(r.int(0x1f300, 0x1faff)),
    () => r.pick(['\u{10000}', '\u{10ffff}', '\u{20000}', '\u{1f468}\u200d\u{1f4bb}', '\u{1f1e8}\u{1f1f3}']),
    () => r.pick(['\u00e9', '\u00a0', '\u07ff', '\u0800', '\u3000', '\ufeff', '\ufffd', '\uffff', '\u2028']),
    () => r.pick(['\t', '\n', '\r', '\0', '%20', '%2B', '+', '%', '&=']),
    () => r.pick([...ALNUM]) + r.pick([...ALNUM]) + r.pick(['-', '_', '.', '~']),
  ];
  const target = r.int(1, max);
  let s = '';
  while (s.length < target) s += r.pick(pieces)();
  return s;
}

function alnum(r, n) {
  let s = '';
  for (let i = 0; i < n; i++) s += r.pick([...ALNUM]);
  return s;
}

function sts(r, n) {
  let s = 'CAIS';
  for (let i = 0; i < n; i++) s += r.pick([...ALNUM, '+', '/']);
  return s + r.pick(['=', '==']);
}

function id(r) {
  return r.pick([
    () => '0',
    () => MAX_ID,
    () => String(Number.MAX_SAFE_INTEGER),
    () => '9007199254740993',
    () => String(r.int(1, 1e9)),
    () => (((BigInt(r.int(0, 0x7fffffff)) << 32n) | BigInt(r.int(0, 0xffffffff))).toString()),
  ])();
}

function timestamp(r) {
  return new Date(Math.floor(r.next() * Date.UTC(2100, 0, 1))).toISOString().slice(0, 19) + 'Z';
}

/** The parameter set the package signs for ReRunTaskFlowInstance. */
function params({ accessKeyId, securityToken, nonce, timestamp: ts, tid, dagId, dagInstanceId, dagVersion }) {
  const p = {
    AccessKeyId: accessKeyId,
    Action: 'ReRunTaskFlowInstance',
    DagId: dagId,
    DagInstanceId: dagInstanceId,
    DagVersion: dagVersion,
    Format: 'JSON',
    SecurityToken: securityToken,
    SignatureMethod: 'HMAC-SHA1',
    SignatureNonce: nonce,
    SignatureVersion: '1.0',
    Tid: tid,
    Timestamp: ts,
    Version: '2018-11-01',
  };
  for (const key of Object.keys(p)) if (p[key] === undefined) delete p[key];
  return p;
}

const base = {
  accessKeyId: 'LTAI5tExampleKeyId0001',
  secret: 'ExampleSecret0123456789abcdefgh',
  nonce: '0b8f3e9a-6c1d-4f2e-9a7b-5d4c3b2a1f00',
  timestamp: '2026-11-30T02:13:57Z',
  tid: '3000',
  dagId: '18870',
  dagInstanceId: '2026113001',
  dagVersion: '7',
};

/** Hand-picked cases: each names the hard thing it covers. */
function handPicked() {
  const cjk = '任务流重跑 数据管理';
  const emoji = '\u{1f600}\u{1f468}\u200d\u{1f4bb}\u{1f1e8}\u{1f1f3}\u{10ffff}\u{20000}';
  const cases = [
    ['plain ASCII', 'POST', {}],
    ['plain ASCII', 'GET', {}],
    ['every reserved character in DagVersion', 'GET', { dagVersion: RESERVED }],
    ['every reserved character in DagVersion', 'POST', { dagVersion: RESERVED }],
    ['every reserved character in every string field', 'GET',
      { accessKeyId: 'id' + RESERVED, secret: 'secret' + RESERVED, nonce: RESERVED + 'n', securityToken: 't' + RESERVED, dagVersion: RESERVED + 'v' }],
    ['unreserved - _ . ~ stay literal', 'POST', { dagVersion: 'a-b_c.d~e', nonce: '~~..--__' }],
    ["!'()* must be encoded (encodeURIComponent leaves them)", 'GET', { dagVersion: "!'()*", nonce: "*'()!" }],
    ['CJK', 'POST', { dagVersion: cjk, accessKeyId: '账号' + cjk, nonce: cjk }],
    ['astral emoji, ZWJ sequence, flag, U+10FFFF, CJK Ext B', 'GET', { dagVersion: emoji, nonce: emoji + 'x' }],
    ['BMP edges: NBSP, U+07FF, U+0800, ideographic space, BOM, U+FFFD, U+FFFF, U+2028', 'POST',
      { dagVersion: '\u00a0\u07ff\u0800\u3000\ufeff\ufffd\uffff\u2028' }],
    ['control characters TAB LF CR NUL DEL', 'GET', { dagVersion: 'a\tb\nc\rd\0e\x7f' }],
    ['percent-encoding traps: literal %XX, +, &, =', 'POST', { dagVersion: '%20%2B%E4%B8%AD+&=%', nonce: '+%2F' }],
    ['STS credentials: SecurityToken with + / =', 'POST',
      { accessKeyId: 'STS.NUgYrLnoC37mZZCNnAbez2', securityToken: 'CAIS+/8BAb1q6Ft5B2yfSjIr5fTTH+9Jj4Wlc1yFqGYwT/5XrbHTtzz2IHhJeXBvAO0dv/4wnG1X6P8Ylq==' }],
    ['STS credentials: SecurityToken with + / =', 'GET',
      { accessKeyId: 'STS.NUgYrLnoC37mZZCNnAbez2', securityToken: 'CAIS+/8BAb1q6Ft5B2yfSjIr5fTTH+9Jj4Wlc1yFqGYwT/5XrbHTtzz2IHhJeXBvAO0dv/4wnG1X6P8Ylq=' }],
    ['no Tid', 'POST', { tid: undefined }],
    ['ids at 2^63-1', 'GET', { tid: MAX_ID, dagId: MAX_ID, dagInstanceId: MAX_ID }],
    ['ids at 0', 'POST', { tid: '0', dagId: '0', dagInstanceId: '0' }],
    ['ids past 2^53 (lost by JS numbers)', 'GET', { tid: '9007199254740993', dagId: '9007199254740993', dagInstanceId: '18014398509481985' }],
    ['non-ASCII secret (HMAC key is its UTF-8 bytes + "&")', 'POST', { secret: '密钥\u{1f511}&=+/' }],
    ['secret ending in "&"', 'GET', { secret: 'abc&' }],
    ['long DagVersion (3000 chars, mixed)', 'POST', { dagVersion: ('ab ~*' + RESERVED + '中\u{1f600}').repeat(75) }],
    ['long SecurityToken (1200 chars)', 'GET', { securityToken: sts(prng(7), 1200) }],
    ['leap-day timestamp', 'POST', { timestamp: '2000-02-29T23:59:59Z' }],
    ['epoch timestamp', 'GET', { timestamp: '1970-01-01T00:00:00Z' }],
  ];
  return cases.map(([label, method, over]) => ({ label, method, ...base, ...over }));
}

function randomCases(r, count) {
  const out = [];
  for (let i = 0; i < count; i++) {
    const method = i % 2 ? 'POST' : 'GET';
    const withToken = r.int(0, 2);
    out.push({
      label: `seeded case ${i}`,
      method,
      accessKeyId: r.int(0, 1) ? 'LTAI' + alnum(r, 20) : hard(r),
      secret: r.int(0, 1) ? alnum(r, 30) : hard(r),
      securityToken: withToken === 0 ? undefined : withToken === 1 ? sts(r, r.int(100, 400)) : hard(r),
      nonce: hard(r),
      timestamp: timestamp(r),
      tid: r.int(0, 3) ? id(r) : undefined,
      dagId: id(r),
      dagInstanceId: id(r),
      dagVersion: hard(r, 60),
    });
  }
  return out;
}

/** The vectors, computed with the official signer only. */
export function generateVectors() {
  const r = prng(SEED);
  const inputs = [...handPicked(), ...randomCases(r, 18)];
  return inputs.map((input) => {
    const p = params(input);
    const signature = OpenApiUtil.getRPCSignature(p, input.method, input.secret);
    const toSign = stringToSign(input.method, p);
    const check = createHmac('sha1', input.secret + '&').update(toSign, 'utf8').digest('base64');
    if (check !== signature) {
      throw new Error(`independent string to sign does not reproduce the official signature: ${input.label}`);
    }
    return {
      source: `${SOURCE}, seed 0x${SEED.toString(16)}: ${input.label}`,
      method: input.method,
      secret: input.secret,
      params: p,
      string_to_sign: toSign,
      signature,
    };
  });
}

export function render() {
  return JSON.stringify(generateVectors(), null, 2) + '\n';
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const text = render();
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(OUTPUT, 'utf8');
    } catch {}
    if (current !== text) {
      console.error(`${OUTPUT} is stale: run node scripts/gen-vectors.mjs`);
      process.exit(1);
    }
    console.log(`${OUTPUT} is up to date`);
  } else {
    writeFileSync(OUTPUT, text);
    console.log(`wrote ${JSON.parse(text).length} vectors to ${OUTPUT}`);
  }
}
