/**
 * Issue 9, defect 3 (the JS side): no JS exception ever unwinds through wasm.
 *
 * Every JS function the wasm calls that a caller or the engine can make
 * throw is made to throw 10,000 times in a row; after each series the same
 * module instance signs a fixed vector exactly and makes a real call against
 * the emulator. (An exception that unwinds through wasm leaks its shadow
 * stack; on cfd98a7 ~2,000 poisoned the instance for good with
 * `RuntimeError: memory access out of bounds`, then `unreachable`.) Sign-only
 * calls or a local fetch double keep each series fast. Each test names how it
 * failed on cfd98a7 when run alone (`--test-name-pattern`): run together, the
 * first poisoned instance fails all the rest.
 *
 *   node --test tests/js/throwing-imports.test.mjs
 */
import { wasmStats } from './reliability/wasm-probe.mjs'; // before the package
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { importPackage } from '../support/consumer.mjs';
import { startEmulator } from '../../emulator/server.mjs';
import { SMALL_FLOW, assertDmsError, configFor } from './support/harness.mjs';

const { rerunTaskFlowInstance, signRerunTaskFlowInstance, DmsError } = await importPackage();

const TIMES = 10_000;

let emu;
before(async () => {
  emu = await startEmulator();
});
after(async () => {
  await emu?.close();
});
beforeEach(() => {
  emu.state.reset();
});

/** A fixed vector signed before any series: the instance must reproduce it exactly afterwards. */
const FIXED = [
  { accessKeyId: 'id', accessKeySecret: 'secret', endpoint: 'http://127.0.0.1:9' },
  { tid: 3n, dagId: '9223372036854775807', dagInstanceId: 1, dagVersion: 'v 中 😀' },
  { timestamp: '2020-01-01T00:00:00Z', nonce: 'fixed' },
];
const FIXED_SIGNED = signRerunTaskFlowInstance(...FIXED);

/** After a series: the same signature as before, a real call succeeds, wasm memory did not balloon. */
async function assertInstanceHealthy(memoryBefore) {
  assert.deepEqual(signRerunTaskFlowInstance(...FIXED), FIXED_SIGNED);
  const result = await rerunTaskFlowInstance(configFor(emu), SMALL_FLOW);
  assert.deepEqual(result, { requestId: emu.state.log.at(-1).requestId, success: true });
  const grown = wasmStats().memoryBytes - memoryBefore;
  assert.ok(grown <= 2 * 1024 * 1024, `wasm memory grew by ${grown} B over the series`);
}

/**
 * Runs `call` TIMES times (awaiting it) and checks each outcome with `check`,
 * without stopping at a failed check: the instance's health is asserted
 * first (a poisoned instance is the defect), then every outcome. Yields to
 * the event loop now and then: a series of already-settled promises would
 * otherwise starve the timers, and the keep-alive sockets of the client and
 * the emulator (same process) would then expire in a race that resets the
 * next real request.
 */
async function series(call, check) {
  const memory = wasmStats().memoryBytes;
  const outcomes = new Map();
  let firstFailure;
  for (let i = 0; i < TIMES; i++) {
    if (i % 256 === 0) await new Promise((resolve) => setImmediate(resolve));
    let outcome;
    try {
      outcome = { value: await call(i) };
    } catch (error) {
      outcome = { error };
    }
    try {
      check(outcome);
    } catch (failure) {
      firstFailure ??= `call ${i + 1} of ${TIMES}: ${failure.message}`;
    }
    const { error } = outcome;
    const key = !error ? 'ok' : error instanceof DmsError ? error.code : `${error?.name}: ${error?.message}`;
    outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
  }
  await assertInstanceHealthy(memory);
  assert.equal(firstFailure, undefined, `outcomes: ${JSON.stringify([...outcomes])}`);
  return outcomes;
}

const isInvalid = (code) => ({ error }) => assertDmsError(error, DmsError, { kind: 'InvalidInput', code });

