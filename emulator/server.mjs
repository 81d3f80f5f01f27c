/**
 * Local emulator of the DMS Enterprise OpenAPI gateway for
 * ReRunTaskFlowInstance: verifies RPC signatures like Alibaba does, runs a
 * tiny seeded DMS, and can be told to misbehave (see faults.mjs).
 *
 *   node emulator/server.mjs [--port N]
 *
 * Programmatic use: `const emu = await startEmulator(); ...; await emu.close();`
 */
import http from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { credentialTable } from './data.mjs';
import { decodePairs, mergeParams } from './query.mjs';
import { checkRequest } from './gateway.mjs';
import { createCatalog, rerun } from './taskflows.mjs';
import { createState } from './state.mjs';
import { applyFault, validateFault } from './faults.mjs';
import { handleAdmin } from './admin.mjs';
import { corsHeaders, gatewayErrorBody, gatewayFailure, newRequestId, send } from './responses.mjs';

const HOST = '127.0.0.1';
const BODY_LIMIT = 1024 * 1024;

/**
 * Starts an emulator on 127.0.0.1.
 * @param {object} [options]
 * @param {number} [options.port=0]  0 picks a free port
 * @param {number} [options.clockSkewMs=0]  added to the server clock (timestamp and nonce windows)
 * @param {Array<{accessKeyId:string, accessKeySecret:string, securityToken?:string, expired?:boolean}>} [options.credentials]  extra keys
 * @param {Array<{dagId:string, dagVersion:string, instances:string[]}>} [options.taskFlows]  extra task flows
 * @param {string[]} [options.tenants]  extra known Tids
 * @param {object[]} [options.faults]  faults queued from the start
 * @param {boolean} [options.plusAsSpace=false]  decode a raw '+' as a space (servlet style) instead of a literal '+'
 * @param {number} [options.logLimit=20000]  request log entries kept
 * @returns {Promise<{url:string, port:number, state:object, close():Promise<void>, injectFaults(faults:object[]):number, setClockSkewMs(ms:number):void, clockSkewMs:number, credentials:Map}>}
 */
export async function startEmulator(options = {}) {
  const { port = 0, credentials = [], taskFlows = [], tenants = [], faults = [], plusAsSpace = false, logLimit } = options;
  let clockSkewMs = options.clockSkewMs ?? 0;
  const now = () => Date.now() + clockSkewMs;
  const state = createState({ logLimit });
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
    const result = rerun(catalog, state.reruns, checked.operation);
    return { status: 200, body: { RequestId: requestId, ...result }, code: result.ErrorCode ?? null };
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
    if (req.method === 'OPTIONS') return preflight(req, res);
    if (path.startsWith('/__admin/')) return handleAdmin(req, res, path, emu);
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

function parsePort(argv) {
  const i = argv.findIndex((arg) => arg === '--port' || arg.startsWith('--port='));
  if (i === -1) return 0;
  const value = argv[i].includes('=') ? argv[i].split('=')[1] : argv[i + 1];
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid --port ${value}`);
  return port;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const emu = await startEmulator({ port: parsePort(process.argv.slice(2)) });
  console.log(`DMS emulator listening on ${emu.url}`);
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => emu.close().then(() => process.exit(0)));
  }
}
