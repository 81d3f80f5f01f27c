/**
 * The fault matrix, shared by Node (tests/js/faults.test.mjs) and workerd
 * (tests/worker/faults.test.mjs): each case queues emulator faults, makes one
 * call with a JSON-able config, and states the exact outcome.
 *
 * Once response headers arrived, even a Network/Timeout/Aborted error keeps
 * the gateway's x-acs-request-id (the rerun may have happened).
 *
 * Expected-field markers: requestId 'last' = the RequestId of the last
 * logged request (from the body, or else the x-acs-request-id header the
 * emulator sends on every answer); 'absent' = the property is undefined; recommend 'gateway'
 * = the emulator's Recommend link for that code and requestId.
 * `requests` is how many requests reach the emulator ('attempts' = as many
 * as err.attempts says). `resigned` checks every logged request's signature.
 */
import assert from 'node:assert/strict';
import { DEMO_KEY, SMALL_FLOW, assertValidlySigned, recommendFor, waitFor } from './common.mjs';

const MiB = 1024 * 1024;
const html = { body: '<html><body>Service busy</body></html>', contentType: 'text/html' };
const raw = (status, body, contentType) => ({ type: 'raw', status, body, ...(contentType ? { contentType } : {}) });
const times = (n, fault) => Array.from({ length: n }, () => ({ ...fault }));
/** An API-shaped error: what the gateway sends, field by field. */
const api = (code, httpStatus, extra = {}) => ({
  kind: 'Api', code, httpStatus, requestId: 'last', retryable: false, attempts: 1, recommend: 'gateway', ...extra,
});
const invalidResponse = (code, httpStatus, extra = {}) => ({
  kind: 'InvalidResponse', code, httpStatus, requestId: 'last', retryable: false, attempts: 1, recommend: 'absent', ...extra,
});
const stopped = (kind, extra = {}) => ({
  kind, code: kind === 'Network' ? 'NetworkError' : kind, httpStatus: 'absent', requestId: 'absent', retryable: false, attempts: 1, recommend: 'absent', ...extra,
});
/** A slow streamed body: ~25 KB/s, far too slow to finish before the cases' deadlines. */
const slowBody = { type: 'large', bytes: 600_000, chunked: true, chunkSize: 1000, chunkDelayMs: 40 };