/** Replaces String.prototype.isWellFormed for the duration of `fn` (or removes it when `replacement` is undefined). */
async function withIsWellFormed(replacement, fn) {
  const saved = Object.getOwnPropertyDescriptor(String.prototype, 'isWellFormed');
  if (replacement === undefined) delete String.prototype.isWellFormed;
  else Object.defineProperty(String.prototype, 'isWellFormed', { ...saved, value: replacement });
  try {
    return await fn();
  } finally {
    Object.defineProperty(String.prototype, 'isWellFormed', saved);
  }
}

// cfd98a7: calls 1..1985 threw the engine's TypeError through wasm (no
// DmsError), call 1986 a RangeError, then "RuntimeError: memory access out of
// bounds" and from call 2050 on "RuntimeError: unreachable": the health check
// (the fixed vector) failed with RuntimeError: unreachable.
test('String.prototype.isWellFormed throws: 10,000 lone-surrogate inputs → InvalidParameter.DagVersion, then valid calls work', async () => {
  await withIsWellFormed(
    function isWellFormed() {
      throw new TypeError('isWellFormed is broken in this engine');
    },
    async () => {
      const request = { ...SMALL_FLOW, dagVersion: 'v\uD800' };
      const outcomes = await series(() => signRerunTaskFlowInstance(configFor(emu), request), isInvalid('InvalidParameter.DagVersion'));
      assert.deepEqual([...outcomes], [['InvalidParameter.DagVersion', TIMES]]);
      // Without the engine's answer the core still tells U+FFFD from a lone surrogate.
      const signed = signRerunTaskFlowInstance(configFor(emu), { ...SMALL_FLOW, dagVersion: 'v\uFFFD' });
      assert.match(signed.canonicalQuery, /DagVersion=v%EF%BF%BD&/);
    },
  );
});

// cfd98a7: "e.isWellFormed is not a function" through wasm on every call,
// then the health check failed with RuntimeError: unreachable.
test('String.prototype.isWellFormed missing (Firefox < 119, Safari < 16.4): 10,000 lone surrogates → InvalidInput, then valid calls work', async () => {
  await withIsWellFormed(undefined, async () => {
    assert.equal(''.isWellFormed, undefined);
    const inputs = ['\uD800', 'a\uDC00b', 'x\uDBFF', '\uDE80\uD83D', 'ok\uFFFD\uD800'];
    const outcomes = await series(
      (i) => signRerunTaskFlowInstance({ ...configFor(emu), accessKeyId: inputs[i % inputs.length] }, SMALL_FLOW),
      isInvalid('InvalidParameter.AccessKeyId'),
    );
    assert.deepEqual([...outcomes], [['InvalidParameter.AccessKeyId', TIMES]]);
    assert.ok(signRerunTaskFlowInstance({ ...configFor(emu), accessKeyId: 'id\uFFFD\u{1F600}' }, SMALL_FLOW).url);
  });
});

/** A duck-typed signal whose `aborted` getter throws. */
function throwingSignal() {
  return {
    get aborted() {
      throw new Error('aborted getter exploded');
    },
    addEventListener() {},
    removeEventListener() {},
  };
}

// cfd98a7: the getter's own Error unwound through wasm (`aborted` read
// without `catch`) on every call, then the health check failed with
// RuntimeError: unreachable.
test('a signal whose `aborted` getter throws: 10,000 signs and 10,000 calls → InvalidParameter.Signal, nothing sent', async () => {
  const sent = [];
  const fetch = async (url) => {
    sent.push(url);
    return new Response('{"RequestId":"X","Success":true}');
  };
  const signal = throwingSignal();
  let outcomes = await series(() => signRerunTaskFlowInstance(configFor(emu, { signal }), SMALL_FLOW), isInvalid('InvalidParameter.Signal'));
  assert.deepEqual([...outcomes], [['InvalidParameter.Signal', TIMES]]);
  outcomes = await series(() => rerunTaskFlowInstance(configFor(emu, { signal, fetch }), SMALL_FLOW), isInvalid('InvalidParameter.Signal'));
  assert.deepEqual([...outcomes], [['InvalidParameter.Signal', TIMES]]);
  assert.equal(sent.length, 0);

  // A real AbortSignal whose `aborted` works for the check and throws afterwards.
  let reads = 0;
  const real = new AbortController().signal;
  Object.defineProperty(real, 'aborted', {
    get() {
      if (reads++ % 2 === 1) throw new Error('aborted getter exploded');
      return false;
    },
  });
  outcomes = await series(
    () => rerunTaskFlowInstance(configFor(emu, { signal: real, fetch }), SMALL_FLOW),
    ({ value, error }) => assert.ok(value?.success === true || error instanceof DmsError, String(error?.stack ?? error)),
  );
  assert.equal([...outcomes.values()].reduce((a, b) => a + b, 0), TIMES);
});

