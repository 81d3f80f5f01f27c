//! What an answer means, and how long to wait before the next attempt.
//!
//! The entry reads the status, three headers and at most 1 MiB of body and
//! parses it with `JSON.parse`; the pure rules in `crate::response` decide.

use alloc::string::String;

use js_sys::Array;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;

use super::{error_record, optional_text, random};
use crate::error::{DmsError, Kind};
use crate::response::{classify, redact, retry_after_ms, Body, Fields};
use crate::retry;

/// Judges one answer. The entry `JSON.parse`s the body (the engine's parser:
/// exact, and free in wasm bytes) and passes the fields as they came; their
/// types are checked here. `body` is 0 when the body was over 1 MiB (reading
/// stopped), 1 when it is not a JSON object, 2 when the fields are its own.
/// Resolves to `[requestId, errorCode | undefined, errorMessage | undefined]`;
/// throws an error record (`Api` or `InvalidResponse`) that carries
/// `retryable` and, when the server sent one, `retryAfterMs`.
/// `security_token` (a credential) is redacted from the gateway's message.
#[wasm_bindgen]
#[allow(clippy::too_many_arguments)]
pub fn judge(
    status: JsValue,
    body: u8,
    request_id: JsValue,
    success: JsValue,
    error_code: JsValue,
    error_message: JsValue,
    code: JsValue,
    message: JsValue,
    recommend: JsValue,
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
    let body = match body {
        0 => Body::TooLarge,
        2 => Body::Object(Fields {
            request_id: request_id.as_string(),
            success: success.as_bool(),
            error_code: error_code.as_string(),
            error_message: error_message.as_string(),
            code: code.as_string(),
            message: message.as_string(),
            recommend: recommend.as_string(),
        }),
        _ => Body::NotJson,
    };
    let hint = retry_after_ms(acs_retry_after.as_deref(), retry_after.as_deref());
    match classify(status, body, hint) {
        Ok(rerun) => {
            let out = Array::new_with_length(3);
            out.set(0, JsValue::from_str(&rerun.request_id));
            out.set(1, optional_text(rerun.error_code.as_deref()));
            out.set(2, optional_text(rerun.error_message.as_deref()));
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
