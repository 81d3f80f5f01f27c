//! JS bindings: what the package's JS entry (`js/api.mjs`) calls.
//!
//! Rust owns every decision — validation, signing, issuing the request with
//! `fetch`, judging the answer, the retry policy — and JS owns only the
//! waiting: the `await`s, the timer and the body stream. Keeping the awaits in
//! JS means no async runtime in the wasm (half its size) and no extra
//! boundary crossings per await.
//!
//! The entry passes each option as its own argument (property reads are far
//! cheaper in JS than `Reflect.get` across the boundary) and names the
//! positional results. Every failure becomes a plain error record that the
//! entry upgrades to a `DmsError`.

use alloc::string::String;

mod input;
mod judge;
mod random;
mod send;

use js_sys::Array;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;

use crate::clock::{format_nonce, format_timestamp};
use crate::error::{DmsError, Kind};
use crate::request::{sign_rerun, SignedRequest};
use input::{nonce_override, timestamp_override, transport, RawTarget, Target};

pub use judge::{backoff_ms, judge};
use web_sys::AbortSignal;

/// Validates config and request, signs (with the given or a fresh timestamp
/// and nonce) and, when `abort` is given, sends the request with `fetch`.
///
/// Returns `[method, url, canonicalQuery, stringToSign, signature]` when only
/// signing, `[timeoutMs, maxRetries, responsePromise]` when sending; throws
/// an error record: `InvalidInput` (nothing sent), `Aborted` (the caller's
/// signal had already fired: nothing sent) or `Network` (`fetch` threw).
/// One export serves both `signRerunTaskFlowInstance` and each attempt of
/// `rerunTaskFlowInstance`, so what is previewed is exactly what is sent.
#[wasm_bindgen]
#[allow(clippy::too_many_arguments)]
pub fn prepare(
    access_key_id: JsValue,
    access_key_secret: JsValue,
    security_token: JsValue,
    endpoint: JsValue,
    region_id: JsValue,
    method: JsValue,
    tid: JsValue,
    dag_id: JsValue,
    dag_instance_id: JsValue,
    dag_version: JsValue,
    timeout_ms: JsValue,
    max_retries: JsValue,
    signal: JsValue,
    fetch: JsValue,
    timestamp: JsValue,
    nonce: JsValue,
    abort: Option<AbortSignal>,
) -> Result<Array, JsValue> {
    let raw = RawTarget {
        access_key_id,
        access_key_secret,
        security_token,
        endpoint,
        region_id,
        method,
        tid,
        dag_id,
        dag_instance_id,
        dag_version,
    };
    (|| {
        let target = raw.read()?;
        let options = transport(&timeout_ms, &max_retries, &signal, &fetch)?;
        let timestamp = timestamp_override(&timestamp)?;
        let nonce = nonce_override(&nonce)?;
        let signed = sign_now(&target, timestamp, nonce)?;
        let out = Array::new();
        if let Some(abort) = abort {
            // Sending: the entry needs its budget and the response, not the
            // texts (each would be one more string to decode per attempt).
            out.push(&JsValue::from_f64(f64::from(options.timeout_ms)));
            out.push(&JsValue::from_f64(f64::from(options.max_retries)));
            out.push(&send::send(&signed, &options, &abort)?);
            return Ok(out);
        }
        for text in [
            signed.method.as_str(),
            &signed.url,
            &signed.canonical_query,
            &signed.string_to_sign,
            &signed.signature,
        ] {
            out.push(&JsValue::from_str(text));
        }
        Ok(out)
    })()
    .map_err(|e: DmsError| error_record(&e))
}

/// Signs with the given or fresh timestamp and nonce.
fn sign_now(
    target: &Target,
    timestamp: Option<String>,
    nonce: Option<String>,
) -> Result<SignedRequest, DmsError> {
    let timestamp = match timestamp {
        Some(t) => t,
        None => format_timestamp(js_sys::Date::now()).ok_or_else(|| {
            DmsError::new(
                Kind::InvalidInput,
                "InvalidParameter.Timestamp",
                "the system clock is outside 1970-9999",
            )
        })?,
    };
    let nonce = match nonce {
        Some(n) => n,
        None => {
            // From the random source, never the clock: Workers freeze
            // `Date.now()` between I/O, so a time-based nonce would repeat.
            let mut bytes = [0u8; 16];
            random::fill(&mut bytes).map_err(|_| {
                DmsError::new(
                    Kind::InvalidInput,
                    "InvalidParameter.Nonce",
                    "no crypto.getRandomValues in this runtime; pass a nonce",
                )
            })?;
            format_nonce(bytes)
        }
    };
    Ok(sign_rerun(
        &target.endpoint,
        target.method,
        &target.credentials,
        &target.request,
        &timestamp,
        &nonce,
    ))
}

/// The error record the JS entry turns into a `DmsError`: positional
/// `[kind, code, message, retryable, requestId, httpStatus, recommend,
/// attempts, retryAfterMs]` (cheaper in wasm than an object with named keys).
fn error_record(err: &DmsError) -> JsValue {
    let number = |value: Option<f64>| value.map_or(JsValue::UNDEFINED, JsValue::from_f64);
    let record = Array::new();
    for value in [
        JsValue::from_str(err.kind.as_str()),
        JsValue::from_str(&err.code),
        JsValue::from_str(&err.message),
        JsValue::from_bool(err.retryable),
        optional_text(err.request_id.as_deref()),
        number(err.http_status.map(f64::from)),
        optional_text(err.recommend.as_deref()),
        number(err.attempts.map(f64::from)),
        number(err.retry_after_ms.map(f64::from)),
    ] {
        record.push(&value);
    }
    record.into()
}

/// A string, or `undefined` when there is none.
fn optional_text(value: Option<&str>) -> JsValue {
    value.map_or(JsValue::UNDEFINED, JsValue::from_str)
}
