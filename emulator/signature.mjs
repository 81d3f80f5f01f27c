/**
 * Alibaba Cloud RPC signature 1.0 (HMAC-SHA1), written from the published
 * algorithm so that the emulator checks clients independently of any SDK.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const UNRESERVED = /^[A-Za-z0-9\-_.~]$/;

/**
 * RFC 3986 percent-encoding as Alibaba specifies it: UTF-8 bytes, only
 * A–Z a–z 0–9 - _ . ~ literal, everything else %XX with upper-case hex
 * (so space → %20, * → %2A, + → %2B, / → %2F).
 */
export function percentEncode(value) {
  let out = '';
  for (const byte of Buffer.from(String(value), 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += UNRESERVED.test(ch) ? ch : '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** Byte-order comparison of two ASCII strings (encoded keys are pure ASCII). */
function byteOrder(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Canonicalized query: every parameter except Signature, keys and values
 * percent-encoded, sorted by encoded key, joined as k=v with '&'.
 * @param {Record<string,string>} params
 */
export function canonicalQuery(params) {
  return Object.entries(params)
    .filter(([key]) => key !== 'Signature')
    .map(([key, value]) => [percentEncode(key), percentEncode(value)])
    .sort((a, b) => byteOrder(a[0], b[0]))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
}

/** StringToSign = METHOD & enc("/") & enc(canonical query). */
export function stringToSign(method, params) {
  return `${method.toUpperCase()}&${percentEncode('/')}&${percentEncode(canonicalQuery(params))}`;
}

/** base64(HMAC-SHA1(secret + "&", StringToSign)). */
export function computeSignature(method, params, secret) {
  const toSign = stringToSign(method, params);
  const signature = createHmac('sha1', `${secret}&`).update(toSign, 'utf8').digest('base64');
  return { signature, stringToSign: toSign };
}

/** Constant-time string equality (length leaks, content does not). */
export function safeEqual(a, b) {
  const left = Buffer.from(String(a), 'utf8');
  const right = Buffer.from(String(b), 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Checks params.Signature against the server's own calculation.
 * Returns the server StringToSign too: the gateway quotes it on mismatch.
 */
export function verifySignature(method, params, secret) {
  const { signature, stringToSign: toSign } = computeSignature(method, params, secret);
  return { ok: safeEqual(signature, params.Signature ?? ''), stringToSign: toSign };
}
