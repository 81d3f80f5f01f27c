#!/usr/bin/env node
/**
 * Writes the signature vectors whose signatures come ONLY from Alibaba's
 * official signer, `@alicloud/openapi-util` `getRPCSignature`:
 *
 *   tests/vectors/official-generated.json       ReRunTaskFlowInstance
 *   tests/vectors/official-list-generated.json  ListTaskFlowInstance
 *
 * The native Rust test (tests/signing.rs) signs every vector of every file
 * and must match byte for byte; tests/js/signing-oracle.test.mjs also signs
 * each one through the package's own function for its Action.
 *
 *   node scripts/gen-vectors.mjs          # (re)write the files
 *   node scripts/gen-vectors.mjs --check  # exit 1 if a file is stale
 *
 * `string_to_sign` is built by the emulator's independent signer and kept
 * only because HMAC-SHA1 of it reproduces the official signature. Output is
 * deterministic (fixed seeds) and pretty-printed, so regenerating is a no-op.
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
export const LIST_SEED = 0x0ff11575;
export const OUTPUT = fileURLToPath(new URL('../tests/vectors/official-generated.json', import.meta.url));
export const LIST_OUTPUT = fileURLToPath(new URL('../tests/vectors/official-list-generated.json', import.meta.url));

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

/** One vector from one input, signed by the official signer only; `paramsOf` builds its parameter set. */
function vector(input, paramsOf, seed) {
  const p = paramsOf(input);
  const signature = OpenApiUtil.getRPCSignature(p, input.method, input.secret);
  const toSign = stringToSign(input.method, p);
  const check = createHmac('sha1', input.secret + '&').update(toSign, 'utf8').digest('base64');
  if (check !== signature) {
    throw new Error(`independent string to sign does not reproduce the official signature: ${input.label}`);
  }
  return {
    source: `${SOURCE}, seed 0x${seed.toString(16)}: ${input.label}`,
    method: input.method,
    secret: input.secret,
    params: p,
    string_to_sign: toSign,
    signature,
  };
}

/** The ReRunTaskFlowInstance vectors, computed with the official signer only. */
export function generateVectors() {
  const r = prng(SEED);
  const inputs = [...handPicked(), ...randomCases(r, 18)];
  return inputs.map((input) => vector(input, params, SEED));
}

// ---- ListTaskFlowInstance ----

/**
 * The parameter set the package signs for ListTaskFlowInstance: the common
 * ones, DagId, PageIndex and PageSize always (the package sends its
 * defaults 1 and 20), and each filter only when given.
 */
function listParams({ accessKeyId, securityToken, nonce, timestamp: ts, tid, dagId, pageIndex = '1', pageSize = '20', startTimeBegin, startTimeEnd, useBizDate, status, triggerType }) {
  const p = {
    AccessKeyId: accessKeyId,
    Action: 'ListTaskFlowInstance',
    DagId: dagId,
    Format: 'JSON',
    PageIndex: pageIndex,
    PageSize: pageSize,
    SecurityToken: securityToken,
    SignatureMethod: 'HMAC-SHA1',
    SignatureNonce: nonce,
    SignatureVersion: '1.0',
    StartTimeBegin: startTimeBegin,
    StartTimeEnd: startTimeEnd,
    Status: status,
    Tid: tid,
    Timestamp: ts,
    TriggerType: triggerType,
    UseBizDate: useBizDate,
    Version: '2018-11-01',
  };
  for (const key of Object.keys(p)) if (p[key] === undefined) delete p[key];
  return p;
}