/** Calls that must fail, grouped as the issue lists them. */
export const FAILURES = [
  // ---- retried: throttling and 503, each attempt signed afresh ----
  {
    id: 'throttling-user ×3, maxRetries 2 → 3 attempts, then Throttling.User',
    faults: times(3, { type: 'throttling-user' }),
    config: { maxRetries: 2 },
    expect: api('Throttling.User', 400, { retryable: true, attempts: 3 }),
    requests: 3,
    resigned: true,
  },
  {
    id: 'throttling-api ×4, maxRetries 3 → 4 attempts, then Throttling.Api',
    faults: times(4, { type: 'throttling-api' }),
    config: { maxRetries: 3 },
    expect: api('Throttling.Api', 400, { retryable: true, attempts: 4 }),
    requests: 4,
    resigned: true,
  },
  {
    id: 'HTTP 503 ×3, default maxRetries (2) → 3 attempts, then ServiceUnavailable',
    faults: times(3, { type: 'status', status: 503 }),
    expect: api('ServiceUnavailable', 503, { retryable: true, attempts: 3 }),
    requests: 3,
    resigned: true,
  },
  {
    id: 'HTTP 503 HTML page ×2, maxRetries 1 → retried (status alone proves refusal), NotJson',
    faults: times(2, { type: 'status', status: 503, ...html }),
    config: { maxRetries: 1 },
    expect: invalidResponse('InvalidResponse.NotJson', 503, { retryable: true, attempts: 2 }),
    requests: 2,
    resigned: true,
  },
  {
    id: 'any Throttling.* code (Throttling.Concurrency) ×2, maxRetries 1 → retried',
    faults: times(2, { type: 'status', status: 400, code: 'Throttling.Concurrency' }),
    config: { maxRetries: 1 },
    expect: api('Throttling.Concurrency', 400, { retryable: true, attempts: 2 }),
    requests: 2,
    resigned: true,
  },
  {
    id: 'maxRetries 10 (the maximum) with x-acs-retry-after 0 → 11 attempts, no waiting',
    faults: times(11, { type: 'throttling-user', headers: { 'x-acs-retry-after': '0' } }),
    config: { maxRetries: 10 },
    expect: api('Throttling.User', 400, { retryable: true, attempts: 11 }),
    requests: 11,
    resigned: true,
    maxMs: 5000,
  },
  {
    id: 'maxRetries 0 → a throttled call is sent exactly once',
    faults: [{ type: 'throttling-api' }],
    config: { maxRetries: 0 },
    expect: api('Throttling.Api', 400, { retryable: true }),
    requests: 1,
  },
  {
    id: 'x-acs-retry-after 10000 ms does not fit timeoutMs 3000 → Throttling.User at once, not Timeout',
    faults: [{ type: 'throttling-user', headers: { 'x-acs-retry-after': '10000' } }],
    config: { timeoutMs: 3000 },
    expect: api('Throttling.User', 400, { retryable: true }),
    requests: 1,
    maxMs: 2000,
  },
  {
    id: 'Retry-After 30 s does not fit timeoutMs 3000 → the 503 at once, not Timeout',
    faults: [{ type: 'status', status: 503, headers: { 'retry-after': '30' } }],
    config: { timeoutMs: 3000 },
    expect: api('ServiceUnavailable', 503, { retryable: true }),
    requests: 1,
    maxMs: 2000,
  },
  {
    // The abort only bounds the test: the contract is "fails at once", not "waits 60 s".
    id: 'x-acs-retry-after 900000 ms (above the 60 s cap), timeoutMs 0 → Throttling.User at once',
    faults: [{ type: 'throttling-user', headers: { 'x-acs-retry-after': '900000' } }],
    config: { timeoutMs: 0 },
    abort: { afterMs: 1500 },
    expect: api('Throttling.User', 400, { retryable: true }),
    requests: 1,
    maxMs: 1200,
  },
  {
    id: 'Retry-After 120 s (above the 60 s cap), default timeoutMs → the 503 at once',
    faults: [{ type: 'status', status: 503, headers: { 'retry-after': '120' } }],
    abort: { afterMs: 1500 },
    expect: api('ServiceUnavailable', 503, { retryable: true }),
    requests: 1,
    maxMs: 1200,
  },
  {
    // Attempts at ~0, 400, 800, 1200 ms; the next 400 ms wait would pass
    // 1500, so the last 503 is returned before the budget ends.
    id: 'budget: 503 ×10 with x-acs-retry-after 400, timeoutMs 1500 → the last 503 within the budget',
    faults: times(10, { type: 'status', status: 503, headers: { 'x-acs-retry-after': '400' } }),
    config: { timeoutMs: 1500, maxRetries: 10 },
    expect: api('ServiceUnavailable', 503, {
      retryable: true,
      attempts: (n) => assert.ok(n >= 2 && n <= 4, `attempts ${n}`),
    }),
    requests: 'attempts',
    leftoverFaults: true,
    resigned: true,
    minMs: 400,
    maxMs: 1500 + 1000,
  },

  // ---- never retried: the request may have run ----
  {
    id: 'HTTP 500 gateway JSON (InternalError) → not retried',
    faults: [{ type: 'status', status: 500 }],
    expect: api('InternalError', 500),
    requests: 1,
  },
  {
    id: 'HTTP 502 gateway JSON → not retried',
    faults: [{ type: 'status', status: 502, code: 'BadGateway' }],
    expect: api('BadGateway', 502),
    requests: 1,
  },
  {
    id: 'HTTP 504 gateway JSON → not retried',
    faults: [{ type: 'status', status: 504, code: 'GatewayTimeout' }],
    expect: api('GatewayTimeout', 504),
    requests: 1,
  },
  {
    id: 'HTTP 429 with a non-Throttling code → not retried',
    faults: [{ type: 'status', status: 429, code: 'TooManyRequests' }],
    expect: api('TooManyRequests', 429),
    requests: 1,
  },
  {
    id: 'wrong secret → SignatureDoesNotMatch, not retried',
    config: { accessKeySecret: 'wrong-secret-for-the-fault-matrix' },
    expect: api('SignatureDoesNotMatch', 400),
    requests: 1,
  },
  {
    id: 'unknown instance → HTTP 200 Success:false InstanceNotExist, not retried',
    request: { ...SMALL_FLOW, dagInstanceId: '49' },
    expect: api('InstanceNotExist', 200, { recommend: 'absent' }),
    requests: 1,
  },
  {
    id: 'refused connection → Network, nothing reached the server',
    endpoint: 'closed-port',
    expect: stopped('Network'),
    requests: 0,
  },
  {
    id: 'server never answers (hang), timeoutMs 400 → Timeout',
    faults: [{ type: 'hang' }],
    config: { timeoutMs: 400 },
    expect: stopped('Timeout'),
    requests: 1,
    minMs: 350,
    maxMs: 5000,
  },
  {
    id: 'answer too late (slow 1500 ms), timeoutMs 300 → Timeout, yet the rerun happened',
    faults: [{ type: 'slow', delayMs: 1500 }],
    config: { timeoutMs: 300 },
    expect: stopped('Timeout'),
    requests: 1,
    maxMs: 1400,
    check: ({ emu }) => assert.equal(emu.state.reruns.get('47'), 1, 'the emulator ran the rerun'),
  },
  {
    id: 'connection closed before any answer (destroy) → Network',
    faults: [{ type: 'destroy' }],
    expect: stopped('Network'),
    requests: 1,
  },
  {
    id: 'truncated 200 body (Content-Length promises more) → Network with httpStatus 200',
    faults: [{ type: 'truncate' }],
    expect: stopped('Network', { httpStatus: 200, requestId: 'last' }),
    requests: 1,
  },
  {
    id: 'truncated 503 body → Network, not retried (no complete answer)',
    faults: [{ type: 'truncate', status: 503, body: '{"Code":"ServiceUn' }],
    expect: stopped('Network', { httpStatus: 503, requestId: 'last' }),
    requests: 1,
  },
  {
    id: 'body arrives too slowly, timeoutMs 400 → Timeout with httpStatus 200',
    faults: [{ ...slowBody }],
    config: { timeoutMs: 400 },
    expect: stopped('Timeout', { httpStatus: 200, requestId: 'last' }),
    requests: 1,
    maxMs: 5000,
  },
  {
    id: 'AbortSignal already aborted → Aborted, nothing sent',
    abort: { before: true },
    expect: stopped('Aborted', { attempts: 'absent' }),
    requests: 0,
  },
  {
    id: 'AbortSignal fires while the server hangs → Aborted',
    faults: [{ type: 'hang' }],
    abort: { afterMs: 200 },
    expect: stopped('Aborted'),
    requests: 1,
    maxMs: 5000,
  },
  {
    id: 'AbortSignal fires while the body streams → Aborted with httpStatus 200',
    faults: [{ ...slowBody }],
    abort: { afterMs: 300 },
    expect: stopped('Aborted', { httpStatus: 200, requestId: 'last' }),
    requests: 1,
    maxMs: 5000,
  },
  {
    id: 'AbortSignal fires during the retry wait (x-acs-retry-after 5000, timeoutMs 0) → Aborted',
    faults: [{ type: 'throttling-user', headers: { 'x-acs-retry-after': '5000' } }],
    config: { timeoutMs: 0 },
    abort: { afterMs: 300 },
    expect: stopped('Aborted'),
    requests: 1,
    maxMs: 3000,
  },

  // ---- answers that are not what the API sends ----
  {
    id: 'gateway error JSON with Recommend → Api, Code, RequestId and Recommend kept',
    faults: [
      raw(403, JSON.stringify({ RequestId: 'RID-403', HostId: 'dms', Code: 'Forbidden.RAM', Message: 'not allowed', Recommend: 'https://help.example/r?q=1' })),
    ],
    expect: api('Forbidden.RAM', 403, { requestId: 'RID-403', recommend: 'https://help.example/r?q=1' }),
    requests: 1,
    check: ({ error }) => assert.equal(error.message, 'not allowed'),
  },
  {
    id: 'non-JSON 500 page → InvalidResponse.NotJson 500, not retried',
    faults: [{ type: 'status', status: 500, ...html }],
    expect: invalidResponse('InvalidResponse.NotJson', 500),
    requests: 1,
  },
  {
    id: 'HTTP 200 text/plain "OK" → InvalidResponse.NotJson',
    faults: [raw(200, 'OK', 'text/plain')],
    expect: invalidResponse('InvalidResponse.NotJson', 200),
    requests: 1,
  },
  {
    id: 'HTTP 200 empty body → InvalidResponse.NotJson',
    faults: [raw(200, '')],
    expect: invalidResponse('InvalidResponse.NotJson', 200),
    requests: 1,
  },
  {
    id: 'HTTP 204 No Content → InvalidResponse.NotJson',
    faults: [raw(204, '')],
    expect: invalidResponse('InvalidResponse.NotJson', 204),
    requests: 1,
  },
  {
    id: 'HTTP 200 cut JSON text (complete HTTP message) → InvalidResponse.NotJson',
    faults: [raw(200, '{"RequestId":"R-cut","Succ')],
    expect: invalidResponse('InvalidResponse.NotJson', 200),
    requests: 1,
  },
  {
    id: 'HTTP 200 JSON array / null → InvalidResponse.NotJson',
    faults: [raw(200, '[{"Success":true}]')],
    expect: invalidResponse('InvalidResponse.NotJson', 200),
    requests: 1,
  },
  {
    id: 'HTTP 200 JSON without Success → MissingSuccess with the RequestId',
    faults: [raw(200, '{"RequestId":"R-2"}')],
    expect: invalidResponse('InvalidResponse.MissingSuccess', 200, { requestId: 'R-2' }),
    requests: 1,
  },
  {
    id: 'HTTP 200 Success "true" (a string, not a boolean) → MissingSuccess',
    faults: [raw(200, '{"RequestId":"R-3","Success":"true"}')],
    expect: invalidResponse('InvalidResponse.MissingSuccess', 200, { requestId: 'R-3' }),
    requests: 1,
  },
  {
    id: 'HTTP 200 Success:false without ErrorCode → Api UnknownError',
    faults: [raw(200, '{"RequestId":"R-6","Success":false}')],
    expect: api('UnknownError', 200, { requestId: 'R-6', recommend: 'absent' }),
    requests: 1,
  },
  {
    id: 'HTTP 400 JSON without Code → InvalidResponse.MissingCode',
    faults: [raw(400, '{"RequestId":"R-4","Message":"m"}')],
    expect: invalidResponse('InvalidResponse.MissingCode', 400, { requestId: 'R-4' }),
    requests: 1,
  },
  {
    id: 'gateway error with an empty Message → the DmsError still has a message',
    faults: [raw(400, '{"RequestId":"R-5","Code":"Some.Code","Message":""}')],
    expect: api('Some.Code', 400, { requestId: 'R-5', recommend: 'absent' }),
    requests: 1,
    check: ({ error }) => assert.ok(error.message.length > 0, 'empty message'),
  },
  {
    id: '20 MiB body with Content-Length → TooLarge, refused before reading',
    faults: [{ type: 'large', bytes: 20 * MiB }],
    expect: invalidResponse('InvalidResponse.TooLarge', 200),
    requests: 1,
    stream: { bytes: 20 * MiB },
  },
  {
    id: '20 MiB chunked body (no Content-Length) → TooLarge, reading stops early',
    faults: [{ type: 'large', bytes: 20 * MiB, chunked: true }],
    expect: invalidResponse('InvalidResponse.TooLarge', 200),
    requests: 1,
    stream: { bytes: 20 * MiB },
  },
  {
    id: '1 MiB + 1 byte chunked body → TooLarge (the limit is exact)',
    faults: [{ type: 'large', bytes: MiB + 1, chunked: true }],
    expect: invalidResponse('InvalidResponse.TooLarge', 200),
    requests: 1,
  },
];

