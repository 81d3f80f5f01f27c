/**
 * One-shot fault injection: each queued fault replaces the normal answer of
 * one request to `/`, to emulate a gateway or network that misbehaves
 * (throttling, 5xx, junk bodies, cut connections, hangs, huge bodies, slowness).
 * Faults act before signature verification, except `slow`, which answers
 * the real result late.
 */
import { once } from 'node:events';
import { JSON_TYPE, answerHeaders, gatewayErrorBody, gatewayFailure, send } from './responses.mjs';

export const FAULT_TYPES = ['throttling-user', 'throttling-api', 'status', 'raw', 'truncate', 'destroy', 'hang', 'large', 'slow'];

/** Gateway code used for the default body of a `status` fault. */
const STATUS_CODES = { 500: 'InternalError', 503: 'ServiceUnavailable' };

const isCount = (n) => Number.isInteger(n) && n >= 0;

/**
 * Checks a fault description and returns a copy; throws TypeError with a
 * readable reason (the admin endpoint turns it into a 400).
 */
export function validateFault(fault) {
  if (!fault || typeof fault !== 'object' || Array.isArray(fault)) throw new TypeError('a fault must be an object');
  const { type, status, delayMs, headers, bytes, declaredLength } = fault;
  if (!FAULT_TYPES.includes(type)) throw new TypeError(`unknown fault type ${JSON.stringify(type)}; one of ${FAULT_TYPES.join(', ')}`);
  if (status !== undefined && !(Number.isInteger(status) && status >= 200 && status <= 599)) {
    throw new TypeError('status must be an integer in 200..599');
  }
  if (type === 'status' && status === undefined) throw new TypeError('a status fault needs a status');
  if (delayMs !== undefined && !isCount(delayMs)) throw new TypeError('delayMs must be a non-negative integer');
  if (type === 'slow' && delayMs === undefined) throw new TypeError('a slow fault needs delayMs');
  if (type === 'large' && !isCount(bytes)) throw new TypeError('a large fault needs bytes (non-negative integer)');
  if (declaredLength !== undefined && !isCount(declaredLength)) throw new TypeError('declaredLength must be a non-negative integer');
  if (headers !== undefined && (typeof headers !== 'object' || headers === null || Array.isArray(headers))) {
    throw new TypeError('headers must be an object of header name → value');
  }
  if (fault.body !== undefined && typeof fault.body !== 'string') throw new TypeError('body must be a string');
  return { ...fault, headers: { ...headers } };
}

/**
 * Answers one request according to `fault`. Resolves with `{status, code}`
 * for the request log once the answer is finished (or abandoned).
 * @param {object} fault  a validated fault
 * @param {object} ctx
 * @param {import('node:http').ServerResponse} ctx.res
 * @param {string} ctx.requestId
 * @param {object} ctx.state  emulator state (streams are recorded there)
 * @param {(ms:number)=>Promise<void>} ctx.sleep  resolves early when the emulator closes
 * @param {()=>{status:number, body:object, code:string|null}} ctx.normal  the real processing
 */
