/**
 * Hostile-input differential fuzz. signing-oracle.test.mjs already checks
 * thousands of VALID inputs against Alibaba's signer; this file throws
 * arbitrary JS values at every field (wrong types, lone surrogates, -0,
 * boxed primitives, ids around 2^53 and 2^63, duck-typed signals...) and
 * compares the package with a reference written here from the contract:
 *
 *   valid   → the signature equals @alicloud/openapi-util getRPCSignature
 *   invalid → DmsError InvalidInput naming a field that IS bad: exactly
 *             that field when only one is, one of them when several are
 *             (which one the core reports first is not part of the
 *             contract), nothing sent, and the same code from the signer
 *             and from a real call
 *
 * and that the same instance still signs a fixed vector correctly afterwards.
 *
 *   DMS_FUZZ_SEED=1 DMS_FUZZ_CASES=20000 node --test tests/js/oracle-fuzz.test.mjs
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { importPackage } from '../support/consumer.mjs';
import { prng } from '../support/prng.mjs';

const require = createRequire(import.meta.url);
const OpenApiUtil = require('@alicloud/openapi-util').default;
const { rerunTaskFlowInstance, signRerunTaskFlowInstance, DmsError } = await importPackage();

const SEED = Number(process.env.DMS_FUZZ_SEED ?? 0xf0221) >>> 0;
const CASES = Number(process.env.DMS_FUZZ_CASES ?? 3000);
console.log(`oracle fuzz: seed ${SEED}, ${CASES} signer cases, ${Math.ceil(CASES / 3)} rerun cases`);


const MAX_ID = (1n << 63n) - 1n;
const OMIT = Symbol('omit');
// [value, expectation]: true = valid, false = invalid, or the normalised value.
const v = (value, ok = true) => ({ value, ok });
const bad = (value) => ({ value, ok: false });

/** A valid string: printable, reserved, CJK, astral, controls, even U+FFFD. */
function goodString(r) {
  const parts = ['a', 'Z', '9', '-', '_', '.', '~', ' ', '+', '/', '=', '&', '%', '%20', '*', '\n', '\0', '中', 'é', '😀', '\ufffd', '\u{10ffff}'];
  let s = '';
  for (let n = r.int(1, 12); n > 0; n--) s += r.pick(parts);
  return s;
}

/** Values that are not a usable string. */
const NON_STRINGS = [1, 0, -0, NaN, 1n, true, false, {}, [], ['x'], Symbol('s'), () => 'x', new String('x'), new Date(0)];
function stringField(r, { required }) {
  switch (r.int(0, 9)) {
    case 0:
      return r.chance(0.5) ? v(undefined, !required) : v(null, !required);
    case 1:
      return v(OMIT, !required);
    case 2:
      return bad('');
    case 3:
      // Lone surrogates, and strings over the 4096-byte cap (counted in UTF-8, not UTF-16 units).
      return bad(r.pick(['\ud800', 'a\udc00b', goodString(r) + '\udbff', '\udfff' + goodString(r), 'é'.repeat(2048) + 'a', '😀'.repeat(1025), 'x'.repeat(4097)]));
    case 9:
      // Long but within the cap, even with four of them in one call (16384 bytes in all).
      return r.chance(0.3) ? v('é'.repeat(1500) + goodString(r)) : v(goodString(r));
    case 4:
      return bad(r.pick(NON_STRINGS));
    default:
      return v(goodString(r));
  }
}

