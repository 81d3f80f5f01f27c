/**
 * The gateway's checks on a request to `/`, in the order the real gateway
 * answers them: common parameters, access key, timestamp, signature, nonce,
 * STS token, action/version, then the operation's own parameters (each
 * operation's table row in operations.mjs).
 */
import { verifySignature, safeEqual } from './signature.mjs';
import { gatewayFailure, missing } from './responses.mjs';
import { readParams } from './params.mjs';
import { operationOf } from './operations.mjs';

export { isLong } from './params.mjs';
export const API_VERSION = '2018-11-01';
export const TIMESTAMP_WINDOW_MS = 15 * 60 * 1000;

const REQUIRED_COMMON = [
  'AccessKeyId',
  'Signature',
  'SignatureNonce',
  'Timestamp',
  'SignatureMethod',
  'SignatureVersion',
  'Action',
  'Version',
];

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** A required parameter is absent when missing or empty. */
function absent(params, name) {
  return !Object.hasOwn(params, name) || params[name] === '';
}

/** Parses `YYYY-MM-DDThh:mm:ssZ` strictly (no rollover such as month 13). */
export function parseTimestamp(text) {
  if (!TIMESTAMP.test(text)) return null;
  const ms = Date.parse(text);
  if (Number.isNaN(ms) || new Date(ms).toISOString() !== text.replace('Z', '.000Z')) return null;
  return ms;
}

/**
 * Runs every check. On failure returns `{failure: {status, code, message}}`;
 * on success `{accessKeyId, action, operation}` where `operation` holds the
 * action's parameters by key (operations.mjs), ids as canonical decimal strings.
 * @param {string} method  HTTP method (GET or POST)
 * @param {Record<string,string>} params  all decoded parameters
 * @param {{credentials: Map, nonces: import('./nonces.mjs').NonceStore, now: number}} ctx
 */
export function checkRequest(method, params, { credentials, nonces, now }) {
  // 1. common parameters
  for (const name of REQUIRED_COMMON) {
    if (absent(params, name)) return { failure: missing(name) };
  }
  if (params.SignatureMethod !== 'HMAC-SHA1') return { failure: gatewayFailure('InvalidSignatureMethod') };
  if (params.SignatureVersion !== '1.0') return { failure: gatewayFailure('InvalidSignatureVersion') };
  if (Object.hasOwn(params, 'Format') && params.Format !== 'JSON') {
    return { failure: gatewayFailure('InvalidParameter.Format') };
  }

  // 2. access key
  const key = credentials.get(params.AccessKeyId);
  if (!key) return { failure: gatewayFailure('InvalidAccessKeyId.NotFound') };

  // 3. timestamp
  const sentAt = parseTimestamp(params.Timestamp);
  if (sentAt === null) return { failure: gatewayFailure('InvalidTimeStamp.Format') };
  if (Math.abs(now - sentAt) > TIMESTAMP_WINDOW_MS) return { failure: gatewayFailure('InvalidTimeStamp.Expired') };

  // 4. signature
  const { ok, stringToSign } = verifySignature(method, params, key.accessKeySecret);
  if (!ok) {
    const message =
      'Specified signature is not matched with our calculation. server string to sign is:' + stringToSign;
    return { failure: gatewayFailure('SignatureDoesNotMatch', message) };
  }

  // 5. nonce replay (recorded only now that the signature is proven)
  if (nonces.has(key.accessKeyId, params.SignatureNonce, now)) {
    return { failure: gatewayFailure('SignatureNonceUsed') };
  }
  nonces.add(key.accessKeyId, params.SignatureNonce, now);

  // 6. STS: temporary keys need their token; permanent keys ignore one
  if (key.securityToken !== undefined) {
    if (key.expired) return { failure: gatewayFailure('InvalidSecurityToken.Expired') };
    if (!safeEqual(params.SecurityToken ?? '', key.securityToken)) {
      return { failure: gatewayFailure('InvalidSecurityToken.Mismatch') };
    }
  }

  // 7. action and version
  const operation = operationOf(params.Action);
  if (!operation) return { failure: gatewayFailure('InvalidAction.NotFound') };
  if (params.Version !== API_VERSION) return { failure: gatewayFailure('InvalidVersion') };

  // 8. operation parameters
  const read = readParams(params, operation.params);
  if (read.failure) return read;
  return { accessKeyId: key.accessKeyId, action: params.Action, operation: read.values };
}
