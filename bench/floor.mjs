// The floor of a correct call, in plain JS: what any client must do for one
// ReRunTaskFlowInstance, written the straightforward way with Node's own
// crypto. Each call signs afresh (new timestamp and a CSPRNG nonce: the
// gateway refuses a replayed nonce) and can be cut off (AbortController +
// timer: a hung server must not hold the call). It sends exactly what
// `rerunTaskFlowInstance` sends (same method, same parameters in the query
// string); bench/calls.mjs checks that against our signer and the emulator.
import { createHmac, randomUUID } from 'node:crypto';

const API_VERSION = '2018-11-01';

/** RFC 3986 as Alibaba's RPC signature wants it: encodeURIComponent plus ! ' ( ) *. */
export function percentEncode(value) {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

/** `YYYY-MM-DDThh:mm:ssZ`, UTC, no milliseconds. */
export function rpcTimestamp(date = new Date()) {
  return date.toISOString().slice(0, 19) + 'Z';
}

/**
 * RPC signature 1.0 of `params` (wire names → values, no Signature): sorted
 * by encoded key, `k=v` joined with `&`, StringToSign = METHOD&%2F&enc(query),
 * base64(HMAC-SHA1(secret + '&')). Returns the canonical query, the string
 * to sign and the signature.
 */
export function signRpc(method, params, secret) {
  const pairs = [];
  for (const key of Object.keys(params)) {
    const value = params[key];
    if (value !== undefined) pairs.push([percentEncode(key), percentEncode(String(value))]);
  }
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  let canonicalQuery = '';
  for (const [k, v] of pairs) canonicalQuery += (canonicalQuery ? '&' : '') + k + '=' + v;
  const stringToSign = `${method}&%2F&${percentEncode(canonicalQuery)}`;
  const signature = createHmac('sha1', secret + '&').update(stringToSign).digest('base64');
  return { canonicalQuery, stringToSign, signature };
}

/**
 * The signed request for one rerun: `{method, url, canonicalQuery,
 * stringToSign, signature}`. `fixed` ({timestamp, nonce}) only for the
 * equality check; calls leave it out and get fresh values.
 */
export function floorSign(config, request, fixed) {
  const method = 'POST';
  const params = {
    AccessKeyId: config.accessKeyId,
    Action: 'ReRunTaskFlowInstance',
    DagId: request.dagId,
    DagInstanceId: request.dagInstanceId,
    DagVersion: request.dagVersion,
    Format: 'JSON',
    SecurityToken: config.securityToken,
    SignatureMethod: 'HMAC-SHA1',
    SignatureNonce: fixed ? fixed.nonce : randomUUID(),
    SignatureVersion: '1.0',
    Tid: request.tid,
    Timestamp: fixed ? fixed.timestamp : rpcTimestamp(),
    Version: API_VERSION,
  };
  const signed = signRpc(method, params, config.accessKeySecret);
  const url = `${config.endpoint}/?${signed.canonicalQuery}&Signature=${percentEncode(signed.signature)}`;
  return { method, url, ...signed };
}

/**
 * One correct call: fresh signature, cancellable by a `timeoutMs` timer,
 * answer parsed and checked. Resolves `{requestId}`; throws on anything but
 * `Success: true`.
 */
export async function floorCall(config, request, timeoutMs = 10_000) {
  const { method, url } = floorSign(config, request);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const res = await fetch(url, { method, signal: controller.signal });
    const body = await res.json();
    if (body.Success !== true) throw new Error(`floor call failed: ${res.status} ${body.Code ?? body.ErrorCode ?? ''}`);
    return { requestId: body.RequestId };
  } finally {
    clearTimeout(timer);
  }
}