/** An id and, when valid, its decimal text. */
function idField(r, { required }) {
  const valid = [
    () => 0, () => -0, () => 1, () => Number.MAX_SAFE_INTEGER, () => r.int(0, 1e9),
    () => 0n, () => MAX_ID, () => BigInt(r.int(0, 1e9)) * 9_000_000_000n,
    () => '0', () => MAX_ID.toString(), () => String(r.int(1, 1e9)),
  ];
  const invalid = [
    -1, 1.5, -0.5, NaN, Infinity, -Infinity, 2 ** 53, 2 ** 63, 1e21, Number.MAX_VALUE,
    -1n, MAX_ID + 1n, 1n << 64n,
    '', '-1', '+7', '07', '00', ' 7', '7 ', '0x1F', '1e3', '7.0', '９', '9223372036854775808', '99999999999999999999',
    true, {}, [], [7], Symbol('id'), new Number(7), Object(7n),
  ];
  switch (r.int(0, 5)) {
    case 0:
      return r.pick([v(undefined, !required), v(null, !required), v(OMIT, !required)]);
    case 1:
    case 2:
      return bad(r.pick(invalid));
    default: {
      const value = r.pick(valid)();
      return { value, ok: true, text: BigInt(value).toString() };
    }
  }
}

const ENDPOINTS_OK = [
  ['http://127.0.0.1:8080', 'http://127.0.0.1:8080'],
  ['HTTPS://DMS.Example.COM/', 'https://dms.example.com'],
  ['http://[::1]:9000', 'http://[::1]:9000'],
  ['https://a-b.c_d.e:65535', 'https://a-b.c_d.e:65535'],
];
const ENDPOINTS_BAD = ['', 'ftp://x', 'http://', 'http://a/b', 'http://a?x=1', 'http://a#f', 'http://u:p@a', 'http://a:0', 'http://a:65536', 'http://a:', 'http://a b', '//a', 'http://a..b', 'http://[::1', 'javascript:alert(1)', 'http://a/\u0000', 'http://ａ.com', 7, {}, new URL('http://a')];
const REGIONS_OK = ['cn-hangzhou', 'ap-southeast-1', 'x', 'a'.repeat(63)];
const REGIONS_BAD = ['', 'CN-hangzhou', 'cn.hangzhou', '-cn', 'cn-', 'evil.com/', 'a b', 'a'.repeat(64), 'cn_hz', 1];

/** One random signer case and what the reference expects. */
function makeCase(r) {
  const fields = {
    accessKeyId: stringField(r, { required: true }),
    accessKeySecret: stringField(r, { required: true }),
    securityToken: stringField(r, { required: false }),
    regionId: r.chance(0.6) ? v(OMIT) : r.chance(0.7) ? v(r.pick(REGIONS_OK)) : bad(r.pick(REGIONS_BAD)),
    endpoint: r.chance(0.3) ? v(OMIT) : r.chance(0.7) ? (([text, norm]) => ({ value: text, ok: true, norm }))(r.pick(ENDPOINTS_OK)) : bad(r.pick(ENDPOINTS_BAD)),
    method: r.pick([v(OMIT), v(undefined), v(null), v('POST'), v('GET'), v('GET'), bad('post'), bad('PUT'), bad(''), bad(1)]),
    tid: idField(r, { required: false }),
    dagId: idField(r, { required: true }),
    dagInstanceId: idField(r, { required: true }),
    dagVersion: stringField(r, { required: true }),
    timestamp: r.pick([v(OMIT), v('2024-02-29T23:59:59Z'), v('1970-01-01T00:00:00Z'), bad('2024-02-29 23:59:59Z'), bad('2024-13-01T00:00:00Z'), bad(''), bad(1700000000000)]),
    nonce: r.chance(0.4) ? v(goodString(r)) : stringField(r, { required: false }),
  };
  return fields;
}

/** Valid stand-ins, for cases that isolate one field. */
const FALLBACK = {
  accessKeyId: () => v('id'),
  accessKeySecret: () => v('secret'),
  dagVersion: () => v('2'),
  dagId: () => ({ value: 5, ok: true, text: '5' }),
  dagInstanceId: () => ({ value: '6', ok: true, text: '6' }),
};

/**
 * Half the cases keep every field as drawn (several may be bad: the first
 * one must win); the other half make every field but one valid, so each
 * field's own checks are reached as often as the first one's.
 */
