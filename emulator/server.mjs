/**
 * Local emulator of the DMS Enterprise OpenAPI gateway for
 * ReRunTaskFlowInstance and ListTaskFlowInstance: verifies RPC signatures
 * like Alibaba does, runs a tiny seeded DMS (task flows with execution
 * records, see data.mjs), and can be told to misbehave (see faults.mjs).
 *
 *   node emulator/server.mjs [--port N] [--admin-token T] [--rerun-outcome-ms N]
 *
 * Programmatic use: `const emu = await startEmulator(); ...; await emu.close();`
 * The /__admin/ API needs `X-Emulator-Admin: emu.adminToken` (admin.mjs).
 */
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { SEEDED_FLOWS, credentialTable } from './data.mjs';
import { decodePairs, mergeParams } from './query.mjs';
import { checkRequest } from './gateway.mjs';
import { OPERATIONS } from './operations.mjs';
import { createCatalog } from './taskflows.mjs';
import { createRunStore, seedAnchor } from './runs.mjs';
import { createState } from './state.mjs';
import { applyFault, validateFault } from './faults.mjs';
import { handleAdmin } from './admin.mjs';
import { ADMIN_HEADER, ADMIN_TOKEN_ENV, admin } from './admin-client.mjs';
import { toJson } from './json.mjs';
import { corsHeaders, gatewayErrorBody, gatewayFailure, newRequestId, send } from './responses.mjs';

const HOST = '127.0.0.1';
const BODY_LIMIT = 1024 * 1024;
/** Printable ASCII without spaces, long enough not to be guessed. */
const TOKEN_SHAPE = /^[\x21-\x7e]{16,256}$/;

/**
 * The admin token: the option, else $DMS_EMULATOR_ADMIN_TOKEN (how a parent
 * process hands one to an emulator it spawns, e.g. through `npm start`),
 * else a random one.
 */
function adminTokenOf(option) {
  const fromEnv = process.env[ADMIN_TOKEN_ENV] || undefined; // set but empty = unset
  const token = option ?? fromEnv ?? randomBytes(24).toString('base64url');
  if (typeof token !== 'string' || !TOKEN_SHAPE.test(token)) {
    throw new TypeError(`the admin token must be 16..256 printable ASCII characters without spaces (option adminToken or $${ADMIN_TOKEN_ENV})`);
  }
  return token;
}

/**
 * Starts an emulator on 127.0.0.1.
 * @param {object} [options]
 * @param {number} [options.port=0]  0 picks a free port
 * @param {number} [options.clockSkewMs=0]  added to the server clock (timestamp and nonce windows)
 * @param {Array<{accessKeyId:string, accessKeySecret:string, securityToken?:string, expired?:boolean}>} [options.credentials]  extra keys
 * @param {Array<{dagId:string, dagVersion:string, instances?:string[], dagName?:string, ownerName?:string, historyDagIds?:object, runs?:object[]}>} [options.taskFlows]
 *   extra task flows; `runs` (same shape as data.mjs's, status/triggerType by name or number) makes them listable
 * @param {string[]} [options.tenants]  extra known Tids
 * @param {object[]} [options.faults]  faults queued from the start
 * @param {boolean} [options.plusAsSpace=false]  decode a raw '+' as a space (servlet style) instead of a literal '+'
 * @param {number} [options.logLimit=20000]  request log entries kept
 * @param {string} [options.adminToken]  token the /__admin/ API requires (default $DMS_EMULATOR_ADMIN_TOKEN or random)
 * @param {string|number} [options.seedAnchor]  time the seeded records count back from (default: start, floored to the hour)
 * @param {number|null} [options.rerunOutcomeMs=1500]  a rerun record stays running this long before its outcome; 0 = at once, null = until settled
 * @param {Record<string,string[]>} [options.rerunOutcomes]  scripted outcomes per instance id ('succeeded' | 'failed' | 'completed'), restored on reset
 * @param {boolean} [options.numericDagId=false]  write list DagId as a JSON number (the official model types it String)
 * @returns {Promise<{url:string, port:number, state:object, close():Promise<void>, injectFaults(faults:object[]):number, setClockSkewMs(ms:number):void, clockSkewMs:number, credentials:Map, adminToken:string, admin(path:string, body?:object, options?:{method?:string}):Promise<any>, runs:object}>}
 */