/** Calls that must succeed despite a fault: the fault is retried or harmless. */
export const RECOVERIES = [
  {
    id: 'throttling-user ×2 then the real answer → success on the 3rd, re-signed attempts',
    faults: times(2, { type: 'throttling-user' }),
    requests: 3,
    resigned: true,
  },
  {
    id: 'HTTP 503 once → success on the 2nd',
    faults: [{ type: 'status', status: 503 }],
    requests: 2,
    resigned: true,
  },
  {
    id: 'x-acs-retry-after 700 (ms) is waited for',
    faults: [{ type: 'throttling-user', headers: { 'x-acs-retry-after': '700' } }],
    requests: 2,
    gapMs: [650, 5000],
  },
  {
    id: 'Retry-After 1 (s) is waited for',
    faults: [{ type: 'status', status: 503, headers: { 'retry-after': '1' } }],
    requests: 2,
    gapMs: [950, 5000],
  },
  {
    // With Retry-After's 5 s the call would not fit timeoutMs 3000 and would fail.
    id: 'x-acs-retry-after (300 ms) wins over Retry-After (5 s)',
    faults: [{ type: 'throttling-api', headers: { 'x-acs-retry-after': '300', 'retry-after': '5' } }],
    config: { timeoutMs: 3000 },
    requests: 2,
    gapMs: [250, 2500],
  },
  {
    id: 'a slow (600 ms) answer inside timeoutMs 3000',
    faults: [{ type: 'slow', delayMs: 600 }],
    config: { timeoutMs: 3000 },
    requests: 1,
  },
  {
    id: 'a body of exactly 1 MiB with Content-Length is accepted',
    faults: [{ type: 'large', bytes: MiB }],
    requests: 1,
    reruns: 0, // the emulator's large body is a canned success: nothing ran
  },
  {
    id: 'a chunked body of exactly 1 MiB is accepted',
    faults: [{ type: 'large', bytes: MiB, chunked: true }],
    requests: 1,
    reruns: 0,
  },
];

