//! JS bindings: the two functions the package's JS entry wraps.
//!
//! The entry passes each option as its own argument (reading properties in
//! JS is far cheaper than `Reflect.get` across the boundary) and names the
//! positional results; this layer validates, signs, sends, and turns every
//! failure into a plain error record the entry upgrades to a `DmsError`.

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

mod deadline;
mod input;
mod transport;

use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;

use crate::clock::{format_nonce, format_timestamp};
use crate::error::{DmsError, Kind};
use crate::request::{sign_rerun, SignedRequest};
use crate::retry::backoff_ms;
use deadline::Deadline;
use input::{nonce_override, timestamp_override, transport, RawTarget, Target};

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
        // Same Config as `rerun`: refuse what `rerun` would refuse.
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

/// Signs and sends, retrying throttling and 503. Resolves to
/// `[requestId, errorCode | undefined, errorMessage | undefined]`.
#[wasm_bindgen(js_name = rerun)]
#[allow(clippy::too_many_arguments)]
pub async fn rerun(
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
) -> Result<JsValue, JsValue> {
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
    let result = async {
        let target = raw.read()?;
        let options = transport(&timeout_ms, &max_retries, &signal, &fetch)?;
        let deadline = Deadline::start(options.timeout_ms, options.signal)?;
        call_with_retries(
            &target,
            &deadline,
            options.max_retries,
            options.fetch.as_ref(),
        )
        .await
    }
    .await;
    match result {
        Ok(rerun) => {
            let out = Array::new();
            out.push(&JsValue::from_str(&rerun.request_id));
            out.push(
                &rerun
                    .error_code
                    .as_deref()
                    .map_or(JsValue::UNDEFINED, JsValue::from_str),
            );
            out.push(
                &rerun
                    .error_message
                    .as_deref()
                    .map_or(JsValue::UNDEFINED, JsValue::from_str),
            );
            Ok(out.into())
        }
        Err(err) => Err(error_record(&err)),
    }
}

/// The attempt loop: each attempt freshly signed; only `retryable` errors
/// are retried, and only while the budget allows the wait.
async fn call_with_retries(
    target: &Target,
    deadline: &Deadline,
    max_retries: u32,
    fetch: Option<&Function>,
) -> Result<crate::response::Rerun, DmsError> {
    let mut attempts: u32 = 0;
    loop {
        let signed = sign_now(target, None, None)?;
        attempts += 1;
        let mut err = match transport::send(&signed, deadline, fetch).await {
            Ok(rerun) => return Ok(rerun),
            Err(err) => err,
        };
        err.attempts = Some(attempts);
        if !err.retryable || attempts > max_retries {
            return Err(err);
        }
        let wait = backoff_ms(attempts, random_unit(), err.retry_after_ms);
        if !deadline.has_room_for(wait) {
            return Err(err);
        }
        if let Err(stop) = deadline.sleep(wait).await {
            let mut stopped = stop.error();
            stopped.attempts = Some(attempts);
            return Err(stopped);
        }
    }
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

/// A number in `[0, 1)` for backoff jitter (0 if randomness is unavailable).
fn random_unit() -> f64 {
    let mut bytes = [0u8; 4];
    match getrandom::fill(&mut bytes) {
        Ok(()) => f64::from(u32::from_le_bytes(bytes)) / 4_294_967_296.0,
        Err(_) => 0.0,
    }
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
    record.into()
}
