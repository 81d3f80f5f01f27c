// GET /status: the last cron run's summary, for holders of STATUS_TOKEN.
// Anything else is 404, so the Worker's URL reveals nothing to a scanner.
import { readSummary } from './store.mjs';

export async function handleRequest(request, env) {
  const { pathname } = new URL(request.url);
  if (request.method !== 'GET' || pathname !== '/status') return fail(404, 'NotFound', 'only GET /status exists');

  // Refuse to serve open: no token, or one short enough to guess, means nobody may read.
  if (typeof env.STATUS_TOKEN !== 'string' || env.STATUS_TOKEN.length < 16) {
    return fail(500, 'NotConfigured', 'STATUS_TOKEN is not set (or shorter than 16 characters)');
  }
  const presented = /^Bearer +(\S+)$/i.exec(request.headers.get('Authorization') ?? '')?.[1] ?? '';
  if (!(await sameSecret(presented, env.STATUS_TOKEN))) {
    return fail(401, 'Unauthorized', 'missing or wrong bearer token', { 'WWW-Authenticate': 'Bearer' });
  }
  if (!env.HEAL_KV) return fail(500, 'NotConfigured', 'no HEAL_KV binding (see wrangler.toml)');
  return json(200, { lastRun: await readSummary(env.HEAL_KV) }); // null before the first run
}

/** Constant-time comparison: hashing first hides the length, timingSafeEqual the content. */
async function sameSecret(presented, expected) {
  const digest = (s) => crypto.subtle.digest('SHA-256', new TextEncoder().encode(s));
  const [a, b] = await Promise.all([digest(presented), digest(expected)]);
  return crypto.subtle.timingSafeEqual(a, b);
}

function json(status, value, headers = {}) {
  return Response.json(value, { status, headers: { ...headers, 'Cache-Control': 'no-store' } });
}

function fail(status, code, message, headers) {
  return json(status, { error: { code, message } }, headers);
}