/** The config a case runs with (JSON-able: no signal, no fetch). */
export function caseConfig(c, endpoint) {
  return { ...DEMO_KEY, endpoint, ...c.config };
}

function expectField(field, want, error, lastRequestId) {
  const got = error[field];
  if (typeof want === 'function') return want(got);
  if (want === 'absent') return assert.equal(got, undefined, `${field} should be absent, is ${got}`);
  if (field === 'requestId' && want === 'last') return assert.equal(got, lastRequestId, 'requestId of the last request');
  if (field === 'recommend' && want === 'gateway') return assert.equal(got, recommendFor(error.code, error.requestId), 'recommend');
  assert.equal(got, want, `${field}: ${got} !== ${want} (${error.code}: ${error.message})`);
}

/**
 * Asserts the outcome of one case, whichever runtime made the call:
 * `error` is a describeError() record, `emu` the emulator the call went to.
 */
export async function assertFailure(c, { error, elapsedMs }, emu) {
  assert.ok(error, 'the call resolved but should have failed');
  assert.equal(error.name, 'DmsError', `not a DmsError: ${JSON.stringify(error)}`);
  assert.equal(error.isError, true);
  assert.equal(typeof error.message, 'string');
  for (const [field, want] of Object.entries(c.expect)) {
    // Slow faults are logged only when answered: wait for the log first.
    if (field === 'requestId' && want === 'last') await waitFor(() => emu.state.log.length >= emu.state.requests, 5000, 'the log');
    expectField(field, want, error, emu.state.log.at(-1)?.requestId);
  }
  const requests = c.requests === 'attempts' ? error.attempts : c.requests;
  assert.equal(emu.state.requests, requests, 'requests that reached the emulator');
  if (c.check) await c.check({ error, emu });
  await assertCommon(c, emu, elapsedMs);
}

