// A Cloudflare Worker that reruns DMS task flow instances for callers holding
// PROXY_TOKEN, so the Alibaba Cloud AccessKey stays in Worker secrets and
// never reaches a browser.
//
//   POST /rerun   Authorization: Bearer <PROXY_TOKEN>
//                 {"dagId":"7","dagInstanceId":"47","dagVersion":"2","tid":"1"}   (tid optional)
//   → 200 {"requestId":"…","success":true}
//   → 4xx/5xx {"error":{"kind","code","message","requestId","httpStatus"}}
//
// Secrets: ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET,
//          ALIBABA_CLOUD_SECURITY_TOKEN (optional), PROXY_TOKEN.
// Vars (optional): DMS_REGION_ID, DMS_ENDPOINT, DMS_TIMEOUT_MS, DMS_MAX_RETRIES,
//          ALLOWED_ORIGIN (comma-separated origins, or *).
import { rerunTaskFlowInstance, DmsError } from 'dms-rerun';

const MAX_BODY_BYTES = 4096;
const FIELDS = new Set(['dagId', 'dagInstanceId', 'dagVersion', 'tid']);
// InvalidInput on these is the caller's fault (400); on anything else it is ours (500).
const REQUEST_CODES = new Set(['InvalidParameter.DagId', 'InvalidParameter.DagInstanceId', 'InvalidParameter.DagVersion', 'InvalidParameter.Tid']);

export default {
  async fetch(request, env) {
    const cors = corsHeaders(request, env);
    const { pathname } = new URL(request.url);
    if (pathname !== '/rerun') return fail(404, 'Proxy', 'NotFound', 'only POST /rerun exists', cors);
    if (request.method === 'OPTIONS') return new Response(null, { status: 204, headers: { ...cors, Allow: 'POST, OPTIONS' } });
    if (request.method !== 'POST') return fail(405, 'Proxy', 'MethodNotAllowed', 'use POST', { ...cors, Allow: 'POST, OPTIONS' });

    // Refuse to run open: no token configured means nobody may call.
    if (!env.PROXY_TOKEN || env.PROXY_TOKEN.length < 16) {
      return fail(500, 'Proxy', 'NotConfigured', 'PROXY_TOKEN is not set (or shorter than 16 characters)', cors);
    }
    const presented = /^Bearer +(\S+)$/i.exec(request.headers.get('Authorization') ?? '')?.[1] ?? '';
    if (!(await sameSecret(presented, env.PROXY_TOKEN))) {
      return fail(401, 'Proxy', 'Unauthorized', 'missing or wrong bearer token', { ...cors, 'WWW-Authenticate': 'Bearer' });
    }

    const body = await readJson(request);
    if (body.error) return fail(body.status, 'InvalidInput', body.code, body.error, cors);

    try {
      const result = await rerunTaskFlowInstance(dmsConfig(env), body.value);
      return json(200, result, cors);
    } catch (err) {
      if (!(err instanceof DmsError)) throw err; // a bug: let the runtime log it and answer 500
      const { kind, code, message, requestId, httpStatus } = err;
      return json(statusFor(err), { error: { kind, code, message, requestId, httpStatus } }, cors);
    }
  },
};

/** The library's configuration from the Worker's secrets and vars. */
function dmsConfig(env) {
  // Missing AccessKey secrets surface as InvalidInput on the config (→ 500).
  const config = { accessKeyId: env.ALIBABA_CLOUD_ACCESS_KEY_ID, accessKeySecret: env.ALIBABA_CLOUD_ACCESS_KEY_SECRET };
  if (env.ALIBABA_CLOUD_SECURITY_TOKEN) config.securityToken = env.ALIBABA_CLOUD_SECURITY_TOKEN;
  if (env.DMS_ENDPOINT) config.endpoint = env.DMS_ENDPOINT;
  else if (env.DMS_REGION_ID) config.regionId = env.DMS_REGION_ID;
  // Vars may be strings or numbers; a bad value is rejected by the library (→ 500).
  if (env.DMS_TIMEOUT_MS !== undefined && env.DMS_TIMEOUT_MS !== '') config.timeoutMs = Number(env.DMS_TIMEOUT_MS);
  if (env.DMS_MAX_RETRIES !== undefined && env.DMS_MAX_RETRIES !== '') config.maxRetries = Number(env.DMS_MAX_RETRIES);
  return config;
}

