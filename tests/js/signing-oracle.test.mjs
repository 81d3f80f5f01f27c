/**
 * The packed package's signers (the rerun's and the list's previews)
 * cross-checked against Alibaba's own signer, `@alicloud/openapi-util`
 * `getRPCSignature`, and against a third, independent implementation of RPC
 * signature 1.0 written here on node:crypto.
 *
 *   node --test tests/js/signing-oracle.test.mjs
 *   DMS_ORACLE_SEED=12345 DMS_ORACLE_CASES=5000 node --test tests/js/signing-oracle.test.mjs
 *
 * Inputs come from a seeded PRNG (the seed is printed); a failure names the
 * seed and case index so it can be replayed exactly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createRequire } from 'node:module';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importPackage, requirePackage, repoRoot } from '../support/consumer.mjs';
import { render as renderVectors } from '../../scripts/gen-vectors.mjs';
import { prng } from '../support/prng.mjs';
import { canonicalQuery, percentEncode } from '../../emulator/signature.mjs';

const require = createRequire(import.meta.url);
/** Alibaba's official signer (CommonJS; the class is the `default` export). */
const OpenApiUtil = require('@alicloud/openapi-util').default;
const officialVersion = require('@alicloud/openapi-util/package.json').version;

const esm = await importPackage();
const cjs = requirePackage();

const SEED = process.env.DMS_ORACLE_SEED === undefined ? 0x5eed2018 : Number(process.env.DMS_ORACLE_SEED) >>> 0;
const CASES_PER_METHOD = Number(process.env.DMS_ORACLE_CASES ?? 2000);
/** Every Nth case is also signed through `require('dms-rerun')`. */
const CJS_EVERY = 7;

console.log(`signing oracle: seed ${SEED} (0x${SEED.toString(16)}), ${CASES_PER_METHOD} cases per method, @alicloud/openapi-util ${officialVersion}`);

// Independent RPC signature 1.0 from Alibaba's documented rule only (UTF-8
// bytes; A–Z a–z 0–9 - _ . ~ literal; everything else %XX uppercase): the
// emulator's byte-based implementation, which shares no code with the package.
const enc = percentEncode;
const canonicalOf = canonicalQuery;

function hmacSha1Base64(secret, text) {
  return createHmac('sha1', Buffer.from(secret + '&', 'utf8')).update(Buffer.from(text, 'utf8')).digest('base64');
}

/** Splits a query on '&' and the first '=' of each pair, decoding each side exactly. */
function parseQueryExactly(query) {
  const out = Object.create(null);
  for (const pair of query.split('&')) {
    const at = pair.indexOf('=');
    assert.ok(at > 0, `query pair without '=': ${pair.slice(0, 80)}`);
    const key = decodeURIComponent(pair.slice(0, at));
    const value = decodeURIComponent(pair.slice(at + 1));
    assert.ok(!(key in out), `duplicate query key ${key}`);
    out[key] = value;
  }
  return out;
}

// ---------------------------------------------------------------------------
// Seeded inputs.
// ---------------------------------------------------------------------------


const RESERVED = ' !"#$%&\'()*+,/:;<=>?@[\\]^`{|}~';
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const UNRESERVED = ALNUM + '-_.~';
const B64 = ALNUM + '+/';
const SPECIAL_BMP = [
  '\u0080', '\u00a0', '\u00e9', '\u00ff', '\u0100', '\u07ff', '\u0800', '\u3000', '\uff01', '\ufeff',
  '\u2028', '\u200d', '\ue000', '\ufffd', '\uffff', '\u0301',
];
const SPECIAL_ASTRAL = ['\u{10000}', '\u{10ffff}', '\u{20000}', '\u{1f600}', '\u{1f468}\u200d\u{1f4bb}', '\u{1f1e8}\u{1f1f3}', '\u2764\ufe0f'];
const CONTROL = ['\t', '\n', '\r', '\0', '\x7f', '\x1b'];
const TRAPS = ['%20', '%2B', '%E4%B8%AD', '%', '%%', '+', '&=', '==', '&Signature=x', '?a=b', '\\u0041'];
const MAX_ID = (1n << 63n) - 1n;