/** Asserts a recovered call: its result is the real answer to the last request. */
export async function assertRecovery(c, { result, error, elapsedMs }, emu) {
  assert.ok(!error, `expected success, got ${JSON.stringify(error)}`);
  await waitFor(() => emu.state.log.length >= emu.state.requests, 5000, 'the log');
  assert.equal(emu.state.requests, c.requests, 'requests that reached the emulator');
  const last = emu.state.log.at(-1);
  assert.deepEqual(result, { requestId: last.requestId, success: true });
  assert.equal(emu.state.reruns.get('47') ?? 0, c.reruns ?? 1, 'reruns that happened');
  if (c.gapMs) {
    const gap = last.at - emu.state.log.at(-2).at;
    assert.ok(gap >= c.gapMs[0] && gap <= c.gapMs[1], `retried after ${gap} ms, expected ${c.gapMs.join('..')}`);
  }
  await assertCommon(c, emu, elapsedMs);
}

async function assertCommon(c, emu, elapsedMs) {
  if (c.minMs !== undefined) assert.ok(elapsedMs >= c.minMs, `ended after ${elapsedMs.toFixed(0)} ms < ${c.minMs}`);
  if (c.maxMs !== undefined) assert.ok(elapsedMs <= c.maxMs, `ended after ${elapsedMs.toFixed(0)} ms > ${c.maxMs}`);
  if (c.resigned) {
    await waitFor(() => emu.state.log.length >= emu.state.requests, 5000, 'the log');
    const log = emu.state.log;
    assert.equal(new Set(log.map((e) => e.nonce)).size, log.length, 'a nonce was reused across attempts');
    for (const entry of log) assertValidlySigned(entry, c.config?.accessKeySecret ?? DEMO_KEY.accessKeySecret);
  }
  if (c.stream) {
    // The emulator finalises the record when the connection closes.
    await waitFor(() => emu.state.streams.length === 1 && (emu.state.streams[0].aborted || emu.state.streams[0].completed), 10_000, 'the stream record');
    const [stream] = emu.state.streams;
    assert.equal(stream.completed, false, 'the whole body was sent: the client read it all');
    assert.equal(stream.aborted, true);
    assert.ok(stream.sent < c.stream.bytes / 2, `${stream.sent} of ${c.stream.bytes} bytes were sent before the client stopped`);
  }
  if (c.leftoverFaults) emu.state.faults.length = 0;
  assert.equal(emu.state.faults.length, 0, 'faults left unconsumed: more or fewer requests than planned');
}

