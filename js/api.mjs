// The public JS surface, shared by every runtime's entry.
//
// Who owns what (src/wasm/mod.rs says the same): Rust reads the input,
// validates it, signs, issues the `fetch`, judges each answer, decides
// whether and when to retry, and writes every error's kind, code and
// message. This file does only what must be JS: copying the caller's own
// properties once, the awaits, the budget timer, listening to the caller's
// AbortSignal, and reading the body stream up to the limit Rust sets.

/** Every `DmsError.kind`. */
export const ErrorKind = Object.freeze({
  InvalidInput: 'InvalidInput',
  Network: 'Network',
  Timeout: 'Timeout',
  Aborted: 'Aborted',
  Api: 'Api',
  InvalidResponse: 'InvalidResponse',
});

/** Codes this package produces itself; the gateway's and the API's pass through as they came. */
export const ErrorCode = Object.freeze({
  NetworkError: 'NetworkError',
  Timeout: 'Timeout',
  Aborted: 'Aborted',
  NotJson: 'InvalidResponse.NotJson',
  MissingSuccess: 'InvalidResponse.MissingSuccess',
  MissingCode: 'InvalidResponse.MissingCode',
  TooLarge: 'InvalidResponse.TooLarge',
  NotHttp: 'InvalidResponse.NotHttp',
  BadList: 'InvalidResponse.BadList',
  InvalidParameterPrefix: 'InvalidParameter.',
  SignatureDoesNotMatch: 'SignatureDoesNotMatch',
});

/** Every failure of this package: see README "Errors". */
export class DmsError extends Error {
  constructor(record, options) {
    // Own properties only: a polluted Object.prototype must not add a
    // request id or anything else the record does not hold.
    const own = (key) => (Object.hasOwn(record, key) ? record[key] : undefined);
    super(own('message'), options);
    this.name = 'DmsError';
    this.kind = own('kind');
    this.code = own('code');
    this.retryable = own('retryable') === true;
    for (const key of ['requestId', 'httpStatus', 'recommend', 'attempts']) {
      const value = own(key);
      if (value != null) this[key] = value;
    }
  }
}

/**
 * The engine's JSON parser, captured at load: Rust hands results and failure
 * records over as JSON text, and a page that later replaces the global must
 * not turn every error into something else.
 */
const parseJSON = JSON.parse;

/** Whether a thrown value is a failure record from Rust (JSON text of named fields, src/wasm/failure.rs). */
function isRecord(value) {
  return typeof value === 'string' && value.startsWith('{"kind":');
}

/** Longest string of a runtime's error that is handed to Rust. */
const FACT_LIMIT = 4096;

/**
 * What a runtime's network error says, as `[detail, text, copy]` (see
 * `Call.stopped` in src/wasm/mod.rs): `detail` is its system code, or its
 * name and message; `copy` is a new Error carrying only its name, message
 * and code (and the same of its own cause), which is what may become
 * `DmsError.cause`; `text` is every string of that copy, for Rust to check.
 * A copy, not the original: an error can hold the signed URL anywhere (a
 * `Request`, a `URL`, an AggregateError's list, a Symbol key, `toString`),
 * and none of that rides along.
 */
function facts(error) {
  try {
    const texts = [];
    let oversized = false;
    const copy = (value, depth) => {
      if (typeof value === 'string') value = { message: value };
      if (value === null || typeof value !== 'object') return undefined;
      const take = (key) => {
        const v = value[key];
        if (typeof v !== 'string') return undefined;
        if (v.length > FACT_LIMIT) oversized = true;
        texts.push(v);
        return v;
      };
      const message = take('message') ?? '';
      const name = take('name');
      const code = take('code');
      const inner = depth < 2 && value.cause !== undefined ? copy(value.cause, depth + 1) : undefined;
      const out = new Error(message, inner === undefined ? undefined : { cause: inner });
      if (name !== undefined) out.name = name;
      if (code !== undefined) out.code = code;
      return out;
    };
    const kept = copy(error, 0);
    const inner = kept?.cause;
    const detail = typeof inner?.code === 'string' ? inner.code
      : typeof kept?.code === 'string' ? kept.code
      : [kept?.name, kept?.message, inner?.message].filter(Boolean).join(': ');
    // Nothing long crosses into wasm memory (which never shrinks): a huge
    // error keeps no cause, and its detail is cut (Rust shows 160 characters).
    if (oversized) return [detail.slice(0, 200) || undefined, undefined, undefined];
    return [detail || undefined, kept === undefined ? undefined : texts.join('\n'), kept];
  } catch {
    return [undefined, undefined, undefined];
  }
}

const RERUN = 'ReRunTaskFlowInstance';
const LIST = 'ListTaskFlowInstance';

