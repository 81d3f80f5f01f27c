//! `Failure`: how a `DmsError` crosses to JS, as a record with named fields,
//! which the entry turns into the public `DmsError`. `Stop` names the
//! failures only JS can observe (its timer, the caller's signal, a rejected
//! promise); Rust still writes their kind, code and message.

use alloc::string::String;

use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;

use crate::error::{DmsError, Kind};
use crate::json::ObjectWriter;
use crate::params::id_to_string;

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
        let mut out = ObjectWriter::default();
        out.string("kind", err.kind.as_str());
        out.string("code", &err.code);
        out.string("message", &err.message);
        out.raw("retryable", if err.retryable { "true" } else { "false" });
        if let Some(id) = &err.request_id {
            out.string("requestId", id);
        }
        if let Some(recommend) = &err.recommend {
            out.string("recommend", recommend);
        }
        if let Some(status) = err.http_status {
            out.raw("httpStatus", &id_to_string(u64::from(status)));
        }
        if let Some(attempts) = err.attempts {
            out.raw("attempts", &id_to_string(u64::from(attempts)));
        }
        if failure.keep_cause {
            out.raw("keepCause", "true");
        }
        JsValue::from_str(&out.finish())
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

/// The error for `stop`, before counting attempts (`read_only`: the
/// operation changes nothing, so a timeout cannot have rerun anything).
/// `detail` is what the
/// entry found on the runtime's error: a system code (`ECONNREFUSED`, which
/// undici puts on `cause.code`) or its name and message (browsers, workerd).
pub(crate) fn stopped(stop: Stop, detail: Option<&str>, read_only: bool) -> DmsError {
    let (kind, code, message) = match stop {
        // Only a call that changes something may "still have happened".
        Stop::Timeout if read_only => (Kind::Timeout, "Timeout", "no answer within timeoutMs"),
        Stop::Timeout => (
            Kind::Timeout,
            "Timeout",
            "no answer within timeoutMs; the rerun may still have happened",
        ),
        Stop::Aborted => (
            Kind::Aborted,
            "Aborted",
            "the call was aborted by its AbortSignal",
        ),
        Stop::Network => (
            Kind::Network,
            "NetworkError",
            "the request could not be sent or got no answer",
        ),
        Stop::BodyNetwork => (
            Kind::Network,
            "NetworkError",
            "the connection failed while reading the answer",
        ),
    };
    let mut message = String::from(message);
    if let Some(detail) =
        detail.filter(|_| kind == Kind::Network && !detail.unwrap_or_default().is_empty())
    {
        message.push_str(" (");
        // Printable ASCII only, and short: this text is shown to people.
        message.extend(detail.chars().filter(|c| (' '..='~').contains(c)).take(160));
        let meaning = match detail {
            "ECONNREFUSED" => ": connection refused",
            "ENOTFOUND" | "EAI_AGAIN" => ": DNS lookup failed",
            "ECONNRESET" | "UND_ERR_SOCKET" | "EPIPE" => ": connection reset",
            "ETIMEDOUT" | "UND_ERR_CONNECT_TIMEOUT" => ": connect timed out",
            "EHOSTUNREACH" | "ENETUNREACH" => ": host unreachable",
            _ => "",
        };
        message.push_str(meaning);
        message.push(')');
    }
    DmsError::new(kind, code, message)
}
