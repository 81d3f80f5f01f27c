/**
 * Test client for the emulator: builds and signs requests with Alibaba's own
 * signer (@alicloud/openapi-util), so the emulator is checked against the
 * reference implementation, not against itself. Not a test file.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { DEMO_KEY } from '../../emulator/data.mjs';

const require = createRequire(import.meta.url);
export const OpenApiUtil = require('@alicloud/openapi-util').default;

/** ISO-8601 UTC without milliseconds, as Alibaba wants it. */
export function timestamp(offsetMs = 0) {
  return new Date(Date.now() + offsetMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** RFC 3986 encoding for building the wire query (independent of the emulator's encoder). */
export function rfc3986(value) {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

export function toQuery(params) {
  return Object.entries(params)
    .map(([k, v]) => `${rfc3986(k)}=${rfc3986(v)}`)
    .join('&');
}

/** The common parameters of one call of `action`, fresh nonce and time. */
export function common(action, key = DEMO_KEY) {
  return {
    AccessKeyId: key.accessKeyId,
    Action: action,
    Version: '2018-11-01',
    Format: 'JSON',
    SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0',
    SignatureNonce: crypto.randomUUID(),
    Timestamp: timestamp(),
  };
}

/** Signs `params` in place (Signature added) for `method` with `key`'s secret. */
function sign(params, method, key, omit) {
  for (const name of omit) delete params[name];
  params.Signature = OpenApiUtil.getRPCSignature(params, method, key.accessKeySecret);
  return params;
}

/** Common + operation params for a rerun of DagId 7 / instance 47, signed for `method`. */
export function signed(overrides = {}, { key = DEMO_KEY, method = 'GET', omit = [] } = {}) {
  return sign({ ...common('ReRunTaskFlowInstance', key), DagId: '7', DagInstanceId: '47', DagVersion: '2', ...overrides }, method, key, omit);
}

/** A signed ListTaskFlowInstance of DagId 7, page 1 of 20, plus `overrides` (POST by default, as the SDK sends it). */
export function signedList(overrides = {}, { key = DEMO_KEY, method = 'POST', omit = [] } = {}) {
  return sign({ ...common('ListTaskFlowInstance', key), DagId: '7', PageIndex: '1', PageSize: '20', ...overrides }, method, key, omit);
}

/** Sends `params` in the query string; `json` is JSON.parse of the body (ids above 2^53 rounded: use `text` for them). */
export async function call(emu, params, { method = 'GET', headers, body } = {}) {
  const res = await fetch(`${emu.url}/?${toQuery(params)}`, { method, headers, body });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { res, status: res.status, text, json };
}

/** A signed POST list call with the parameters in the query, like the official SDK. */
export function list(emu, overrides = {}, options = {}) {
  return call(emu, signedList(overrides, options), { method: options.method ?? 'POST' });
}

export function assertGatewayError(reply, status, code) {
  assert.equal(reply.status, status, reply.text);
  assert.equal(reply.res.headers.get('content-type'), 'application/json;charset=utf-8');
  const { RequestId, HostId, Code, Message, Recommend } = reply.json;
  assert.equal(Code, code);
  assert.match(RequestId, /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/);
  assert.equal(reply.res.headers.get('x-acs-request-id'), RequestId);
  assert.equal(HostId, 'dms-enterprise.aliyuncs.com');
  assert.ok(Message.length > 0);
  assert.equal(
    Recommend,
    `https://api.aliyun.com/troubleshoot?q=${code}&product=dms-enterprise&requestId=${RequestId}`,
  );
}

export async function waitFor(predicate, timeoutMs = 2000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * JSON.parse of a list answer with the Long fields kept exact: their bare
 * digits are quoted first (the test's own reading, independent of the
 * emulator's writer). Use only on emulator answers, whose strings never hold
 * `"Id":<digits>`.
 */
export function parseExact(text) {
  return JSON.parse(text.replace(/"(Id|DagId|HistoryDagId)":(-?\d+)/g, '"$1":"$2"'));
}

/** The records of a list answer (ids exact), [] when the list is empty. */
export function recordsOf(reply) {
  return parseExact(reply.text).DAGInstanceList.DAGInstance;
}

/** The ids of a list answer, as strings, in answer order. */
export function idsOf(reply) {
  return recordsOf(reply).map((r) => r.Id);
}