/** Wires the public functions to one initialised wasm-bindgen glue module. */
export function bind(glue) {
  const { Call, Stop, Refusal } = glue;
  const maxBodyBytes = glue.maxBodyBytes();
  const fields = new Map();

  /** A failure record from Rust becomes a `DmsError`; anything else is a bug, rethrown as is. */
  function upgrade(error, cause) {
    if (!isRecord(error)) return error;
    const record = parseJSON(error);
    const keep = Object.hasOwn(record, 'keepCause') && record.keepCause === true;
    return new DmsError(record, keep && cause !== undefined ? { cause } : undefined);
  }

  /**
   * The caller's own properties named by `names`, each read exactly once
   * (nothing from the prototype). A getter or Proxy trap that throws
   * refuses the call.
   */
  function copy(object, names, what, optional) {
    const out = { __proto__: null };
    if (optional && (object === undefined || object === null)) return out;
    if (typeof object !== 'object' || object === null || Array.isArray(object)) throw glue.refuse(what, Refusal.NotAnObject);
    for (const name of names) {
      try {
        if (Object.hasOwn(object, name)) out[name] = object[name];
      } catch {
        throw glue.refuse(name, Refusal.Unreadable);
      }
    }
    return out;
  }

  /** `[config fields, request fields]` of `action`, from Rust's tables. */
  function namesOf(action) {
    let names = fields.get(action);
    if (!names) fields.set(action, (names = parseJSON(glue.inputFields(action))));
    return names;
  }

  /** The caller's input copied once: the values in Rust's order, and the signal to listen to. */
  function values(action, config, request, what) {
    const [configNames, requestNames] = namesOf(action);
    const c = copy(config, configNames, 'config');
    const r = copy(request, requestNames, what);
    const out = [];
    for (const name of configNames) out.push(c[name]);
    for (const name of requestNames) out.push(r[name]);
    return { values: out, signal: c.signal };
  }

  function preview(action, config, request, overrides, what) {
    try {
      const o = copy(overrides, ['timestamp', 'nonce'], 'overrides', true);
      const p = parseJSON(glue.preview(action, values(action, config, request, what).values, o.timestamp, o.nonce));
      return {
        method: p.method, url: p.url, headers: {}, body: null,
        canonicalQuery: p.canonicalQuery, stringToSign: p.stringToSign, signature: p.signature,
      };
    } catch (error) {
      throw upgrade(error);
    }
  }

  async function run(action, config, request, what) {
    let call;
    let wait;
    try {
      const opened = values(action, config, request, what);
      call = new Call(action, opened.values);
      try {
        wait = new Wait(call.timeoutMs, opened.signal, Stop);
      } catch {
        throw glue.refuse('signal', Refusal.Unreadable);
      }
      return await attempts(call, wait);
    } catch (error) {
      throw upgrade(error);
    } finally {
      wait?.end();
      call?.free();
    }
  }

  /** Sends until Rust judges an answer a success, or says not to retry. */
  async function attempts(call, wait) {
    for (;;) {
      if (wait.stop !== undefined) throw call.stopped(wait.stop);
      let failure;
      wait.cause = undefined;
      try {
        return await attempt(call, wait);
      } catch (error) {
        if (!isRecord(error)) throw error;
        failure = error;
      }
      const delay = call.retryDelay();
      if (delay < 0) throw upgrade(failure, wait.cause);
      // A stop during the wait is reported at the top of the loop.
      await wait.sleep(delay).catch(() => {});
    }
  }

  /** One request: send, await the answer, read the body, judge. */
  async function attempt(call, wait) {
    const sent = call.send(wait.controller.signal);
    let response;
    try {
      response = await wait.race(sent);
    } catch (error) {
      throw failed(call, wait, Stop.Network, error);
    }
    let status;
    let headers;
    try {
      status = response.status;
      headers = response.headers;
    } catch {
      status = undefined;
    }
    let body;
    try {
      body = typeof status === 'number' ? await readBody(response, wait) : '';
    } catch (error) {
      throw failed(call, wait, Stop.BodyNetwork, error, status, headers);
    }
    return parseJSON(call.judge(status, headers, body));
  }

  /**
   * Rust's failure for what JS saw. For a rejected promise JS reads the
   * runtime's error (its code, or name and message; the texts it holds) and
   * Rust writes the message and decides whether the error may be kept as `cause`.
   */
  function failed(call, wait, stop, error, status, headers) {
    if (wait.stop !== undefined) return call.stopped(wait.stop, undefined, undefined, status, headers);
    const [detail, text, copy] = facts(error);
    // A copy of the runtime's error; Rust decides whether it may be kept.
    wait.cause = copy;
    return call.stopped(stop, detail, text, status, headers);
  }

  /** The body text, counting the bytes the stream yields (decoded, whatever the headers say); `undefined` past the limit. */
  async function readBody(response, wait) {
    const stream = response.body;
    if (stream && typeof stream.getReader === 'function') {
      const reader = stream.getReader();
      const chunks = [];
      let size = 0;
      for (;;) {
        const { done, value } = await wait.race(reader.read());
        if (done) break;
        if (!(value instanceof Uint8Array)) {
          reader.cancel().catch(() => {});
          throw new TypeError('the response body is not a byte stream');
        }
        size += value.byteLength;
        if (size > maxBodyBytes) {
          reader.cancel().catch(() => {});
          return undefined;
        }
        chunks.push(value);
      }
      if (chunks.length === 1) return new TextDecoder().decode(chunks[0]);
      const bytes = new Uint8Array(size);
      let at = 0;
      for (const chunk of chunks) {
        bytes.set(chunk, at);
        at += chunk.byteLength;
      }
      return new TextDecoder().decode(bytes);
    }
    if (stream === null) return '';
    if (typeof response.text === 'function') {
      // A Response-like without a stream (a caller's fetch double): the limit counts UTF-8 bytes.
      const text = String(await wait.race(response.text()));
      return new TextEncoder().encode(text).byteLength > maxBodyBytes ? undefined : text;
    }
    return '';
  }

  async function* iterate(config, query) {
    let c;
    let q;
    try {
      const [configNames, requestNames] = namesOf(LIST);
      c = copy(config, configNames, 'config');
      q = copy(query, requestNames, 'query');
    } catch (error) {
      throw upgrade(error);
    }
    let pageIndex = q.pageIndex ?? 1;
    for (;;) {
      const page = await run(LIST, c, { ...q, pageIndex }, 'query');
      for (const instance of page.instances) yield instance;
      const seen = (page.pageIndex - 1) * page.pageSize + page.instances.length;
      if (page.instances.length === 0 || seen >= page.totalCount) return;
      pageIndex = page.pageIndex + 1;
    }
  }

  return {
    rerunTaskFlowInstance: (config, request) => run(RERUN, config, request, 'request'),
    signRerunTaskFlowInstance: (config, request, overrides) => preview(RERUN, config, request, overrides, 'request'),
    listTaskFlowInstances: (config, query) => run(LIST, config, query, 'query'),
    iterateTaskFlowInstances: iterate,
    signListTaskFlowInstances: (config, query, overrides) => preview(LIST, config, query, overrides, 'query'),
  };
}

