//! What an answer means, and how long to wait before the next attempt.
//!
//! The entry reads the status, three headers and at most 1 MiB of body;
//! `JSON.parse` (in the engine: exact and free in wasm bytes) parses it and
//! the pure rules in `crate::response` decide.

use alloc::string::String;

use js_sys::{Array, Reflect};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;

use super::{error_record, random};
use crate::error::{DmsError, Kind};
use crate::response::{classify, redact, retry_after_ms, Body, Fields};
use crate::retry;

#[wasm_bindgen]
extern "C" {
    /// `JSON.parse` on a JS string, without copying the body into wasm.
    #[wasm_bindgen(js_namespace = JSON, js_name = parse, catch)]
    fn json_parse(text: &JsValue) -> Result<JsValue, JsValue>;
}

/// Judges one answer. `body` is the text, or `undefined` when it was over
/// 1 MiB (the entry stopped reading). Resolves to
/// `[requestId, errorCode | undefined, errorMessage | undefined]`; throws an
/// error record (`Api` or `InvalidResponse`) that carries `retryable` and,
/// when the server sent one, `retryAfterMs`. `security_token` (a credential)
/// is redacted from the gateway's message.
#[wasm_bindgen]
pub fn judge(
    status: JsValue,
    body: JsValue,
    acs_retry_after: Option<String>,
    retry_after: Option<String>,
    request_id_header: Option<String>,
    security_token: Option<String>,
) -> Result<Array, JsValue> {
    let Some(status) = status
        .as_f64()
        .filter(|&s| (100.0..=599.0).contains(&s) && crate::params::is_integer(s))
        .map(|s| s as u16)
    else {
        return Err(error_record(&DmsError::new(
            Kind::InvalidResponse,
            "InvalidResponse.NotHttp",
            "fetch returned something that is not a Response",
        )));
    };
    let body = if body.is_undefined() {
        Body::TooLarge
    } else {
        parse(&body)
    };
    let hint = retry_after_ms(acs_retry_after.as_deref(), retry_after.as_deref());
    match classify(status, body, hint) {
        Ok(rerun) => {
            let out = Array::new_with_length(3);
            out.set(0, JsValue::from_str(&rerun.request_id));
            out.set(1, optional(rerun.error_code));
            out.set(2, optional(rerun.error_message));
            Ok(out)
        }
        Err(mut err) => {
            // Gateway pages that are not JSON still carry the id in a header.
            if err.request_id.is_none() {
                err.request_id = request_id_header;
            }
            // The gateway quotes its string to sign, which holds an STS token.
            if let Some(token) = security_token.as_deref() {
                err.message = redact(&err.message, token);
            }
            Err(error_record(&err))
        }
    }
}

/// Milliseconds to wait before retry number `retry` (1-based): full jitter
/// under a capped exponential ceiling, or the server's hint; `-1` when the
/// hint is too long to honour (then the call fails with the answer it has).
#[wasm_bindgen(js_name = backoffMs)]
pub fn backoff_ms(retry: u32, hint_ms: Option<u32>) -> f64 {
    let mut bytes = [0u8; 4];
    let unit = match random::fill(&mut bytes) {
        Ok(()) => f64::from(u32::from_le_bytes(bytes)) / 4_294_967_296.0,
        Err(_) => 0.5,
    };
    retry::backoff_ms(retry, unit, hint_ms).unwrap_or(-1.0)
}

fn optional(value: Option<String>) -> JsValue {
    value
        .as_deref()
        .map_or(JsValue::UNDEFINED, JsValue::from_str)
}

/// `JSON.parse` → the fields the judge needs; anything but an object is `NotJson`.
fn parse(text: &JsValue) -> Body {
    if !text.is_string() {
        return Body::NotJson;
    }
    let Ok(value) = json_parse(text) else {
        return Body::NotJson;
    };
    if !value.is_object() || js_sys::Array::is_array(&value) {
        return Body::NotJson;
    }
    let get = |key: &str| Reflect::get(&value, &JsValue::from_str(key)).ok();
    let string = |key: &str| get(key).and_then(|v| v.as_string());
    Body::Object(Fields {
        request_id: string("RequestId"),
        success: get("Success").and_then(|v| v.as_bool()),
        error_code: string("ErrorCode"),
        error_message: string("ErrorMessage"),
        code: string("Code"),
        message: string("Message"),
        recommend: string("Recommend"),
    })
}
