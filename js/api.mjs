// The public JS surface, shared by every runtime's entry.
//
// Rust validates, signs, issues the fetch, judges the answer and sets the
// retry policy. This file only reads the caller's options (plain property
// reads are far cheaper in JS than across the wasm boundary), does the
// waiting (awaits, the timeoutMs timer, the caller's AbortSignal, reading at
// most 1 MiB of body), names the positional results, and upgrades error
// records to `DmsError`.

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
  InvalidParameterPrefix: 'InvalidParameter.',
  SignatureDoesNotMatch: 'SignatureDoesNotMatch',
});

/** Every failure of this package: see README "Errors". */
export class DmsError extends Error {
  constructor(record) {
    super(record.message);
    this.name = 'DmsError';
    this.kind = record.kind;
    this.code = record.code;
    this.retryable = record.retryable === true;
    if (record.requestId !== undefined) this.requestId = record.requestId;
    if (record.httpStatus !== undefined) this.httpStatus = record.httpStatus;
    if (record.recommend !== undefined) this.recommend = record.recommend;
    if (record.attempts !== undefined) this.attempts = record.attempts;
  }
}

function invalid(field, message) {
  const code = 'InvalidParameter.' + field[0].toUpperCase() + field.slice(1);
  return new DmsError({ kind: 'InvalidInput', code, message: field + ' ' + message, retryable: false });
}

/** Rust's positional error record → a plain record (see `error_record` in src/wasm/mod.rs). */
function fromRust(error) {
  if (!Array.isArray(error) || typeof error[0] !== 'string') return error;
  const [kind, code, message, retryable, requestId, httpStatus, recommend, attempts, retryAfterMs] = error;
  return { kind, code, message, retryable, requestId, httpStatus, recommend, attempts, retryAfterMs };
}

/** Error records become `DmsError`s; anything else is a bug and is rethrown as is. */
function upgrade(error) {
  if (error instanceof DmsError) return error;
  error = fromRust(error);
  if (error !== null && typeof error === 'object' && typeof error.kind === 'string' && !(error instanceof Error)) {
    return new DmsError(error);
  }
  return error;
}

function asObject(value, field, optional) {
  if (optional && (value === undefined || value === null)) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(field, 'must be an object');
  }
  return value;
}

const MAX_BODY_BYTES = 1024 * 1024;
const TIMEOUT = { kind: 'Timeout', code: 'Timeout', message: 'no answer within timeoutMs; the rerun may still have happened', retryable: false };
const ABORTED = { kind: 'Aborted', code: 'Aborted', message: 'the call was aborted by its AbortSignal', retryable: false };

/**
 * Hands one answer to Rust's `judge`: `JSON.parse` here (the engine's exact
 * parser), the fields as they came, types checked in Rust. Returns the
 * RerunResult or throws Rust's error record.
 */
function judgeAnswer(glue, status, body, header, requestId, securityToken) {
  // Retry hints only matter on errors; a 2xx is judged by its body alone.
  const hints = !(status >= 200 && status < 300);
  // 0: over 1 MiB, 1: not a JSON object, 2: an object (its fields go to Rust).
  let state = 0;
  let o;
  if (body !== undefined) {
    try {
      o = JSON.parse(body);
    } catch {
      o = undefined;
    }
    state = o !== null && typeof o === 'object' && !Array.isArray(o) ? 2 : 1;
  }
  if (state !== 2) o = {};
  const result = glue.judge(
    status, state,
    o.RequestId, o.Success, o.ErrorCode, o.ErrorMessage, o.Code, o.Message, o.Recommend,
    hints ? header('x-acs-retry-after') : undefined,
    hints ? header('retry-after') : undefined,
    requestId,
    typeof securityToken === 'string' ? securityToken : undefined,
  );
  const out = { requestId: result[0], success: true };
  if (result[1] !== undefined) out.errorCode = result[1];
  if (result[2] !== undefined) out.errorMessage = result[2];
  return out;
}