/**
 * Calls waiting on each caller `AbortSignal`. One listener per signal, not
 * per call: Node warns ("possible EventTarget memory leak") past 10
 * listeners, and a dashboard may share one signal across many reruns.
 */
const watchers = new WeakMap();

/**
 * One call's waiting: the budget timer, the caller's signal, the backoff
 * sleep, and every await raced against them. `stop` is the `Stop` that ended
 * it (Timeout or Aborted), once one did.
 */
class Wait {
  constructor(timeoutMs, signal, { Timeout, Aborted }) {
    this.controller = new AbortController();
    this.stop = undefined;
    this.stopped = new Promise((resolve) => { this.wake = resolve; });
    // The caller's signal first: if reading it throws, no timer is left behind.
    if (signal) {
      const aborted = signal.aborted;
      let calls = watchers.get(signal);
      if (!calls) {
        calls = new Set();
        calls.onAbort = () => { for (const c of calls) c.halt(Aborted); };
        signal.addEventListener('abort', calls.onAbort);
        watchers.set(signal, calls);
      }
      calls.add(this);
      this.signal = signal;
      if (aborted) this.halt(Aborted);
    }
    if (timeoutMs > 0 && this.stop === undefined) this.timer = setTimeout(() => this.halt(Timeout), timeoutMs);
  }

  halt(stop) {
    if (this.stop !== undefined) return;
    this.stop = stop;
    clearTimeout(this.sleeper);
    this.controller.abort();
    this.wake();
  }

  end() {
    clearTimeout(this.timer);
    clearTimeout(this.sleeper);
    const calls = this.signal && watchers.get(this.signal);
    if (!calls) return;
    calls.delete(this);
    if (calls.size === 0) {
      this.signal.removeEventListener('abort', calls.onAbort);
      watchers.delete(this.signal);
    }
  }

  /** `promise`'s value unless the call stops first; then it throws a marker the caller turns into Rust's failure. */
  async race(promise) {
    const value = await Promise.race([promise, this.stopped]);
    if (this.stop !== undefined) throw STOPPED;
    return value;
  }

  /** The backoff wait; its timer is cleared when the call stops, so nothing keeps the process alive. */
  async sleep(ms) {
    await this.race(new Promise((resolve) => { this.sleeper = setTimeout(resolve, ms); }));
  }
}

const STOPPED = Symbol('stopped');
