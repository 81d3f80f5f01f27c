// Client of the Worker proxy (examples/worker/): POST <ProxyUrl>/rerun with a
// bearer token, so the page holds a token it can rotate, never the AccessKey.
// No DOM here: it returns what happened and the page decides how to show it.
//
// The Worker offers exactly one route, POST /rerun. There is no listing
// through it: the page's "Find failed runs" panel says so instead of
// inventing an endpoint.

/** The Worker has its own DMS budget (DMS_TIMEOUT_MS, 10 s by default), so wait longer than that. */
export const PROXY_TIMEOUT_MS = 30_000;

/**
 * A refusal in the page, before anything is sent. Its codes are the proxy
 * client's own (the package has no ProxyUrl or ProxyToken field).
 */
export class ProxyInputError extends Error {
  constructor(code, message) {
    super(message);
    this.name = 'ProxyInputError';
    this.code = code;
  }
}

const BAD_URL = 'InvalidParameter.ProxyUrl';
const BAD_TOKEN = 'InvalidParameter.ProxyToken';

const isLoopback = (host) => host === 'localhost' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);

/** `<ProxyUrl>/rerun`, or a ProxyInputError saying what is wrong with the field. */
export function proxyTarget(raw) {
  const text = raw.trim();
  let url;
  try {
    url = new URL(text.includes('://') ? text : `https://${text}`);
  } catch {
    throw new ProxyInputError(BAD_URL, 'ProxyUrl is not a URL (e.g. https://dms-rerun-proxy.example.workers.dev)');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ProxyInputError(BAD_URL, 'ProxyUrl must start with https://');
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
    throw new ProxyInputError(BAD_URL, 'ProxyUrl must use https (plain http only for localhost): the token would travel in clear text');
  }
  if (url.username || url.password) throw new ProxyInputError(BAD_URL, 'ProxyUrl must not contain a user name or password');
  if (url.search || url.hash) throw new ProxyInputError(BAD_URL, 'ProxyUrl must not have a query (?) or fragment (#)');
  const path = url.pathname.replace(/\/+$/, '');
  url.pathname = path.endsWith('/rerun') ? path : `${path}/rerun`;
  return url.href;
}

/** The token as typed minus surrounding whitespace; it must fit an HTTP header as is. */
export function proxyToken(raw) {
  const token = raw.trim();
  if (token === '') throw new ProxyInputError(BAD_TOKEN, 'ProxyToken is empty: paste the Worker\u2019s PROXY_TOKEN');
  if (!/^[\x21-\x7e]+$/.test(token)) throw new ProxyInputError(BAD_TOKEN, 'ProxyToken must be printable ASCII without spaces');
  return token;
}

/**
 * POSTs `request` ({dagId, dagInstanceId, dagVersion, tid?}, ids as strings)
 * to the Worker. Never throws for an expected failure; resolves with one of
 *
 *   {type: 'refused',    code, message}                          nothing sent (bad ProxyUrl/ProxyToken)
 *   {type: 'accepted',   requestId, target}                      the Worker's 200
 *   {type: 'failed',     status, error: {kind, code, message, requestId?, httpStatus?}, target}
 *   {type: 'unreachable', timedOut, timeoutMs, detail, status?, target}  no answer read (CORS, refused, timeout)
 *   {type: 'unexpected', status, contentType, body, target}      an answer that is not the Worker's
 *
 * The token goes only into the Authorization header: every string in the
 * result has it replaced by `[ProxyToken]`, in case a server echoed it.
 */
export async function rerunViaProxy({ proxyUrl, token: rawToken, request, timeoutMs = PROXY_TIMEOUT_MS }) {
  let target;
  let token;
  try {
    target = proxyTarget(proxyUrl);
    token = proxyToken(rawToken);
  } catch (error) {
    if (!(error instanceof ProxyInputError)) throw error;
    return { type: 'refused', code: error.code, message: error.message };
  }
  const redact = (value) => (typeof value === 'string' ? value.split(token).join('[ProxyToken]') : value);

  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), timeoutMs);
  let response;
  let text;
  try {
    response = await fetch(target, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(request),
      cache: 'no-store',
      credentials: 'omit', // the token is the only credential; no cookies to a third-party Worker
      referrerPolicy: 'no-referrer',
      signal: timeout.signal,
    });
    text = await response.text();
  } catch (error) {
    return {
      type: 'unreachable',
      timedOut: timeout.signal.aborted,
      timeoutMs,
      detail: redact(`${error?.name ?? 'Error'}: ${error?.message ?? error}`),
      status: response?.status,
      target,
    };
  } finally {
    clearTimeout(timer);
  }

  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (response.ok && body?.success === true && typeof body.requestId === 'string') {
    return { type: 'accepted', requestId: redact(body.requestId), target };
  }
  const error = body?.error;
  if (error !== null && typeof error === 'object' && typeof error.kind === 'string') {
    const scalar = (value) => (['string', 'number', 'boolean'].includes(typeof value) ? redact(value) : undefined);
    return {
      type: 'failed',
      status: response.status,
      error: {
        kind: scalar(error.kind),
        code: scalar(error.code),
        message: scalar(error.message),
        requestId: scalar(error.requestId),
        httpStatus: scalar(error.httpStatus),
      },
      target,
    };
  }
  // Redacted before it is cut: a token split by the cut would not be found.
  const shown = redact(text);
  return {
    type: 'unexpected',
    status: response.status,
    contentType: redact(response.headers.get('content-type') ?? ''),
    body: shown.length > 300 ? `${shown.slice(0, 300)}…` : shown,
    target,
  };
}
