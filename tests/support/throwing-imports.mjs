// Issue 9, defect 3: a JS exception thrown inside a wasm→JS import that is
// not declared `catch` unwinds through wasm, leaks wasm stack each time, and
// after ~2,000 of them every later call fails with `RuntimeError: memory
// access out of bounds`, valid input included.
//
// One case per import a caller can make throw. Each is run many times and
// then a valid call must still work. Runtime-neutral (no Node APIs): the
// workerd fixture bundles this file and the Chromium page loads it as ESM;
// the package namespace is passed in, so it runs against any build.

/** A gateway error body, as the real gateway sends with HTTP 503. */
const BUSY_BODY = '{"RequestId":"00000000-0000-4000-8000-000000000503","Code":"ServiceUnavailable","Message":"busy"}';

/** A Response-like whose `headers.get` throws (a caller's fetch double). */
const throwingHeaders = (status, body) => async () => ({
  status,
  headers: { get() { throw new TypeError('headers.get threw'); } },
  text: async () => body,
});

/** A real AbortSignal whose `aborted` reads fine once, then throws. */
function signalThrowingOnSecondRead() {
  const signal = new AbortController().signal;
  let reads = 0;
  Object.defineProperty(signal, 'aborted', {
    get() {
      if (reads++ > 0) throw new TypeError('aborted getter threw');
      return false;
    },
  });
  return signal;
}

/** Replaces `object[key]` (or deletes it, when `value` is undefined) until the returned undo runs. */
function swap(object, key, value) {
  const had = Object.getOwnPropertyDescriptor(object, key);
  if (value === undefined) delete object[key];
  else Object.defineProperty(object, key, { value, configurable: true, writable: true });
  return () => {
    if (had) Object.defineProperty(object, key, had);
    else delete object[key];
  };
}

function thrower(what) {
  return function () {
    throw new TypeError(`${what} threw`);
  };
}

/**
 * `id`: the import made to throw. `install()` changes a global for the whole
 * run (returns the undo); `arrange(base)` gives one call's `{config, request}`.
 * `expect`: `kind:code` of every call's DmsError (`DmsError`: any kind and
 * code); `mayResolve`: how many calls may succeed instead (default 0), and
 * `resolvedSend` whether those reach the base endpoint.
 */
export const THROWING_IMPORTS = Object.freeze([
  {
    id: 'caller fetch throws synchronously',
    expect: 'Network:NetworkError',
    arrange: ({ config, request }) => ({ config: { ...config, fetch: thrower('caller fetch') }, request }),
  },
  {
    id: 'global fetch throws synchronously',
    expect: 'Network:NetworkError',
    install: () => swap(globalThis, 'fetch', thrower('global fetch')),
    arrange: (base) => base,
  },
  {
    id: 'headers.get throws (x-acs-request-id, retry hints)',
    expect: 'Api:ServiceUnavailable',
    arrange: ({ config, request }) => ({ config: { ...config, maxRetries: 0, fetch: throwingHeaders(503, BUSY_BODY) }, request }),
  },
  {
    // The package builds its results and failure records as JSON text and
    // has the engine's JSON.parse read them; a page or library may replace it.
    id: 'JSON.parse throws (replaced globally)',
    expect: 'DmsError',
    mayResolve: Infinity, // a core that no longer needs JSON.parse would just succeed
    install: () => swap(JSON, 'parse', thrower('JSON.parse')),
    arrange: ({ config, request }) => ({
      config: { ...config, fetch: async () => new Response('{"RequestId":"R-JSON","Success":true}', { status: 200 }) },
      request,
    }),
  },
  {
    // Firefox < 119, Safari < 16.4: no isWellFormed, calling it throws.
    id: 'String.prototype.isWellFormed missing, lone surrogate in dagVersion',
    expect: 'InvalidInput:InvalidParameter.DagVersion',
    install: () => swap(String.prototype, 'isWellFormed', undefined),
    arrange: ({ config, request }) => ({ config, request: { ...request, dagVersion: 'v\uD800-lone' } }),
  },
  {
    id: 'String.prototype.isWellFormed throws, lone surrogate in dagVersion',
    expect: 'InvalidInput:InvalidParameter.DagVersion',
    install: () => swap(String.prototype, 'isWellFormed', thrower('isWellFormed')),
    arrange: ({ config, request }) => ({ config, request: { ...request, dagVersion: 'v\uDC00-lone' } }),
  },
  {
    id: 'signal.aborted getter throws on its second read',
    expect: 'InvalidInput:InvalidParameter.Signal',
    arrange: ({ config, request }) => ({ config: { ...config, signal: signalThrowingOnSecondRead() }, request }),
  },
  {
    id: 'signal is a Proxy whose get trap throws (Reflect.get)',
    expect: 'InvalidInput:InvalidParameter.Signal',
    arrange: ({ config, request }) => ({
      config: { ...config, signal: new Proxy({}, { get: thrower('signal proxy get trap') }) },
      request,
    }),
  },
  {
    id: 'crypto.getRandomValues throws (the nonce)',
    expect: 'InvalidInput:InvalidParameter.Nonce',
    // The nonce pool (src/wasm/random.rs: 256 bytes, 16 per nonce) may still
    // serve a few calls; those are really sent.
    mayResolve: 16,
    resolvedSend: true,
    install: () => swap(globalThis.crypto, 'getRandomValues', thrower('getRandomValues')),
    arrange: (base) => base,
  },
]);

