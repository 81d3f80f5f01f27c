/**
 * Client side of the emulator's /__admin/ API, for tests, scripts and bench
 * in other processes. Every admin request must carry the token of the
 * emulator it talks to in the `X-Emulator-Admin` header: a custom header is
 * something a cross-site page cannot send without a CORS preflight, and the
 * admin API never allows one.
 *
 *   await admin(url, token, '/state')                       // GET
 *   await admin(url, token, '/faults', { faults: [...] })   // POST (JSON)
 *   await admin(url, token, '/faults', undefined, { method: 'DELETE' })
 */

/** The header that carries the admin token (HTTP header names are case-insensitive). */
export const ADMIN_HEADER = 'X-Emulator-Admin';

/** Environment variable an emulator reads its admin token from when no option gives one. */
export const ADMIN_TOKEN_ENV = 'DMS_EMULATOR_ADMIN_TOKEN';

/**
 * Calls one admin route and returns its JSON answer; throws on a non-2xx
 * answer (the error carries `status` and `body`).
 * @param {string} baseUrl  the emulator's URL (`emu.url`)
 * @param {string} token  its admin token (`emu.adminToken`)
 * @param {string} path  `/state` or `/__admin/state`, query string allowed
 * @param {object} [body]  sent as JSON; its presence makes the default method POST
 * @param {{method?: string}} [options]
 */
export async function admin(baseUrl, token, path, body, { method } = {}) {
  const route = path.startsWith('/__admin/') ? path : `/__admin${path.startsWith('/') ? '' : '/'}${path}`;
  const headers = { [ADMIN_HEADER]: token };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${baseUrl}${route}`, {
    method: method ?? (body === undefined ? 'GET' : 'POST'),
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) {
    throw Object.assign(new Error(`emulator admin ${route}: HTTP ${response.status} ${text}`), { status: response.status, body: text });
  }
  return text === '' ? undefined : JSON.parse(text);
}
