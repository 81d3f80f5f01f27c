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
use alloc::vec;
use alloc::vec::Vec;

mod input;
mod judge;
mod send;

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;

use crate::clock::{format_nonce, format_timestamp};
use crate::error::{DmsError, Kind};
use crate::request::{sign_rerun, SignedRequest};
use input::{nonce_override, timestamp_override, transport, RawTarget, Target};

pub use judge::{backoff_ms, judge};
pub use send::send_request;

/// Signs without sending. Returns `[method, url, canonicalQuery, stringToSign, signature]`.
#[wasm_bindgen(js_name = signRequest)]
#[allow(clippy::too_many_arguments)]
pub fn sign_request(
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
) -> Result<Vec<String>, JsValue> {
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
    let signed = (|| {
        let target = raw.read()?;
        // Same Config as `rerunTaskFlowInstance`: refuse what it would refuse.
        transport(&timeout_ms, &max_retries, &signal, &fetch)?;
        let timestamp = timestamp_override(&timestamp)?;
        let nonce = nonce_override(&nonce)?;
        sign_now(&target, timestamp, nonce)
    })()
    .map_err(|e| error_record(&e))?;
    Ok(vec![
        String::from(signed.method.as_str()),
        signed.url,
        signed.canonical_query,
        signed.string_to_sign,
        signed.signature,
    ])
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
            getrandom::fill(&mut bytes).map_err(|_| {
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

/// The plain record the JS entry turns into a `DmsError`.
fn error_record(err: &DmsError) -> JsValue {
    let record = Object::new();
    let set = |key: &str, value: JsValue| {
        let _ = Reflect::set(&record, &JsValue::from_str(key), &value);
    };
    set("kind", JsValue::from_str(err.kind.as_str()));
    set("code", JsValue::from_str(&err.code));
    set("message", JsValue::from_str(&err.message));
    set("retryable", JsValue::from_bool(err.retryable));
    if let Some(id) = &err.request_id {
        set("requestId", JsValue::from_str(id));
    }
    if let Some(status) = err.http_status {
        set("httpStatus", JsValue::from_f64(f64::from(status)));
    }
    if let Some(link) = &err.recommend {
        set("recommend", JsValue::from_str(link));
    }
    if let Some(attempts) = err.attempts {
        set("attempts", JsValue::from_f64(f64::from(attempts)));
    }
    if let Some(wait) = err.retry_after_ms {
        // Read by the entry's retry loop, not copied onto the DmsError.
        set("retryAfterMs", JsValue::from_f64(f64::from(wait)));
    }
    record.into()
}