/**
 * What a run of `count` calls of case `scenario` must have given, for the
 * number of calls that resolved in `tally`: `{tally, sent, problem}` — the
 * expected tally, how many calls reached the endpoint, and why too many
 * resolved (if they did).
 */
export function expectedRun(scenario, count, tally) {
  const { resolved = 0 } = tally;
  const allowed = Math.min(scenario.mayResolve ?? 0, count);
  const problem = resolved > allowed ? `${resolved} calls resolved, at most ${allowed} may` : undefined;
  const rest = count - resolved;
  return {
    problem,
    tally: { ...(rest > 0 ? { [scenario.expect]: rest } : {}), ...(resolved > 0 ? { resolved } : {}) },
    sent: scenario.resolvedSend ? resolved : 0,
  };
}

/** `kind:code` of a DmsError (`DmsError` when any will do), else `name: message` of whatever was thrown. */
function label(dms, error, expect) {
  if (error instanceof dms.DmsError) return expect === 'DmsError' ? expect : `${error.kind}:${error.code}`;
  if (error === null || typeof error !== 'object') return `thrown ${String(error)}`;
  return `${error.name}: ${error.message}`;
}

/**
 * Counts the timers set and not yet fired or cleared while it is installed:
 * a call that ends must leave none behind (a pending budget timer keeps Node
 * alive, and workerd allows 10,000 active ones per request).
 */
function trackTimers() {
  const pending = new Set();
  const { setTimeout: set, clearTimeout: clear } = globalThis;
  const undoSet = swap(globalThis, 'setTimeout', function setTimeout(callback, ms, ...rest) {
    const id = set((...args) => {
      pending.delete(id);
      return callback(...args);
    }, ms, ...rest);
    pending.add(id);
    return id;
  });
  const undoClear = swap(globalThis, 'clearTimeout', function clearTimeout(id) {
    pending.delete(id);
    return clear(id);
  });
  return {
    pending,
    undo() {
      undoClear();
      undoSet();
    },
  };
}

/**
 * Runs case `id` `count` times through `rerunTaskFlowInstance` with
 * `base` ({config, request}; its endpoint is never reached unless a call
 * wrongly sends), then undoes its global change. Returns `{tally,
 * pendingTimers}`: outcomes by label (`resolved` when a call succeeded) and
 * the timers the calls left behind.
 */
export async function throwMany(dms, id, count, base) {
  const scenario = THROWING_IMPORTS.find((c) => c.id === id);
  if (!scenario) throw new Error(`no throwing-import case ${id}`);
  const tally = {};
  const timers = trackTimers();
  const undo = scenario.install?.();
  try {
    for (let i = 0; i < count; i++) {
      const { config, request } = scenario.arrange(base);
      let outcome = 'resolved';
      try {
        await dms.rerunTaskFlowInstance(config, request);
      } catch (error) {
        outcome = label(dms, error, scenario.expect);
      }
      tally[outcome] = (tally[outcome] ?? 0) + 1;
    }
  } finally {
    undo?.();
    timers.undo();
  }
  return { tally, pendingTimers: timers.pending.size };
}