function isolate(r, fields) {
  if (r.chance(0.5)) return fields;
  const keep = r.pick(Object.keys(fields));
  for (const [key, field] of Object.entries(fields)) {
    if (key !== keep && !field.ok) fields[key] = FALLBACK[key]?.() ?? v(OMIT);
  }
  return fields;
}

const codeOf = (field) => 'InvalidParameter.' + field[0].toUpperCase() + field.slice(1);

function build(fields, keys) {
  const out = {};
  for (const key of keys) if (fields[key].value !== OMIT) out[key] = fields[key].value;
  return out;
}

const CONFIG_KEYS = ['accessKeyId', 'accessKeySecret', 'securityToken', 'regionId', 'endpoint', 'method'];
const TRANSPORT_KEYS = ['timeoutMs', 'maxRetries', 'signal', 'fetch'];
const RERUN_KEYS = ['tid', 'dagId', 'dagInstanceId', 'dagVersion'];

/** `error` is an InvalidInput DmsError naming one of the bad fields (the only one, when one is bad). */
function assertNamesABadField(error, codes, where) {
  assert.ok(error instanceof DmsError, `${where}: expected one of ${codes}, got ${error ?? 'no error'}`);
  assert.equal(error.kind, 'InvalidInput', where);
  if (codes.length === 1) assert.equal(error.code, codes[0], where);
  else assert.ok(codes.includes(error.code), `${where}: ${error.code} names a valid field (bad: ${codes})`);
}

/**
 * The reference: the codes the core may report (one per bad field among
 * `keys`), or, with every field valid, the exact signed parameters.
 */
function expected(fields, keys) {
  const codes = keys.filter((key) => !fields[key].ok).map(codeOf);
  if (codes.length > 0) return { codes };
  const given = (key) => fields[key].value !== OMIT && fields[key].value !== undefined && fields[key].value !== null;
  let origin = 'https://dms-enterprise.aliyuncs.com';
  if (given('endpoint')) origin = fields.endpoint.norm;
  else if (given('regionId')) origin = `https://dms-enterprise.${fields.regionId.value}.aliyuncs.com`;
  const params = {
    AccessKeyId: fields.accessKeyId.value,
    Action: 'ReRunTaskFlowInstance',
    Version: '2018-11-01',
    Format: 'JSON',
    SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0',
    DagId: fields.dagId.text,
    DagInstanceId: fields.dagInstanceId.text,
    DagVersion: fields.dagVersion.value,
  };
  if (given('securityToken')) params.SecurityToken = fields.securityToken.value;
  if (given('tid')) params.Tid = fields.tid.text;
  return { params, origin, method: given('method') ? fields.method.value : 'POST', secret: fields.accessKeySecret.value };
}

function describe(fields) {
  const json = (x) => {
    try {
      return JSON.stringify(x) ?? String(x);
    } catch {
      return Object.prototype.toString.call(x);
    }
  };
  const show = (x) => (typeof x === 'bigint' ? `${x}n` : typeof x === 'symbol' ? x.toString() : typeof x === 'function' ? 'fn' : Object.is(x, -0) ? '-0' : x === OMIT ? '(omitted)' : json(x));
  return Object.entries(fields).map(([k, f]) => `${k}=${show(f.value)}${f.ok ? '' : '✗'}`).join(' ');
}

/** Parses the query the package built (keys and values percent-decoded exactly). */
function queryOf(url) {
  const out = {};
  for (const pair of url.slice(url.indexOf('?') + 1).split('&')) {
    const at = pair.indexOf('=');
    out[decodeURIComponent(pair.slice(0, at))] = decodeURIComponent(pair.slice(at + 1));
  }
  return out;
}

/** Same fixed vector before and after: the instance was not left broken. */
const FIXED = [
  { accessKeyId: 'id', accessKeySecret: 'secret' },
  { dagId: 1n, dagInstanceId: '2', dagVersion: 'v' },
  { timestamp: '2020-01-01T00:00:00Z', nonce: 'n' },
];
const FIXED_SIGNATURE = signRerunTaskFlowInstance(...FIXED).signature;