export async function applyFault(fault, { res, requestId, state, sleep, normal }) {
  const { type, headers } = fault;
  if (type === 'hang') return { status: null, code: null };
  if (type === 'slow') {
    const result = normal(); // processed now, answered late: the side effect happens even if the client gives up
    await sleep(fault.delayMs);
    send(res, result.status, result.body, { requestId, headers });
    return { status: result.status, code: result.code };
  }
  if (fault.delayMs) await sleep(fault.delayMs);
  if (res.destroyed) return { status: null, code: null };

  switch (type) {
    case 'throttling-user':
    case 'throttling-api': {
      const failure = gatewayFailure(type === 'throttling-user' ? 'Throttling.User' : 'Throttling.Api');
      send(res, failure.status, gatewayErrorBody(requestId, failure), { requestId, headers });
      return { status: failure.status, code: failure.code };
    }
    case 'status': {
      if (fault.body !== undefined) {
        send(res, fault.status, fault.body, { requestId, headers, contentType: contentTypeOf(fault) });
        return { status: fault.status, code: null };
      }
      const failure = gatewayFailure(fault.code ?? STATUS_CODES[fault.status] ?? 'ServiceUnavailable', fault.message, fault.status);
      send(res, failure.status, gatewayErrorBody(requestId, failure), { requestId, headers });
      return { status: failure.status, code: failure.code };
    }
    case 'raw': {
      const status = fault.status ?? 200;
      send(res, status, fault.body ?? '', { requestId, headers, contentType: contentTypeOf(fault) });
      return { status, code: null };
    }
    case 'truncate':
      return truncate(fault, res, requestId);
    case 'destroy':
      res.destroy();
      return { status: null, code: null };
    case 'large':
      return streamLarge(fault, res, requestId, state, sleep);
  }
  throw new TypeError(`unhandled fault type ${type}`);
}

/** `contentType: null` means "send no Content-Type at all". */
function contentTypeOf(fault) {
  return fault.contentType === undefined ? JSON_TYPE : fault.contentType;
}

/** Promises more bytes than it sends, then closes the connection. */
function truncate(fault, res, requestId) {
  const status = fault.status ?? 200;
  const body = Buffer.from(fault.body ?? `{"RequestId":"${requestId}","Success":tr`, 'utf8');
  const declared = fault.declaredLength ?? body.length + 64;
  res.writeHead(status, answerHeaders({ requestId, contentType: contentTypeOf(fault), headers: { ...fault.headers, 'content-length': declared } }));
  return new Promise((resolve) => {
    res.write(body, () => {
      res.socket?.destroy();
      resolve({ status, code: null });
    });
  });
}

/**
 * Streams `bytes` bytes of a (valid, when long enough) JSON success body in
 * chunks, honouring back-pressure, so a client that stops reading early is
 * seen: the stream record ends with `aborted: true`.
 */
async function streamLarge(fault, res, requestId, state, sleep) {
  const { bytes, chunked = false, chunkSize = 64 * 1024, chunkDelayMs = 0 } = fault;
  const record = { requestId, bytes, chunked, sent: 0, completed: false, aborted: false };
  state.streams.push(record);
  const lengthHeader = chunked ? {} : { 'content-length': bytes };
  res.writeHead(200, answerHeaders({ requestId, contentType: contentTypeOf(fault), headers: { ...lengthHeader, ...fault.headers } }));

  let closed = false;
  const whenClosed = new Promise((resolve) => res.once('close', () => resolve('closed')));
  whenClosed.then(() => (closed = true));
  for (const chunk of largeBody(bytes, requestId, chunkSize)) {
    if (closed) break;
    const flushed = res.write(chunk);
    record.sent += chunk.length;
    if (!flushed && (await Promise.race([once(res, 'drain').catch(() => 'closed'), whenClosed])) === 'closed') break;
    if (chunkDelayMs) await sleep(chunkDelayMs);
  }
  if (!closed) {
    res.end();
    await Promise.race([once(res, 'finish').catch(() => 'closed'), whenClosed]);
  }
  record.completed = res.writableFinished && record.sent === bytes;
  record.aborted = !record.completed;
  return { status: 200, code: null };
}

/** `{"RequestId":"…","Success":true,"Padding":"aaaa…"}`, exactly `total` bytes. */
function* largeBody(total, requestId, chunkSize) {
  const head = Buffer.from(`{"RequestId":"${requestId}","Success":true,"Padding":"`);
  const tail = Buffer.from('"}');
  if (total < head.length + tail.length) {
    yield Buffer.concat([head, tail]).subarray(0, total);
    return;
  }
  yield head;
  const block = Buffer.alloc(chunkSize, 'a');
  for (let left = total - head.length - tail.length; left > 0; left -= chunkSize) {
    yield block.subarray(0, Math.min(left, chunkSize));
  }
  yield tail;
}