/**
 * Calls waiting on each caller `AbortSignal`. One listener per signal, not
 * per call: Node warns ("possible EventTarget memory leak") past 10
 * listeners, and a dashboard may share one signal across many reruns.
 */
const watchers = new WeakMap();

function watch(signal, call) {
  let calls = watchers.get(signal);
  if (!calls) {
    calls = new Set();
    const onAbort = () => {
      for (const c of calls) c.halt(ABORTED);
    };
    calls.onAbort = onAbort;
    watchers.set(signal, calls);
    signal.addEventListener('abort', onAbort);
  }
  calls.add(call);
}

function unwatch(signal, call) {
  const calls = watchers.get(signal);
  if (!calls) return;
  calls.delete(call);
  if (calls.size === 0) {
    signal.removeEventListener('abort', calls.onAbort);
    watchers.delete(signal);
  }
}

/**
 * One call's waiting: the budget timer, the caller's signal, and every await
 * raced against them. Rust decides everything else (see src/wasm/mod.rs).
 */
class Call {
  constructor() {
    this.controller = new AbortController();
    this.stop = null; // TIMEOUT or ABORTED once stopped
    this.stopped = new Promise((resolve) => { this.wake = resolve; });
    this.attempts = 0;
  }

  halt(reason) {
    if (this.stop) return;
    this.stop = reason;
    this.controller.abort();
    this.wake();
  }

  /** Starts the budget and links the caller's signal (after the first send validated both). */
  arm(timeoutMs, signal) {
    if (timeoutMs > 0) {
      this.endsAt = Date.now() + timeoutMs;
      this.timer = setTimeout(() => this.halt(TIMEOUT), timeoutMs);
    }
    if (signal) {
      this.signal = signal;
      watch(signal, this);
      if (signal.aborted) this.halt(ABORTED);
    }
  }

  end() {
    clearTimeout(this.timer);
    if (this.signal) unwatch(this.signal, this);
  }

  failure(record, status) {
    const out = { ...record, attempts: this.attempts };
    if (status !== undefined) {
      // Headers arrived: keep the gateway's id too, the rerun may have happened.
      out.httpStatus = status;
      if (this.requestId) out.requestId = this.requestId;
    }
    return out;
  }

  /** Awaits `promise` unless the call stops first; a rejection becomes `Network`. */
  async wait(promise, status) {
    let value;
    try {
      value = await Promise.race([promise, this.stopped]);
    } catch {
      if (this.stop) throw this.failure(this.stop, status);
      const message = status === undefined
        ? 'the request could not be sent or got no answer'
        : 'the connection failed while reading the answer';
      throw this.failure({ kind: 'Network', code: 'NetworkError', message, retryable: false }, status);
    }
    if (this.stop) throw this.failure(this.stop, status);
    return value;
  }

  async run(glue, send, signal, securityToken) {
    let maxRetries = 0;
    for (;;) {
      let sent;
      try {
        sent = send(this.controller.signal);
      } catch (error) {
        const record = fromRust(error);
        // `fetch` itself threw: that attempt counts.
        if (record?.kind === 'Network') record.attempts = this.attempts + 1;
        throw record;
      }
      if (this.attempts === 0) {
        maxRetries = sent[1];
        this.arm(sent[0], signal);
      }
      this.attempts += 1;
      this.requestId = undefined;
      const response = await this.wait(sent[2]);
      const status = response?.status;
      const headers = response?.headers;
      const header = (name) => {
        try {
          const value = headers.get(name);
          return typeof value === 'string' ? value : undefined;
        } catch {
          return undefined;
        }
      };
      this.requestId = header('x-acs-request-id');
      const body = typeof status === 'number' ? await this.readBody(response, header, status) : '';
      try {
        return judgeAnswer(glue, status, body, header, this.requestId, securityToken);
      } catch (error) {
        const record = fromRust(error);
        if (!record || typeof record.kind !== 'string') throw record;
        record.attempts = this.attempts;
        if (!record.retryable || this.attempts > maxRetries) throw record;
        const delay = glue.backoffMs(this.attempts, record.retryAfterMs);
        if (delay < 0 || (this.endsAt !== undefined && Date.now() + delay >= this.endsAt)) throw record;
        await this.wait(new Promise((resolve) => setTimeout(resolve, delay)), undefined);
      }
    }
  }

