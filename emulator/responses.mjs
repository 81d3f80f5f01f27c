/**
 * What the gateway puts on the wire: request ids, the JSON error envelope,
 * CORS headers and the low-level response writer shared by every path.
 */
import { randomUUID } from 'node:crypto';

export const HOST_ID = 'dms-enterprise.aliyuncs.com';
export const JSON_TYPE = 'application/json;charset=utf-8';

/** Gateway request ids are upper-case UUIDs. */
export function newRequestId() {
  return randomUUID().toUpperCase();
}

/** HTTP status and default message of each gateway error code we emit. */
const GATEWAY_ERRORS = {
  InvalidParameter: [400, 'The specified parameter is not valid.'],
  'InvalidParameter.Format': [400, 'Specified parameter Format is not valid.'],
  InvalidSignatureMethod: [400, 'Specified signature method is not supported.'],
  InvalidSignatureVersion: [400, 'Specified signature version is not supported.'],
  'InvalidAccessKeyId.NotFound': [404, 'Specified access key is not found.'],
  'InvalidTimeStamp.Format': [400, 'Specified time stamp or date value is not well formatted.'],
  'InvalidTimeStamp.Expired': [400, 'Specified time stamp or date value is expired.'],
  SignatureDoesNotMatch: [400, 'Specified signature is not matched with our calculation.'],
  SignatureNonceUsed: [400, 'Specified signature nonce was used already.'],
  'InvalidSecurityToken.Mismatch': [400, 'Specified SecurityToken mismatch with the AccessKey.'],
  'InvalidSecurityToken.Expired': [400, 'Specified SecurityToken is expired.'],
  'InvalidAction.NotFound': [404, 'Specified api is not found, please check your url and method.'],
  InvalidVersion: [400, 'Specified parameter Version is not valid.'],
  UnsupportedHTTPMethod: [400, 'This http method is not supported.'],
  'Throttling.User': [400, 'Request was denied due to user flow control.'],
  'Throttling.Api': [400, 'Request was denied due to api flow control.'],
  InternalError: [500, 'The request processing has failed due to some unknown error, exception or failure.'],
  ServiceUnavailable: [503, 'The request has failed due to a temporary failure of the server.'],
};

/**
 * A gateway failure `{status, code, message}`. Codes not in the table are
 * the parameter-specific ones (`MissingX`, `InvalidParameter.X`): 400.
 */
export function gatewayFailure(code, message, status) {
  const [defaultStatus, defaultMessage] = GATEWAY_ERRORS[code] ?? [400, code];
  return { status: status ?? defaultStatus, code, message: message ?? defaultMessage };
}

/** `MissingX` with the gateway's wording. */
export function missing(name) {
  return gatewayFailure(`Missing${name}`, `${name} is mandatory for this action.`);
}

/** `InvalidParameter.X` for a parameter whose value cannot be accepted. */
export function invalidParameter(name) {
  return gatewayFailure(`InvalidParameter.${name}`, `Specified parameter ${name} is not valid.`);
}

/** The JSON error body of the real gateway. */
export function gatewayErrorBody(requestId, { code, message }) {
  const recommend =
    `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(code)}` +
    `&product=dms-enterprise&requestId=${requestId}`;
  return { RequestId: requestId, HostId: HOST_ID, Code: code, Message: message, Recommend: recommend };
}

/** Headers on every response, so a browser demo page can read them. */
export function corsHeaders() {
  return {
    'access-control-allow-origin': '*',
    'access-control-expose-headers': 'x-acs-request-id, x-acs-retry-after, retry-after, content-length',
  };
}

/**
 * Headers for one answer: CORS (unless `cors: false`), request id and
 * content type, then the caller's overrides (lower-cased; a null value
 * removes the header).
 */
export function answerHeaders({ requestId, contentType = JSON_TYPE, headers = {}, cors = true } = {}) {
  const out = cors ? corsHeaders() : {};
  if (requestId) out['x-acs-request-id'] = requestId;
  if (contentType) out['content-type'] = contentType;
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === null || value === undefined) delete out[name.toLowerCase()];
    else out[name.toLowerCase()] = String(value);
  }
  return out;
}

/** Writes a complete response; `body` is a string/Buffer or a JSON value. */
export function send(res, status, body, options = {}) {
  const payload = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  const headers = answerHeaders(options);
  if (!('content-length' in headers)) headers['content-length'] = String(Buffer.byteLength(payload));
  res.writeHead(status, headers);
  res.end(payload);
}
