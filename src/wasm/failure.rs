//! `Failure`: how a `DmsError` crosses to JS, as a record with named fields.
//!
//! The entry turns it into the public `DmsError`. `Stop` names the failures only JS can observe (its timer, the
//! caller's signal, a rejected promise); Rust still writes their kind, code
//! and message.

use alloc::string::String;

use js_sys::Array;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;

use super::js;
use crate::error::{DmsError, Kind};
use crate::response::contains;

/// A failed call or attempt, as the plain record the entry throws as a
/// `DmsError`: `{ kind, code, message, retryable, requestId?, httpStatus?,
/// recommend?, attempts?, keepCause? }`. Built with `Object.fromEntries`
/// (named fields, one shape, no getter exports to pay for in wasm).
pub struct Failure {
    pub(crate) error: DmsError,
    /// Whether the runtime's error may be kept as `cause` (it holds no
    /// signature, token or signed URL).
    pub(crate) keep_cause: bool,
}

impl From<DmsError> for Failure {
    fn from(error: DmsError) -> Self {
        Failure {
            error,
            keep_cause: false,
        }
    }
}

impl From<Failure> for JsValue {
    fn from(failure: Failure) -> JsValue {
        let err = failure.error;
        let pairs = Array::new();
        let push = |key: &str, value: JsValue| {
            pairs.push(&Array::of2(&JsValue::from_str(key), &value));
        };
        push("kind", JsValue::from_str(err.kind.as_str()));
        push("code", JsValue::from_str(&err.code));
        push("message", JsValue::from_str(&err.message));
        push("retryable", JsValue::from_bool(err.retryable));
        for (key, value) in [
            ("requestId", err.request_id.as_deref()),
            ("recommend", err.recommend.as_deref()),
        ] {
            if let Some(value) = value {
                push(key, JsValue::from_str(value));
            }
        }
        if let Some(status) = err.http_status {
            push("httpStatus", JsValue::from_f64(f64::from(status)));
        }
        if let Some(attempts) = err.attempts {
            push("attempts", JsValue::from_f64(f64::from(attempts)));
        }
        if failure.keep_cause {
            push("keepCause", JsValue::TRUE);
        }
        // `fromEntries` cannot throw on an array of pairs; `null` would only
        // surface as a non-record the entry rethrows as is.
        js::from_entries(&pairs).unwrap_or(JsValue::NULL)
    }
}

/// What stopped an attempt, as only the entry can see it.
#[wasm_bindgen]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// `timeoutMs` ran out.
    Timeout = 0,
    /// The caller's `AbortSignal` fired.
    Aborted = 1,
    /// `fetch` rejected: no answer.
    Network = 2,
    /// Reading the body failed after the headers arrived.
    BodyNetwork = 3,
}

/// The error for `stop`, before counting attempts.
pub(crate) fn stopped(stop: Stop, cause: &JsValue) -> DmsError {
    match stop {
        Stop::Timeout => DmsError::new(
            Kind::Timeout,
            "Timeout",
            "no answer within timeoutMs; the rerun may still have happened",
        ),
        Stop::Aborted => DmsError::new(
            Kind::Aborted,
            "Aborted",
            "the call was aborted by its AbortSignal",
        ),
        Stop::Network | Stop::BodyNetwork => {
            let mut message = String::from(if stop == Stop::Network {
                "the request could not be sent or got no answer"
            } else {
                "the connection failed while reading the answer"
            });
            if let Some(what) = describe(cause) {
                message.push_str(" (");
                message.push_str(&what);
                message.push(')');
            }
            DmsError::new(Kind::Network, "NetworkError", message)
        }
    }
}

/// Which network failure it was, from the runtime's error: undici puts a
/// system code (`ECONNREFUSED`, `ENOTFOUND`, …) on `cause.code`; browsers
/// and workerd only have a name and message.
fn describe(error: &JsValue) -> Option<String> {
    let inner = js::get(error, "cause").ok().filter(|c| c.is_object());
    let code = inner
        .as_ref()
        .and_then(|c| js::get(c, "code").ok())
        .or_else(|| js::get(error, "code").ok())
        .and_then(|c| c.as_string())
        .filter(|c| c.len() <= 64 && c.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'));
    if let Some(code) = code {
        let meaning = match code.as_str() {
            "ECONNREFUSED" => "connection refused",
            "ENOTFOUND" | "EAI_AGAIN" => "DNS lookup failed",
            "ECONNRESET" | "UND_ERR_SOCKET" | "EPIPE" => "connection reset",
            "ETIMEDOUT" | "UND_ERR_CONNECT_TIMEOUT" => "connect timed out",
            "EHOSTUNREACH" | "ENETUNREACH" => "host unreachable",
            c if contains(c, "CERT") || c.starts_with("ERR_TLS") || c.starts_with("ERR_SSL") => {
                "TLS failure"
            }
            _ => "",
        };
        let mut out = code.clone();
        if !meaning.is_empty() {
            out.push_str(": ");
            out.push_str(meaning);
        }
        return Some(out);
    }
    let text = |value: &JsValue, key: &str| js::get(value, key).ok().and_then(|v| v.as_string());
    let name = text(error, "name");
    let message = text(error, "message");
    let detail = inner.as_ref().and_then(|c| text(c, "message"));
    let mut out = String::new();
    for part in [name, message, detail].into_iter().flatten() {
        if !out.is_empty() {
            out.push_str(": ");
        }
        // Printable ASCII only and short: this text is shown to people.
        out.extend(part.chars().filter(|c| (' '..='~').contains(c)).take(120));
    }
    (!out.is_empty()).then_some(out)
}