/**
 * Registers a test per table case for one runtime. `run(c)` makes the call
 * and resolves `{result | error, elapsedMs}`; `call()` makes a plain valid
 * call and resolves its result (proving the instance still works);
 * `count(kind)` tallies outcomes; `emulator()` is the emulator in use.
 * Returns that still-works check for the runtime's other tests.
 */
export function registerMatrix(test, { run, call, count, emulator }) {
  const stillWorks = async () => {
    const emu = emulator();
    emu.state.faults.length = 0;
    // Streamed and slow answers are logged when they end: let them, so the
    // next log entry is this call's.
    await waitFor(() => emu.state.log.length >= emu.state.requests, 10_000, 'earlier requests to be logged');
    const before = emu.state.requests;
    const result = await call();
    assert.equal(emu.state.requests, before + 1);
    assert.deepEqual(result, { requestId: emu.state.log.at(-1).requestId, success: true });
  };
  for (const c of FAILURES) {
    test(c.id, { todo: c.todo }, async () => {
      const outcome = await run(c);
      count(outcome.error?.kind ?? 'success (unexpected)');
      await assertFailure(c, outcome, emulator());
      await stillWorks();
    });
  }
  for (const c of RECOVERIES) {
    test(`recovers: ${c.id}`, async () => {
      const outcome = await run(c);
      count(outcome.error ? outcome.error.kind : 'success');
      await assertRecovery(c, outcome, emulator());
      await stillWorks();
    });
  }
  return stillWorks;
}