test(`${CASES} hostile signer inputs agree with the reference and the official signer`, (t) => {
  const r = prng(SEED);
  const tally = { valid: 0, invalid: 0, byCode: {} };
  for (let i = 0; i < CASES; i++) {
    const fields = isolate(r, makeCase(r));
    const want = expected(fields, [...CONFIG_KEYS, ...RERUN_KEYS, 'timestamp', 'nonce']);
    const config = build(fields, ['accessKeyId', 'accessKeySecret', 'securityToken', 'regionId', 'endpoint', 'method']);
    const request = build(fields, ['tid', 'dagId', 'dagInstanceId', 'dagVersion']);
    const overrides = build(fields, ['timestamp', 'nonce']);
    const where = `[seed ${SEED} case ${i}] ${describe(fields)}`;
    let signed;
    let error;
    try {
      signed = signRerunTaskFlowInstance(config, request, overrides);
    } catch (err) {
      error = err;
    }
    if (want.codes) {
      tally.invalid++;
      assertNamesABadField(error, want.codes, where);
      tally.byCode[error.code] = (tally.byCode[error.code] ?? 0) + 1;
      const secret = fields.accessKeySecret.value;
      if (typeof secret === 'string' && secret.length >= 8) assert.ok(!error.message.includes(secret), `${where}: secret in message`);
    } else {
      tally.valid++;
      assert.equal(error, undefined, `${where}: ${error?.code} ${error?.message}`);
      const query = queryOf(signed.url);
      const params = { ...want.params, SignatureNonce: query.SignatureNonce, Timestamp: query.Timestamp };
      if (fields.nonce.value !== OMIT && fields.nonce.value != null) assert.equal(query.SignatureNonce, fields.nonce.value, where);
      if (fields.timestamp.value !== OMIT) assert.equal(query.Timestamp, fields.timestamp.value, where);
      assert.equal(signed.method, want.method, where);
      assert.ok(signed.url.startsWith(want.origin + '/?'), `${where}: url ${signed.url.slice(0, 60)}`);
      const { Signature, ...sent } = query;
      assert.deepEqual(sent, params, where);
      assert.equal(signed.signature, OpenApiUtil.getRPCSignature(params, want.method, want.secret), `${where}: differs from the official signer`);
      assert.equal(Signature, signed.signature, where);
    }
    if (i % 50 === 0) assert.equal(signRerunTaskFlowInstance(...FIXED).signature, FIXED_SIGNATURE, `${where}: instance broken after this case`);
  }
  t.diagnostic(`${tally.valid} valid, ${tally.invalid} invalid: ${JSON.stringify(tally.byCode)}`);
  assert.ok(tally.valid >= CASES / 10 && tally.invalid >= CASES / 3, JSON.stringify(tally));
  assert.ok(Object.values(tally.byCode).every((n) => n >= CASES / 300) && Object.keys(tally.byCode).length === 12, `codes hit: ${JSON.stringify(tally.byCode)}`);
  assert.equal(signRerunTaskFlowInstance(...FIXED).signature, FIXED_SIGNATURE);
});

/** Transport options: only a real call uses them, but the signer validates them too. */
function transportFields(r, fakeFetch) {
  const duckSignal = { aborted: false, addEventListener() {}, removeEventListener() {} };
  return {
    timeoutMs: r.pick([v(OMIT), v(undefined), v(0), v(1000), v(2147483647), bad(-1), bad(1.5), bad(2147483648), bad(NaN), bad('100'), bad(1n)]),
    maxRetries: r.pick([v(OMIT), v(null), v(0), v(2), v(10), bad(11), bad(-1), bad(0.5), bad('2')]),
    signal: r.pick([v(OMIT), v(null), v(new AbortController().signal), v(duckSignal), { value: AbortSignal.abort(), ok: true, aborted: true }, bad({}), bad('signal'), bad({ aborted: false }), bad({ aborted: 'no', addEventListener() {} })]),
    fetch: r.pick([v(fakeFetch), v(fakeFetch), v(OMIT), bad('fetch'), bad({}), bad(1)]),
  };
}