/** Hand-picked list cases: defaults, every filter, the bounds, big ids, STS, hard strings. */
function listHandPicked() {
  const base = { accessKeyId: 'LTAI5tExampleKeyId0001', secret: 'ExampleSecret0123456789abcdefgh', nonce: '5e1f0c2a-8d4b-4e6f-a1b2-c3d4e5f60718', timestamp: '2026-12-01T08:00:00Z', dagId: '7' };
  const all = { tid: '3000', startTimeBegin: '2026-11-28', startTimeEnd: '2026-12-01', useBizDate: 'true', status: '3', triggerType: '1', pageIndex: '2', pageSize: '50' };
  const cases = [
    ['defaults only (PageIndex 1, PageSize 20)', 'POST', {}],
    ['defaults only (PageIndex 1, PageSize 20)', 'GET', {}],
    ['every filter', 'POST', all],
    ['every filter', 'GET', all],
    ['UseBizDate false, status 0, trigger 0', 'POST', { useBizDate: 'false', status: '0', triggerType: '0' }],
    ['status 5 (completed), the largest', 'GET', { status: '5' }],
    ['PageSize 1 and 100', 'POST', { pageSize: '100' }],
    ['PageSize 1, PageIndex 2^31-1', 'GET', { pageSize: '1', pageIndex: '2147483647' }],
    ['only StartTimeBegin, a leap day', 'POST', { startTimeBegin: '2024-02-29' }],
    ['only StartTimeEnd, the last day', 'GET', { startTimeEnd: '9999-12-31' }],
    ['ids at 2^63-1', 'POST', { dagId: MAX_ID, tid: MAX_ID }],
    ['DagId past 2^53 (lost by JS numbers)', 'GET', { dagId: '9007199254740993' }],
    ['DagId 0', 'POST', { dagId: '0' }],
    ['STS credentials: SecurityToken with + / =', 'GET',
      { accessKeyId: 'STS.NUgYrLnoC37mZZCNnAbez2', securityToken: 'CAIS+/8BAb1q6Ft5B2yfSjIr5fTTH+9Jj4Wlc1yFqGYwT/5XrbHTtzz2IHhJeXBvAO0dv/4wnG1X6P8Ylq==', status: '3' }],
    ['every reserved character in key id and nonce', 'POST', { accessKeyId: 'id' + RESERVED, nonce: RESERVED + 'n' }],
    ['non-ASCII secret and CJK nonce', 'GET', { secret: '密钥\u{1f511}&=+/', nonce: '任务流 \u{1f600}' }],
  ];
  return cases.map(([label, method, over]) => ({ label, method, ...base, ...over }));
}

/** A real calendar date `YYYY-MM-DD` (leap days included). */
function calendarDate(r) {
  const year = r.pick([1000, 1900, 2000, 2024, 2026, 2100, 9999, r.int(1000, 9999)]);
  const month = r.int(1, 12);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  const pad = (n, w) => String(n).padStart(w, '0');
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(r.pick([1, days, r.int(1, days)]), 2)}`;
}

function listRandomCases(r, count) {
  const out = [];
  const maybe = (make) => (r.chance(0.5) ? make() : undefined);
  for (let i = 0; i < count; i++) {
    const withToken = r.int(0, 2);
    out.push({
      label: `seeded list case ${i}`,
      method: i % 2 ? 'POST' : 'GET',
      accessKeyId: r.int(0, 1) ? 'LTAI' + alnum(r, 20) : hard(r),
      secret: r.int(0, 1) ? alnum(r, 30) : hard(r),
      securityToken: withToken === 0 ? undefined : withToken === 1 ? sts(r, r.int(100, 400)) : hard(r),
      nonce: hard(r),
      timestamp: timestamp(r),
      dagId: id(r),
      tid: maybe(() => id(r)),
      pageIndex: String(r.pick([1, 2, r.int(1, 2147483647)])),
      pageSize: String(r.pick([1, 20, 100, r.int(1, 100)])),
      startTimeBegin: maybe(() => calendarDate(r)),
      startTimeEnd: maybe(() => calendarDate(r)),
      useBizDate: maybe(() => r.pick(['true', 'false'])),
      status: maybe(() => String(r.int(0, 5))),
      triggerType: maybe(() => String(r.int(0, 1))),
    });
  }
  return out;
}

/** The ListTaskFlowInstance vectors, computed with the official signer only. */
export function generateListVectors() {
  const r = prng(LIST_SEED);
  const inputs = [...listHandPicked(), ...listRandomCases(r, 16)];
  return inputs.map((input) => vector(input, listParams, LIST_SEED));
}

/** Each output file and its text. */
export function render() {
  const text = (vectors) => JSON.stringify(vectors, null, 2) + '\n';
  return [
    [OUTPUT, text(generateVectors())],
    [LIST_OUTPUT, text(generateListVectors())],
  ];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  let stale = false;
  for (const [file, text] of render()) {
    if (process.argv.includes('--check')) {
      let current = '';
      try {
        current = readFileSync(file, 'utf8');
      } catch {}
      if (current !== text) {
        console.error(`${file} is stale: run node scripts/gen-vectors.mjs`);
        stale = true;
      } else {
        console.log(`${file} is up to date`);
      }
    } else {
      writeFileSync(file, text);
      console.log(`wrote ${JSON.parse(text).length} vectors to ${file}`);
    }
  }
  if (stale) process.exit(1);
}