function segment(r) {
  switch (r.int(0, 9)) {
    case 0:
    case 1:
      return r.pick([...RESERVED]);
    case 2:
      return RESERVED; // every reserved character at once
    case 3:
      return String.fromCodePoint(r.int(0x4e00, 0x9fff)); // CJK
    case 4:
      return String.fromCodePoint(r.pick([r.int(0x1f300, 0x1faff), r.int(0x20000, 0x2a6df), r.int(0x10000, 0x10ffff)]));
    case 5:
      return r.pick(SPECIAL_ASTRAL);
    case 6:
      return r.pick(SPECIAL_BMP);
    case 7:
      return r.chance(0.5) ? r.pick(CONTROL) : r.pick(TRAPS);
    default: {
      let s = '';
      for (let i = r.int(1, 6); i > 0; i--) s += r.pick([...UNRESERVED]);
      return s;
    }
  }
}

/** The package's caps: 4096 UTF-8 bytes per string, 16384 for all of a call's strings. */
const MAX_TEXT_BYTES = 4096;
const MAX_TOTAL_TEXT_BYTES = 16384;
const utf8Bytes = (s) => Buffer.byteLength(s, 'utf8');

/**
 * A non-empty, valid-UTF-16 string full of characters that must be encoded,
 * at most `maxBytes` UTF-8 bytes long (whole segments only, so no surrogate
 * pair is split).
 */
function hardString(r, { long = 0.08, maxBytes = MAX_TEXT_BYTES } = {}) {
  const target = r.chance(long) ? r.int(1000, maxBytes) : r.int(1, 40);
  let s = '';
  let bytes = 0;
  while (bytes < target) {
    const next = segment(r);
    const size = utf8Bytes(next);
    if (bytes + size > maxBytes) {
      if (s !== '') break;
      continue;
    }
    s += next;
    bytes += size;
  }
  return s;
}

function alnum(r, n) {
  let s = '';
  for (let i = 0; i < n; i++) s += r.pick([...ALNUM]);
  return s;
}

/** STS tokens are long base64: `+`, `/` and `=` padding all appear. */
function stsToken(r) {
  let s = 'CAIS';
  for (let i = r.int(300, 1200); i > 0; i--) s += r.pick([...B64]);
  return s + r.pick(['', '=', '==']);
}

/** An id as number / bigint / decimal string, and the decimal text the gateway must see. */
function id(r) {
  const bigValue = () =>
    r.pick([0n, 1n, MAX_ID, MAX_ID - 1n, 9007199254740993n, r.u64() & MAX_ID, BigInt(r.int(0, 1e9))]);
  switch (r.int(0, 2)) {
    case 0: {
      const value = r.pick([0, 1, Number.MAX_SAFE_INTEGER, r.int(0, 1e9), Math.floor(r.next() * 2 ** 53)]);
      return { value, text: String(value) };
    }
    case 1: {
      const value = bigValue();
      return { value, text: value.toString() };
    }
    default: {
      const text = bigValue().toString();
      return { value: text, text };
    }
  }
}

const TIMESTAMP_EDGES = ['1970-01-01T00:00:00Z', '2000-02-29T23:59:59Z', '2099-12-31T23:59:59Z', '9999-12-31T23:59:59Z'];

function timestamp(r) {
  if (r.chance(0.05)) return r.pick(TIMESTAMP_EDGES);
  const ms = Math.floor(r.next() * Date.UTC(2100, 0, 1));
  return new Date(ms).toISOString().slice(0, 19) + 'Z';
}