// A guard: cfd98a7 passed it (its fetch import was already declared `catch`).
test('a caller fetch that throws synchronously: 10,000 calls → Network, attempts 1', async () => {
  const fetch = () => {
    throw new TypeError('synchronous failure inside fetch');
  };
  const outcomes = await series(
    () => rerunTaskFlowInstance(configFor(emu, { fetch }), SMALL_FLOW),
    ({ error }) => assertDmsError(error, DmsError, { kind: 'Network', code: 'NetworkError', attempts: 1 }),
  );
  assert.deepEqual([...outcomes], [['NetworkError', TIMES]]);
});

/** A Response-like with `status`, a body and a `headers.get` that throws. */
function answer(status, body) {
  return {
    status,
    headers: {
      get() {
        throw new Error('headers.get exploded');
      },
    },
    text: async () => body,
  };
}

// A guard: cfd98a7 passed it (headers were read in JS, inside try).
test('a Response whose headers.get throws: 10,000 successes and 10,000 throttled answers judged normally', async () => {
  const ok = async () => answer(200, '{"RequestId":"OK-1","Success":true}');
  let outcomes = await series(
    () => rerunTaskFlowInstance(configFor(emu, { fetch: ok }), SMALL_FLOW),
    ({ value, error }) => assert.deepEqual(value, { requestId: 'OK-1', success: true }, String(error?.stack ?? error)),
  );
  assert.deepEqual([...outcomes], [['ok', TIMES]]);
  // An error answer: the core reads the retry hints and the request id from the headers.
  const throttled = async () => answer(400, '{"RequestId":"T-1","Code":"Throttling.User","Message":"slow down"}');
  outcomes = await series(
    () => rerunTaskFlowInstance(configFor(emu, { fetch: throttled, maxRetries: 0 }), SMALL_FLOW),
    ({ error }) => assertDmsError(error, DmsError, { kind: 'Api', code: 'Throttling.User', httpStatus: 400, requestId: 'T-1', retryable: true, attempts: 1 }),
  );
  assert.deepEqual([...outcomes], [['Throttling.User', TIMES]]);
});

// cfd98a7: the `status` getter's own Error escaped on every call ("Error: status exploded" ×10000).
test('a Response whose status and headers getters throw: 10,000 calls → InvalidResponse.NotHttp', async () => {
  const hostile = async () => ({
    get status() {
      throw new Error('status exploded');
    },
    get headers() {
      throw new Error('headers exploded');
    },
  });
  const outcomes = await series(
    () => rerunTaskFlowInstance(configFor(emu, { fetch: hostile }), SMALL_FLOW),
    ({ error }) => assertDmsError(error, DmsError, { kind: 'InvalidResponse', code: 'InvalidResponse.NotHttp', attempts: 1 }),
  );
  assert.deepEqual([...outcomes], [['InvalidResponse.NotHttp', TIMES]]);
});

// A guard: cfd98a7 passed it (the stream was read in JS).
test('a body stream that errors: 10,000 calls → Network with httpStatus 200', async () => {
  const erroring = async () => {
    const body = new ReadableStream({
      pull(controller) {
        controller.error(new TypeError('terminated'));
      },
    });
    return new Response(body, { status: 200, headers: { 'x-acs-request-id': 'STREAM-1' } });
  };
  const outcomes = await series(
    () => rerunTaskFlowInstance(configFor(emu, { fetch: erroring }), SMALL_FLOW),
    ({ error }) => assertDmsError(error, DmsError, { kind: 'Network', code: 'NetworkError', httpStatus: 200, requestId: 'STREAM-1', attempts: 1 }),
  );
  assert.deepEqual([...outcomes], [['NetworkError', TIMES]]);
});