/** HTTP status for a library error. */
function statusFor(err) {
  switch (err.kind) {
    case 'InvalidInput':
      return REQUEST_CODES.has(err.code) ? 400 : 500; // bad ids vs. a misconfigured Worker
    case 'Api':
      if (err.httpStatus === 200) return 422; // DMS understood and refused (InstanceNotExist, …)
      if (err.code.startsWith('Throttling')) return 429;
      return err.httpStatus === 503 ? 503 : 502; // gateway refused: signature, key, permission…
    case 'Timeout':
      return 504; // the rerun may still have happened
    case 'Aborted':
      return 499; // no signal is passed here; kept so every kind has a status
    default:
      return 502; // Network, InvalidResponse
  }
}

/** The JSON body: an object with known fields only (a typo must not rerun without a tenant). */
async function readJson(request) {
  const bytes = await readAtMost(request, MAX_BODY_BYTES);
  if (bytes === null) return { status: 413, code: 'InvalidParameter.Body', error: `body larger than ${MAX_BODY_BYTES} bytes` };
  let text;
  try {
    // Strict: a bad byte silently turned into U+FFFD would sign and rerun another version.
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { status: 400, code: 'InvalidParameter.Body', error: 'body is not UTF-8' };
  }
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    return { status: 400, code: 'InvalidParameter.Body', error: 'body is not JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { status: 400, code: 'InvalidParameter.Body', error: 'body must be a JSON object' };
  }
  const unknown = Object.keys(value).filter((key) => !FIELDS.has(key));
  if (unknown.length > 0) {
    return { status: 400, code: 'InvalidParameter.Body', error: `unknown field(s) ${unknown.join(', ')}; allowed: ${[...FIELDS].join(', ')}` };
  }
  return { value };
}

/**
 * The body's bytes, or null as soon as there are more than `limit`. Counted as they
 * arrive, whatever Content-Length says: a chunked body has none, and the header may lie
 * low. The rest of a larger body is cancelled, never read.
 */
async function readAtMost(request, limit) {
  // A declared size over the limit is refused without reading anything.
  if (Number(request.headers.get('Content-Length')) > limit) return null;
  if (request.body === null) return new Uint8Array(0);
  let reader;
  try {
    reader = request.body.getReader({ mode: 'byob' });
  } catch {
    // A body workerd did not make (a plain JS stream handed to this handler in the same
    // isolate, by a router Worker or a test) has no BYOB reader: count its chunks instead.
    return readChunks(request.body.getReader(), limit);
  }
  // BYOB fills one buffer of limit + 1 bytes: no read can hand the Worker more than fits,
  // so it never holds more than limit + 1 bytes of a body.
  let buffer = new ArrayBuffer(limit + 1);
  let filled = 0;
  while (filled <= limit) {
    const { done, value } = await reader.read(new Uint8Array(buffer, filled));
    if (done) return new Uint8Array(value?.buffer ?? buffer, 0, filled);
    buffer = value.buffer; // BYOB transfers the buffer on every read
    filled += value.byteLength;
  }
  return tooLarge(reader);
}

async function readChunks(reader, limit) {
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    // What fetch bodies are made of; anything else is the calling code's bug (→ 500).
    if (!(value instanceof Uint8Array)) throw new TypeError('request body chunks must be Uint8Array');
    size += value.byteLength;
    if (size > limit) return tooLarge(reader);
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes;
}

/** Stops the upload; the answer does not wait for the cancellation to finish. */
function tooLarge(reader) {
  reader.cancel('body too large').catch(() => {});
  return null;
}

/** Constant-time comparison: hashing first hides the length, timingSafeEqual the content. */
async function sameSecret(presented, expected) {
  const digest = (s) => crypto.subtle.digest('SHA-256', new TextEncoder().encode(s));
  const [a, b] = await Promise.all([digest(presented), digest(expected)]);
  return crypto.subtle.timingSafeEqual(a, b);
}

/** CORS headers for an allowed Origin (none otherwise: the browser then blocks the page). */
function corsHeaders(request, env) {
  const origin = request.headers.get('Origin');
  const allowed = (env.ALLOWED_ORIGIN ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (!origin || !(allowed.includes('*') || allowed.includes(origin))) return { Vary: 'Origin' };
  return {
    Vary: 'Origin',
    'Access-Control-Allow-Origin': origin,
    'Access-Control-Allow-Methods': 'POST, OPTIONS',
    'Access-Control-Allow-Headers': 'Authorization, Content-Type',
    'Access-Control-Max-Age': '600',
  };
}

function json(status, value, headers) {
  return Response.json(value, { status, headers: { ...headers, 'Cache-Control': 'no-store' } });
}

function fail(status, kind, code, message, headers) {
  return json(status, { error: { kind, code, message } }, headers);
}
