// The public JS surface, shared by every runtime's entry.
//
// Rust validates, signs and sends; this file only reads the caller's options
// (plain property reads are far cheaper in JS than across the wasm boundary),
// names the positional results, and upgrades error records to `DmsError`.

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

/** Error records from Rust become `DmsError`s; anything else is a bug and is rethrown as is. */
function upgrade(error) {
  if (error instanceof DmsError) return error;
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

/** Wires the public functions to one initialised wasm-bindgen glue module. */
export function bind(glue) {
  function signRerunTaskFlowInstance(config, request, overrides) {
    let signed;
    try {
      const c = asObject(config, 'config');
      const r = asObject(request, 'request');
      const o = asObject(overrides, 'overrides', true);
      signed = glue.signRequest(
        c.accessKeyId, c.accessKeySecret, c.securityToken, c.endpoint, c.regionId, c.method,
        r.tid, r.dagId, r.dagInstanceId, r.dagVersion,
        c.timeoutMs, c.maxRetries, c.signal, c.fetch,
        o.timestamp, o.nonce,
      );
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
    let result;
    try {
      const c = asObject(config, 'config');
      const r = asObject(request, 'request');
      result = await glue.rerun(
        c.accessKeyId, c.accessKeySecret, c.securityToken, c.endpoint, c.regionId, c.method,
        r.tid, r.dagId, r.dagInstanceId, r.dagVersion,
        c.timeoutMs, c.maxRetries, c.signal, c.fetch,
      );
    } catch (error) {
      throw upgrade(error);
    }
    const out = { requestId: result[0], success: true };
    if (result[1] !== undefined) out.errorCode = result[1];
    if (result[2] !== undefined) out.errorMessage = result[2];
    return out;
  }

  return { rerunTaskFlowInstance, signRerunTaskFlowInstance };
}