export async function startEmulator(options = {}) {
  const { port = 0, credentials = [], taskFlows = [], tenants = [], faults = [], plusAsSpace = false, logLimit } = options;
  const { numericDagId = false, rerunOutcomeMs = 1500, rerunOutcomes = {} } = options;
  const adminToken = adminTokenOf(options.adminToken);
  let clockSkewMs = options.clockSkewMs ?? 0;
  const now = () => Date.now() + clockSkewMs;
  const runs = createRunStore({
    flows: [...SEEDED_FLOWS, ...taskFlows.filter((flow) => flow.runs)],
    anchorMs: seedAnchor(options.seedAnchor, now()),
    now,
    outcomeMs: rerunOutcomeMs,
    outcomes: rerunOutcomes,
  });
  const state = createState({ logLimit, runs });
  const keys = credentialTable(credentials);
  const catalog = createCatalog({ taskFlows, tenants });
  const closing = new AbortController();
  const sleep = (ms) => delay(ms, undefined, { signal: closing.signal }).catch(() => {});
  const sockets = new Set();

  const emu = {
    url: '',
    port: 0,
    state,
    credentials: keys,
    /** Token the /__admin/ API requires in the X-Emulator-Admin header. */
    adminToken,
    /** The execution records (runs.mjs): settle(), script(), setOutcomeMs(), ofDag(). */
    runs,
    /** Calls this emulator's admin API: `await emu.admin('/state')`. */
    admin: (path, body, opts) => admin(emu.url, adminToken, path, body, opts),
    get clockSkewMs() {
      return clockSkewMs;
    },
    setClockSkewMs(ms) {
      clockSkewMs = Number(ms);
    },
    /** Validates all, then queues all; returns how many were queued. */
    injectFaults(list) {
      const valid = list.map(validateFault);
      state.faults.push(...valid);
      return valid.length;
    },
    close: undefined,
  };
  emu.injectFaults(faults);

  /** The gateway and DMS answer for a request that carries no fault. */
  function processRequest(method, params, decodeError, requestId) {
    const fail = (failure) => ({ status: failure.status, body: gatewayErrorBody(requestId, failure), code: failure.code });
    if (decodeError) return fail(gatewayFailure(decodeError.code, decodeError.message));
    if (method !== 'GET' && method !== 'POST') return fail(gatewayFailure('UnsupportedHTTPMethod'));
    const checked = checkRequest(method, params, { credentials: keys, nonces: state.nonces, now: now() });
    if (checked.failure) return fail(checked.failure);
    const result = OPERATIONS[checked.action].answer({ catalog, state, numericDagId }, checked.operation);
    // Written by toJson, not JSON.stringify: list ids are BigInt, bare numbers on the wire.
    return { status: 200, body: toJson({ RequestId: requestId, ...result }), code: result.ErrorCode ?? null };
  }

  async function handleApi(req, res, rawQuery) {
    state.requests += 1;
    const requestId = newRequestId();
    const at = now();
    const body = await readFormBody(req);
    const query = decodePairs(rawQuery, { plusAsSpace });
    const form = decodePairs(body.text, { plusAsSpace });
    const merged = mergeParams(query.pairs, form.pairs);
    const decodeError = body.error ?? query.error ?? form.error ?? merged.error;
    const { Signature: _signature, ...logged } = merged.params;
    const entry = {
      requestId,
      at,
      method: req.method,
      rawQuery,
      params: logged,
      nonce: merged.params.SignatureNonce,
      timestamp: merged.params.Timestamp,
      status: null,
      code: null,
      fault: null,
    };
    const normal = () => processRequest(req.method, merged.params, decodeError, requestId);

    const fault = state.faults.shift();
    if (fault) {
      entry.fault = fault.type;
      if (fault.type === 'hang') state.record(entry); // never answered: log it now
      Object.assign(entry, await applyFault(fault, { res, requestId, state, sleep, normal }));
      if (fault.type !== 'hang') state.record(entry);
      return;
    }
    const result = normal();
    Object.assign(entry, { status: result.status, code: result.code });
    state.record(entry);
    send(res, result.status, result.body, { requestId });
  }

  async function handle(req, res) {
    const q = req.url.indexOf('?');
    const path = q === -1 ? req.url : req.url.slice(0, q);
    const rawQuery = q === -1 ? '' : req.url.slice(q + 1);
    // Admin first: its preflights and answers must never get the API's CORS.
    if (path === '/__admin' || path.startsWith('/__admin/')) return handleAdmin(req, res, path, rawQuery, emu);
    if (req.method === 'OPTIONS') return preflight(req, res);
    if (path === '/') return handleApi(req, res, rawQuery);
    const requestId = newRequestId();
    send(res, 404, gatewayErrorBody(requestId, gatewayFailure('InvalidAction.NotFound')), { requestId });
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error) => {
      console.error('DMS emulator: internal error:', error);
      if (res.headersSent) return res.destroy();
      const requestId = newRequestId();
      send(res, 500, gatewayErrorBody(requestId, gatewayFailure('InternalError')), { requestId });
    });
  });
  // Tracked so close() can end keep-alive, hung and streaming connections at once.
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });

  emu.port = server.address().port;
  emu.url = `http://${HOST}:${emu.port}`;
  let closed;
  emu.close = () => {
    closed ??= new Promise((resolve) => {
      closing.abort();
      runs.close();
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    });
    return closed;
  };
  return emu;
}