test(`${Math.ceil(CASES / 3)} hostile rerun inputs: the right InvalidInput code and nothing sent, or exactly one signed request`, async (t) => {
  const r = prng(SEED ^ 0x5a5a5a5a);
  const sent = [];
  const fakeFetch = async (url, init) => {
    sent.push({ url, method: init.method });
    return new Response('{"RequestId":"FUZZ","Success":true}', { status: 200 });
  };
  // An omitted `fetch` means the global one: make that a fake too, so nothing leaves the process.
  const realFetch = globalThis.fetch;
  globalThis.fetch = fakeFetch;
  const tally = { resolved: 0, invalid: 0, aborted: 0 };
  try {
    for (let i = 0; i < Math.ceil(CASES / 3); i++) {
      const { timestamp: _t, nonce: _n, ...target } = makeCase(r);
      const fields = isolate(r, { ...target, ...transportFields(r, fakeFetch) });
      const want = expected(fields, [...CONFIG_KEYS, ...TRANSPORT_KEYS, ...RERUN_KEYS]);
      const config = build(fields, ['accessKeyId', 'accessKeySecret', 'securityToken', 'regionId', 'endpoint', 'method', 'timeoutMs', 'maxRetries', 'signal', 'fetch']);
      const request = build(fields, ['tid', 'dagId', 'dagInstanceId', 'dagVersion']);
      const where = `[seed ${SEED ^ 0x5a5a5a5a} rerun case ${i}] ${describe(fields)}`;
      const before = sent.length;
      let result;
      let error;
      try {
        result = await rerunTaskFlowInstance(config, request);
      } catch (err) {
        error = err;
      }
      if (want.codes) {
        tally.invalid++;
        assertNamesABadField(error, want.codes, where);
        // The signer refuses the same input with the same code.
        let signerError;
        try {
          signRerunTaskFlowInstance(config, request);
        } catch (err) {
          signerError = err;
        }
        assert.equal(signerError?.code, error.code, `${where}: the signer said ${signerError?.code}`);
        assert.equal(sent.length, before, `${where}: a request was sent`);
      } else if (fields.signal.aborted) {
        tally.aborted++;
        assert.ok(error instanceof DmsError, `${where}: expected Aborted, got ${error ?? JSON.stringify(result)}`);
        assert.deepEqual([error.kind, error.code], ['Aborted', 'Aborted'], where);
        assert.equal(sent.length, before, `${where}: a request was sent`);
      } else {
        tally.resolved++;
        assert.equal(error, undefined, `${where}: ${error?.code} ${error?.message}`);
        assert.deepEqual(result, { requestId: 'FUZZ', success: true }, where);
        assert.equal(sent.length, before + 1, where);
        const { url, method } = sent.at(-1);
        assert.equal(method, want.method, where);
        assert.ok(url.startsWith(want.origin + '/?'), where);
        const { Signature, SignatureNonce, Timestamp, ...rest } = queryOf(url);
        assert.deepEqual(rest, want.params, where);
        assert.equal(Signature, OpenApiUtil.getRPCSignature({ ...want.params, SignatureNonce, Timestamp }, want.method, want.secret), where);
      }
    }
  } finally {
    globalThis.fetch = realFetch;
  }
  t.diagnostic(JSON.stringify(tally));
  assert.ok(tally.resolved >= CASES / 30 && tally.invalid >= CASES / 10 && tally.aborted >= 2, JSON.stringify(tally));
  assert.equal(signRerunTaskFlowInstance(...FIXED).signature, FIXED_SIGNATURE);
});