function uuid(r) {
  const h = () => r.int(0, 15).toString(16);
  const hex = (n) => Array.from({ length: n }, h).join('');
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${r.pick(['8', '9', 'a', 'b'])}${hex(3)}-${hex(12)}`;
}

const ENDPOINTS = [
  [{}, 'https://dms-enterprise.aliyuncs.com'],
  [{ regionId: 'cn-hangzhou' }, 'https://dms-enterprise.cn-hangzhou.aliyuncs.com'],
  [{ regionId: 'ap-southeast-1' }, 'https://dms-enterprise.ap-southeast-1.aliyuncs.com'],
  [{ endpoint: 'http://127.0.0.1:8080' }, 'http://127.0.0.1:8080'],
  [{ endpoint: 'HTTPS://DMS.Example.com/' }, 'https://dms.example.com'],
  [{ endpoint: 'http://[::1]:9000', regionId: 'cn-shanghai' }, 'http://[::1]:9000'],
];

/** One random case: the package's inputs and everything the signed request must contain. */
function makeCase(r, method) {
  // The call's strings share one 16384-byte budget (ids, method and endpoint
  // take at most ~100 of it); the nonce override is not part of it.
  let budget = MAX_TOTAL_TEXT_BYTES - 100;
  const spend = (s) => {
    budget -= utf8Bytes(s);
    return s;
  };
  const hard = () => spend(hardString(r, { maxBytes: Math.min(MAX_TEXT_BYTES, budget) }));
  const accessKeyId = spend(r.pick([() => 'LTAI' + alnum(r, 20), () => 'STS.' + alnum(r, 28), hard])());
  const accessKeySecret = r.chance(0.5) ? spend(alnum(r, 30)) : hard();
  const securityToken = r.pick([undefined, undefined, () => spend(stsToken(r)), hard]);
  const token = typeof securityToken === 'function' ? securityToken() : undefined;
  const dagVersion = r.chance(0.2) ? String(r.int(1, 99999)) : hard();
  const nonce = r.chance(0.3) ? uuid(r) : hardString(r);
  const ts = timestamp(r);
  const tid = r.chance(0.3) ? undefined : id(r);
  const dagId = id(r);
  const dagInstanceId = id(r);
  const [where, origin] = r.pick(ENDPOINTS);

  const config = { accessKeyId, accessKeySecret, ...where };
  if (method === 'GET' || r.chance(0.7)) config.method = method; // POST is the default
  if (token !== undefined) config.securityToken = token;
  else if (r.chance(0.2)) config.securityToken = r.pick([undefined, null]);

  const request = { dagId: dagId.value, dagInstanceId: dagInstanceId.value, dagVersion };
  if (tid !== undefined) request.tid = tid.value;
  else if (r.chance(0.3)) request.tid = r.pick([undefined, null]);

  // Exactly what the official signer must be given.
  const params = {
    AccessKeyId: accessKeyId,
    Action: 'ReRunTaskFlowInstance',
    Version: '2018-11-01',
    Format: 'JSON',
    SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0',
    SignatureNonce: nonce,
    Timestamp: ts,
  };
  if (token !== undefined) params.SecurityToken = token;
  if (tid !== undefined) params.Tid = tid.text;
  params.DagId = dagId.text;
  params.DagInstanceId = dagInstanceId.text;
  params.DagVersion = dagVersion;

  return { method, config, request, overrides: { timestamp: ts, nonce }, params, secret: accessKeySecret, origin };
}

function describeCase(c) {
  const short = (v) => (typeof v === 'string' && v.length > 60 ? JSON.stringify(v.slice(0, 60)) + `…(${v.length})` : typeof v === 'bigint' ? v + 'n' : JSON.stringify(v));
  return Object.entries({ ...c.config, ...c.request, ...c.overrides })
    .map(([k, v]) => `${k}=${short(v)}`)
    .join(' ');
}

/** Every check on one signed request. */
function checkSigned(signed, c) {
  const { method, params, secret, origin } = c;

  // 1. The official signer agrees.
  const official = OpenApiUtil.getRPCSignature(params, method, secret);
  assert.equal(signed.signature, official, 'signature differs from @alicloud/openapi-util');

  // 2. The documented algorithm, independently.
  const canonical = canonicalOf(params);
  assert.equal(signed.canonicalQuery, canonical, 'canonicalQuery');
  assert.equal(signed.stringToSign, method + '&%2F&' + enc(canonical), 'stringToSign');
  assert.equal(signed.signature, hmacSha1Base64(secret, signed.stringToSign), 'signature vs node:crypto');

  // 3. The request itself.
  assert.equal(signed.method, method);
  assert.deepEqual(signed.headers, {});
  assert.equal(signed.body, null);
  const prefix = origin + '/?';
  assert.ok(signed.url.startsWith(prefix), `url origin: ${signed.url.slice(0, 80)}`);
  const query = signed.url.slice(prefix.length);
  assert.equal(query, canonical + '&Signature=' + enc(signed.signature), 'url query');
  const parsed = parseQueryExactly(query);
  assert.deepEqual({ ...parsed }, { ...params, Signature: signed.signature }, 'url parses back to exactly the signed set');
  assert.ok(!('RegionId' in parsed) && !('SignatureType' in parsed));
}

/** What a case exercises, so a generator regression cannot silently narrow the inputs. */
function tally(counts, c) {
  const all = Object.values(c.params).join('\u0001') + c.secret;
  const ids = [c.request.tid, c.request.dagId, c.request.dagInstanceId].filter((v) => v !== undefined && v !== null);
  const tags = {
    everyReservedChar: [...RESERVED].every((ch) => all.includes(ch)),
    cjk: /[\u4e00-\u9fff]/.test(all),
    astral: /[\u{10000}-\u{10ffff}]/u.test(all),
    longField: Object.values(c.params).some((v) => v.length >= 1000),
    longSecret: c.secret.length >= 1000,
    stsToken: /^CAIS/.test(c.params.SecurityToken ?? '') && /[+/]/.test(c.params.SecurityToken),
    noToken: !('SecurityToken' in c.params),
    noTid: !('Tid' in c.params),
    idNumber: ids.some((v) => typeof v === 'number'),
    idBigint: ids.some((v) => typeof v === 'bigint'),
    idString: ids.some((v) => typeof v === 'string'),
    idMax: ids.some((v) => String(v) === MAX_ID.toString()),
    idAbove2to53: ids.some((v) => BigInt(v) > BigInt(Number.MAX_SAFE_INTEGER)),
    defaultMethod: c.config.method === undefined,
    customEndpoint: c.config.endpoint !== undefined,
  };
  for (const [tag, hit] of Object.entries(tags)) counts[tag] = (counts[tag] ?? 0) + (hit ? 1 : 0);
}

function runCases(method, seed) {
  const r = prng(seed);
  let viaRequire = 0;
  const counts = {};
  for (let i = 0; i < CASES_PER_METHOD; i++) {
    const c = makeCase(r, method);
    tally(counts, c);
    try {
      const signed = esm.signRerunTaskFlowInstance(c.config, c.request, c.overrides);
      checkSigned(signed, c);
      if (i % CJS_EVERY === 0) {
        assert.deepEqual(cjs.signRerunTaskFlowInstance(c.config, c.request, c.overrides), signed, 'require() differs from import');
        viaRequire++;
      }
    } catch (error) {
      error.message = `[seed ${seed} ${method} case ${i}] ${describeCase(c)}\n${error.message}`;
      throw error;
    }
  }
  return { viaRequire, counts };
}

// ---------------------------------------------------------------------------

test('the oracle itself reproduces the documented DescribeRegions vector', () => {
  const doc = JSON.parse(readFileSync(join(repoRoot, 'tests/vectors/describe-regions-doc.json'), 'utf8'));
  const params = doc.params;
  assert.equal(OpenApiUtil.getRPCSignature(params, 'GET', 'testsecret'), 'OLeaidS1JvxuMvnyHOwuJ+uX5qY=');
  const toSign = 'GET&%2F&' + enc(canonicalOf(params));
  assert.equal(hmacSha1Base64('testsecret', toSign), 'OLeaidS1JvxuMvnyHOwuJ+uX5qY=');
  assert.equal(doc.string_to_sign, toSign);
});

for (const [method, seed] of [
  ['GET', SEED],
  ['POST', (SEED ^ 0x9e3779b9) >>> 0],
]) {
  test(`${CASES_PER_METHOD} seeded ${method} cases: package = official signer = node:crypto, URL exact`, (t) => {
    t.diagnostic(`seed ${seed} (0x${seed.toString(16)})`);
    const { viaRequire, counts } = runCases(method, seed);
    t.diagnostic(`${viaRequire} of them also through require('dms-rerun')`);
    t.diagnostic('coverage: ' + Object.entries(counts).map(([k, n]) => `${k} ${n}`).join(', '));
    assert.ok(viaRequire > CASES_PER_METHOD / CJS_EVERY - 1);
    for (const [tag, n] of Object.entries(counts)) {
      if (tag === 'defaultMethod' && method === 'GET') assert.equal(n, 0);
      else assert.ok(n >= CASES_PER_METHOD / 100, `only ${n} cases with ${tag}`);
    }
  });
}

// ---------------------------------------------------------------------------
// ListTaskFlowInstance: the same cross-check for the list operation's preview.
// ---------------------------------------------------------------------------

const STATUS_NAMES = ['waiting', 'running', 'suspended', 'failed', 'succeeded', 'completed'];
const TRIGGER_NAMES = ['scheduled', 'manual'];

/** The JS query that signs to a vector's wire parameters (numbers where the query takes numbers). */
function listQueryOf(p) {
  const query = { dagId: p.DagId, tid: p.Tid, startTimeBegin: p.StartTimeBegin, startTimeEnd: p.StartTimeEnd };
  if (p.PageIndex !== undefined) query.pageIndex = Number(p.PageIndex);
  if (p.PageSize !== undefined) query.pageSize = Number(p.PageSize);
  if (p.UseBizDate !== undefined) query.useBizDate = p.UseBizDate === 'true';
  if (p.Status !== undefined) query.status = Number(p.Status);
  if (p.TriggerType !== undefined) query.triggerType = Number(p.TriggerType);
  return query;
}

/** A real calendar date `YYYY-MM-DD`, leap days included. */
function calendarDate(r) {
  const year = r.pick([1000, 1900, 2000, 2024, 2100, 9999, r.int(1000, 9999)]);
  const month = r.int(1, 12);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  const day = r.pick([1, days, r.int(1, days)]);
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/**
 * One random list case: each filter present or absent, choices by name or
 * by number, pages as given or left to the defaults; and the exact wire set
 * the official signer must be given.
 */
function makeListCase(r, method) {
  const accessKeyId = r.pick([() => 'LTAI' + alnum(r, 20), () => hardString(r, { long: 0.02 })])();
  const accessKeySecret = r.chance(0.5) ? alnum(r, 30) : hardString(r, { long: 0.02 });
  const token = r.chance(0.3) ? stsToken(r) : undefined;
  const nonce = r.chance(0.3) ? uuid(r) : hardString(r);
  const ts = timestamp(r);
  const dagId = id(r);
  const query = { dagId: dagId.value };
  const wire = { DagId: dagId.text, PageIndex: '1', PageSize: '20' };
  if (r.chance(0.4)) {
    const tid = id(r);
    query.tid = tid.value;
    wire.Tid = tid.text;
  }
  if (r.chance(0.6)) {
    query.pageIndex = r.pick([1, 2, 2147483647, r.int(1, 2147483647)]);
    wire.PageIndex = String(query.pageIndex);
  }
  if (r.chance(0.6)) {
    query.pageSize = r.pick([1, 100, r.int(1, 100)]);
    wire.PageSize = String(query.pageSize);
  }
  for (const [field, name] of [['startTimeBegin', 'StartTimeBegin'], ['startTimeEnd', 'StartTimeEnd']]) {
    if (r.chance(0.5)) wire[name] = query[field] = calendarDate(r);
  }
  if (r.chance(0.5)) {
    query.useBizDate = r.chance(0.5);
    wire.UseBizDate = String(query.useBizDate);
  }
  for (const [field, name, names] of [['status', 'Status', STATUS_NAMES], ['triggerType', 'TriggerType', TRIGGER_NAMES]]) {
    if (!r.chance(0.5)) continue;
    const n = r.int(0, names.length - 1);
    query[field] = r.chance(0.5) ? names[n] : n;
    wire[name] = String(n);
  }
  // Absent optional fields, written out as undefined or null, must stay unsent.
  for (const field of ['tid', 'startTimeBegin', 'useBizDate', 'status']) {
    if (!(field in query) && r.chance(0.2)) query[field] = r.pick([undefined, null]);
  }
  const [where, origin] = r.pick(ENDPOINTS);
  const config = { accessKeyId, accessKeySecret, ...where };
  if (method === 'GET' || r.chance(0.7)) config.method = method;
  if (token !== undefined) config.securityToken = token;
  const params = {
    AccessKeyId: accessKeyId,
    Action: 'ListTaskFlowInstance',
    Version: '2018-11-01',
    Format: 'JSON',
    SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0',
    SignatureNonce: nonce,
    Timestamp: ts,
    ...wire,
  };
  if (token !== undefined) params.SecurityToken = token;
  return { method, config, request: query, overrides: { timestamp: ts, nonce }, params, secret: accessKeySecret, origin };
}

for (const [method, seed] of [
  ['GET', (SEED ^ 0x11570000) >>> 0],
  ['POST', (SEED ^ 0x115700ff) >>> 0],
]) {
  test(`${CASES_PER_METHOD / 2} seeded ${method} list queries: signListTaskFlowInstances = official signer = node:crypto, URL exact`, (t) => {
    t.diagnostic(`seed ${seed} (0x${seed.toString(16)})`);
    const r = prng(seed);
    const seen = { Tid: 0, StartTimeBegin: 0, StartTimeEnd: 0, UseBizDate: 0, Status: 0, TriggerType: 0, byName: 0, defaults: 0 };
    for (let i = 0; i < CASES_PER_METHOD / 2; i++) {
      const c = makeListCase(r, method);
      for (const key of Object.keys(seen)) if (key in c.params) seen[key]++;
      if (typeof c.request.status === 'string' || typeof c.request.triggerType === 'string') seen.byName++;
      if (!('pageIndex' in c.request) && !('pageSize' in c.request)) seen.defaults++;
      try {
        const signed = esm.signListTaskFlowInstances(c.config, c.request, c.overrides);
        checkSigned(signed, c);
        if (i % CJS_EVERY === 0) assert.deepEqual(cjs.signListTaskFlowInstances(c.config, c.request, c.overrides), signed, 'require() differs from import');
      } catch (error) {
        error.message = `[seed ${seed} ${method} list case ${i}] ${describeCase(c)}\n${error.message}`;
        throw error;
      }
    }
    t.diagnostic('coverage: ' + JSON.stringify(seen));
    for (const [key, n] of Object.entries(seen)) assert.ok(n >= CASES_PER_METHOD / 50, `only ${n} cases with ${key}`);
  });
}

test('every single character encodes as the documented rule says, in every signed field', () => {
  // Isolates any per-character disagreement between the package, the official
  // signer and the documented rule, and names the character.
  const points = [...Array(0x80).keys(), 0x80, 0xa0, 0xe9, 0xff, 0x100, 0x7ff, 0x800, 0x3000, 0x4e2d, 0xfeff, 0xfffd, 0xffff, 0x10000, 0x1f600, 0x10ffff];
  const disagreements = [];
  for (const cp of points) {
    const ch = String.fromCodePoint(cp);
    for (const method of ['GET', 'POST']) {
      const overrides = { timestamp: '2020-01-01T00:00:00Z', nonce: 'n' + ch };
      const config = { accessKeyId: 'id' + ch, accessKeySecret: 'secret' + ch, securityToken: 'tok' + ch, method };
      const request = { tid: 1, dagId: 2n, dagInstanceId: '3', dagVersion: 'v' + ch };
      const params = {
        AccessKeyId: 'id' + ch, Action: 'ReRunTaskFlowInstance', Version: '2018-11-01', Format: 'JSON',
        SignatureMethod: 'HMAC-SHA1', SignatureVersion: '1.0', SignatureNonce: 'n' + ch, Timestamp: '2020-01-01T00:00:00Z',
        SecurityToken: 'tok' + ch, Tid: '1', DagId: '2', DagInstanceId: '3', DagVersion: 'v' + ch,
      };
      const signed = esm.signRerunTaskFlowInstance(config, request, overrides);
      const official = OpenApiUtil.getRPCSignature(params, method, 'secret' + ch);
      const documented = hmacSha1Base64('secret' + ch, method + '&%2F&' + enc(canonicalOf(params)));
      if (signed.signature !== official || signed.signature !== documented || official !== documented) {
        disagreements.push(`U+${cp.toString(16).toUpperCase().padStart(4, '0')} ${method}: package ${signed.signature}, official ${official}, documented ${documented}`);
      }
      const encoded = signed.canonicalQuery.match(/DagVersion=([^&]*)/)[1];
      if (encoded !== enc('v' + ch)) disagreements.push(`U+${cp.toString(16)} encoded as ${encoded}, documented ${enc('v' + ch)}`);
    }
  }
  assert.deepEqual(disagreements, []);
});

test('the same overrides give byte-identical output, through import and require', () => {
  const config = { accessKeyId: 'LTAI!*()', accessKeySecret: 's3cr3t/+=', securityToken: 'CAIS+/==', method: 'GET' };
  const request = { tid: 9223372036854775807n, dagId: '9223372036854775807', dagInstanceId: Number.MAX_SAFE_INTEGER, dagVersion: "中文 😀 !'()*" };
  const overrides = { timestamp: '2026-11-30T02:13:57Z', nonce: 'fixed nonce ~' };
  const first = esm.signRerunTaskFlowInstance(config, request, overrides);
  for (let i = 0; i < 5; i++) {
    assert.deepEqual(esm.signRerunTaskFlowInstance(config, request, overrides), first);
    assert.deepEqual(cjs.signRerunTaskFlowInstance(config, request, { ...overrides }), first);
  }
  // The caller's objects are not modified.
  assert.deepEqual(overrides, { timestamp: '2026-11-30T02:13:57Z', nonce: 'fixed nonce ~' });
});

test('without overrides: a fresh nonce each call and the current UTC time', () => {
  const config = { accessKeyId: 'id', accessKeySecret: 'secret' };
  const request = { dagId: 1, dagInstanceId: 2, dagVersion: '3' };
  const nonces = new Set();
  const N = 50;
  for (let i = 0; i < N; i++) {
    const before = Date.now();
    const signed = (i % 2 ? cjs : esm).signRerunTaskFlowInstance(config, request);
    const after = Date.now();
    const params = parseQueryExactly(signed.url.slice(signed.url.indexOf('?') + 1));
    assert.match(params.Timestamp, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    const at = Date.parse(params.Timestamp);
    // Whole seconds, so up to 1 s before `before`; 2 s of slack either side.
    assert.ok(at >= before - 3000 && at <= after + 2000, `timestamp ${params.Timestamp} is not the current time`);
    assert.ok(params.SignatureNonce.length >= 16, `nonce too short: ${params.SignatureNonce}`);
    nonces.add(params.SignatureNonce);
    const { Signature, ...signedParams } = params;
    assert.equal(Signature, OpenApiUtil.getRPCSignature(signedParams, 'POST', 'secret'));
  }
  assert.equal(nonces.size, N, 'nonces repeat');

  // Overriding one leaves the other live.
  const onlyTs = esm.signRerunTaskFlowInstance(config, request, { timestamp: '2001-01-01T00:00:00Z' });
  const onlyTs2 = esm.signRerunTaskFlowInstance(config, request, { timestamp: '2001-01-01T00:00:00Z' });
  assert.notEqual(onlyTs.url, onlyTs2.url);
  assert.match(onlyTs.url, /&Timestamp=2001-01-01T00%3A00%3A00Z&/);
  const onlyNonce = esm.signRerunTaskFlowInstance(config, request, { nonce: 'n-1' });
  const ts = parseQueryExactly(onlyNonce.canonicalQuery).Timestamp;
  assert.ok(Math.abs(Date.parse(ts) - Date.now()) < 2 * 60_000, ts);
  assert.equal(parseQueryExactly(onlyNonce.canonicalQuery).SignatureNonce, 'n-1');
});

test('vector files: each agrees with the official signer, node:crypto and (for ours) the package', () => {
  const dir = join(repoRoot, 'tests/vectors');
  let count = 0;
  let ours = 0;
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.json')).sort()) {
    const text = readFileSync(join(dir, name), 'utf8');
    const data = JSON.parse(text);
    for (const [i, v] of (Array.isArray(data) ? data : [data]).entries()) {
      const where = `${name}[${i}] (${v.source})`;
      assert.equal(OpenApiUtil.getRPCSignature(v.params, v.method, v.secret), v.signature, where);
      const toSign = v.method + '&%2F&' + enc(canonicalOf(v.params));
      if (v.string_to_sign !== undefined) assert.equal(v.string_to_sign, toSign, where);
      assert.equal(hmacSha1Base64(v.secret, toSign), v.signature, where);
      const p = v.params;
      const config = { accessKeyId: p.AccessKeyId, accessKeySecret: v.secret, method: v.method, securityToken: p.SecurityToken };
      const overrides = { timestamp: p.Timestamp, nonce: p.SignatureNonce };
      let signed;
      if (p.Action === 'ReRunTaskFlowInstance') {
        const request = { tid: p.Tid, dagId: p.DagId, dagInstanceId: p.DagInstanceId, dagVersion: p.DagVersion };
        signed = esm.signRerunTaskFlowInstance(config, request, overrides);
      } else if (p.Action === 'ListTaskFlowInstance') {
        signed = esm.signListTaskFlowInstances(config, listQueryOf(p), overrides);
      }
      if (signed) {
        assert.equal(signed.signature, v.signature, where);
        assert.equal(signed.stringToSign, toSign, where);
        assert.deepEqual({ ...parseQueryExactly(signed.canonicalQuery) }, v.params, where);
        ours++;
      }
      count++;
    }
    if (name.startsWith('official-')) {
      assert.ok(text.endsWith('\n') && text === JSON.stringify(data, null, 2) + '\n', `${name} is not pretty-printed`);
    }
  }
  assert.ok(count >= 70, `only ${count} vectors`);
  assert.ok(ours >= 70, `only ${ours} vectors signed through the package`);
});

test('the official-signer vector files are exactly what scripts/gen-vectors.mjs produces', () => {
  const files = renderVectors();
  assert.deepEqual(files.map(([file]) => file.slice(repoRoot.length).replace(/^\//, '')), ['tests/vectors/official-generated.json', 'tests/vectors/official-list-generated.json']);
  for (const [file, text] of files) {
    assert.equal(readFileSync(file, 'utf8'), text, `${file} is stale: run node scripts/gen-vectors.mjs`);
  }
});