/** CORS preflight: any origin, our methods, whatever headers were asked for. */
function preflight(req, res) {
  const requested = req.headers['access-control-request-headers'];
  res.writeHead(204, {
    ...corsHeaders(),
    'access-control-allow-methods': 'GET, POST, OPTIONS',
    'access-control-allow-headers': requested ? `*, ${requested}` : '*',
    'access-control-max-age': '600',
  });
  res.end();
}

/**
 * Reads a POST form body (application/x-www-form-urlencoded); other bodies
 * are drained and ignored, as the gateway reads RPC parameters from the form only.
 */
async function readFormBody(req) {
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  const isForm = req.method === 'POST' && type === 'application/x-www-form-urlencoded';
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (isForm && size <= BODY_LIMIT) chunks.push(chunk);
  }
  if (size > BODY_LIMIT && isForm) {
    return { text: '', error: { code: 'InvalidParameter', message: 'The request body is too large.' } };
  }
  return { text: isForm ? Buffer.concat(chunks).toString('utf8') : '', error: null };
}

/** The value of `--name V` or `--name=V`, or undefined. */
function flag(argv, name) {
  const i = argv.findIndex((arg) => arg === name || arg.startsWith(`${name}=`));
  if (i === -1) return undefined;
  return argv[i].includes('=') ? argv[i].slice(argv[i].indexOf('=') + 1) : argv[i + 1];
}

function parsePort(argv) {
  const value = flag(argv, '--port');
  if (value === undefined) return 0;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid --port ${value}`);
  return port;
}

function parseOutcomeMs(argv) {
  const value = flag(argv, '--rerun-outcome-ms');
  if (value === undefined) return undefined;
  if (value === 'manual') return null;
  if (!/^[0-9]+$/.test(value)) throw new Error(`invalid --rerun-outcome-ms ${value} (milliseconds, or "manual")`);
  return Number(value);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const argv = process.argv.slice(2);
  const emu = await startEmulator({
    port: parsePort(argv),
    adminToken: flag(argv, '--admin-token'),
    rerunOutcomeMs: parseOutcomeMs(argv),
  });
  // The first line stays machine-readable; the admin token is for whoever started it.
  console.log(`DMS emulator listening on ${emu.url}`);
  console.log(`Admin API (${emu.url}/__admin/): send the header "${ADMIN_HEADER}: ${emu.adminToken}", e.g.`);
  console.log(`  curl -H '${ADMIN_HEADER}: ${emu.adminToken}' ${emu.url}/__admin/state`);
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => emu.close().then(() => process.exit(0)));
  }
}