  /** At most 1 MiB of body text; `undefined` once it is larger (reading stops there). */
  async readBody(response, header, status) {
    const length = header('content-length');
    const declared = typeof length === 'string' && /^\d+$/.test(length.trim()) ? Number(length) : undefined;
    const body = response.body;
    if (declared > MAX_BODY_BYTES) {
      body?.cancel?.().catch(() => {});
      return undefined;
    }
    if (declared !== undefined && typeof response.text === 'function') {
      // Length known and within the limit: the runtime's own fast path.
      return String(await this.wait(response.text(), status));
    }
    if (body && typeof body.getReader === 'function') {
      const reader = body.getReader();
      const chunks = [];
      let size = 0;
      for (;;) {
        const { done, value } = await this.wait(reader.read(), status);
        if (done) break;
        if (!(value instanceof Uint8Array)) {
          reader.cancel().catch(() => {});
          throw this.failure({ kind: 'Network', code: 'NetworkError', message: 'the response body is not a byte stream', retryable: false }, status);
        }
        size += value.byteLength;
        if (size > MAX_BODY_BYTES) {
          reader.cancel().catch(() => {});
          return undefined;
        }
        chunks.push(value);
      }
      const bytes = new Uint8Array(size);
      let at = 0;
      for (const chunk of chunks) {
        bytes.set(chunk, at);
        at += chunk.byteLength;
      }
      return new TextDecoder().decode(bytes);
    }
    if (typeof response.text === 'function') {
      // A Response-like without a stream: the limit counts UTF-8 bytes.
      const text = String(await this.wait(response.text(), status));
      return new TextEncoder().encode(text).byteLength > MAX_BODY_BYTES ? undefined : text;
    }
    return '';
  }
}

/**
 * Rust's `prepare` with the caller's options as positional arguments:
 * validate, sign (with `overrides`, else a fresh timestamp and nonce) and,
 * given `abort`, send.
 */
function prepare(glue, c, r, overrides, abort) {
  return glue.prepare(
    c.accessKeyId, c.accessKeySecret, c.securityToken, c.endpoint, c.regionId, c.method,
    r.tid, r.dagId, r.dagInstanceId, r.dagVersion,
    c.timeoutMs, c.maxRetries, c.signal, c.fetch,
    overrides.timestamp, overrides.nonce, abort,
  );
}

/** Wires the public functions to one initialised wasm-bindgen glue module. */
export function bind(glue) {
  function signRerunTaskFlowInstance(config, request, overrides) {
    let signed;
    try {
      signed = prepare(glue, asObject(config, 'config'), asObject(request, 'request'), asObject(overrides, 'overrides', true));
    } catch (error) {
      throw upgrade(error);
    }
    return {
      method: signed[0],
      url: signed[1],
      headers: {},
      body: null,
      canonicalQuery: signed[2],
      stringToSign: signed[3],
      signature: signed[4],
    };
  }

  async function rerunTaskFlowInstance(config, request) {
    const call = new Call();
    try {
      const c = asObject(config, 'config');
      const r = asObject(request, 'request');
      // Each attempt: validated, signed afresh (new nonce and timestamp) and sent.
      const send = (abort) => prepare(glue, c, r, {}, abort);
      return await call.run(glue, send, c.signal, c.securityToken);
    } catch (error) {
      throw upgrade(error);
    } finally {
      call.end();
    }
  }

  return { rerunTaskFlowInstance, signRerunTaskFlowInstance };
}
