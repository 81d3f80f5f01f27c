//! JS bindings: one [`Call`] object per public call.
//!
//! Ownership, stated once (README "How it is built" says the same):
//! - **Rust** reads the caller's input (once, from the entry's copy of the
//!   own properties), validates it, signs, issues `fetch` through web-sys,
//!   judges each answer, decides whether and when to retry and whether the
//!   wait fits the budget, and writes every error's kind, code and message.
//! - **JS** (`js/api.mjs`) does only what must be JS: copying the caller's
//!   own properties once, by the names [`input_fields`] gives (property
//!   reads are cheap in JS), the `await`s, the budget timer, listening to
//!   the caller's `AbortSignal`, and reading the body stream (counting
//!   decoded bytes against [`max_body_bytes`]).
//!
//! Values cross into Rust as one array in table order; results, previews
//! and failure records cross back as JSON text with named fields. Keeping
//! the awaits in JS means no async runtime in the wasm. Every import that
//! can throw is declared `catch` (see `js`).

use alloc::string::String;
use alloc::vec::Vec;

mod failure;
mod input;
mod js;
mod judge;
mod random;
mod send;

use js_sys::{JsString, Promise};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;
use web_sys::AbortSignal;

pub use failure::{Failure, Stop};

use crate::clock::{format_nonce, format_timestamp};
use crate::error::{DmsError, Kind};
use crate::json::{write_string, ObjectWriter};
use crate::operation::{by_action, Operation, CONFIG};
use crate::request::{sign_call, SignedRequest};
use crate::response::{contains, redact, MAX_BODY_BYTES};
use crate::retry;
use input::{Input, OBJECT_FIELDS};

/// The names of the input slots for `action`, as the JSON text of
/// `[configFields, requestFields]` (no request fields for an unknown action, which
/// [`Call::new`] then refuses): `Call::new` reads the values in this order.
/// The entry copies the caller's own properties by these names, once per call.
#[wasm_bindgen(js_name = inputFields)]
pub fn input_fields(action: &str) -> String {
    let mut out = String::from("[[");
    let config = CONFIG.iter().map(|p| p.field).chain(OBJECT_FIELDS);
    for (i, name) in config.enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_string(&mut out, name);
    }
    out.push_str("],[");
    for (i, param) in by_action(action)
        .map_or(&[][..], |op| op.params)
        .iter()
        .enumerate()
    {
        if i > 0 {
            out.push(',');
        }
        write_string(&mut out, param.field);
    }
    out.push_str("]]");
    out
}

/// Signs without sending (the sync preview functions): reads `values` as
/// [`Call::new`] does and returns the JSON text of `{ method, url,
/// canonicalQuery, stringToSign, signature }`, in one
/// crossing and without a `Call` object to allocate and free.
#[wasm_bindgen]
pub fn preview(
    action: &str,
    values: Vec<JsValue>,
    timestamp: JsValue,
    nonce: JsValue,
) -> Result<String, Failure> {
    Call::new(action, values)?.preview(timestamp, nonce)
}

/// Why the entry could not copy an input object.
#[wasm_bindgen]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// `config`, `request`/`query` or `overrides` is not a plain object.
    NotAnObject = 0,
    /// Reading the property threw (a getter or a Proxy trap).
    Unreadable = 1,
}

/// The `InvalidInput` failure for an input the entry could not copy: the
/// object `field` itself, or one of its properties. Nothing is sent.
#[wasm_bindgen]
pub fn refuse(field: &str, why: Refusal) -> JsValue {
    let problem = match why {
        Refusal::NotAnObject => "must be an object",
        Refusal::Unreadable => "could not be read (its getter or proxy threw)",
    };
    Failure::from(DmsError::invalid(field, problem)).into()
}

/// Largest answer body read, in decoded bytes; the entry stops reading past it.
#[wasm_bindgen(js_name = maxBodyBytes)]
pub fn max_body_bytes() -> u32 {
    MAX_BODY_BYTES as u32
}

fn operation(action: &str) -> Result<&'static Operation, DmsError> {
    by_action(action)
        .ok_or_else(|| DmsError::invalid("action", "is not an operation of this package"))
}

/// One call: its validated input, frozen, and its attempts so far.
#[wasm_bindgen]
pub struct Call {
    op: &'static Operation,
    input: Input,
    attempts: u32,
    /// `Date.now()` by which the call must end (set at the first send).
    deadline: Option<f64>,
    /// The last attempt's signature, to keep it out of any message.
    last_signature: String,
    /// The last attempt's failure, which [`Call::retry_delay`] judges.
    last_failure: Option<DmsError>,
}

#[wasm_bindgen]
impl Call {
    /// Reads and validates one call's input: `values` holds the caller's own
    /// properties named by [`input_fields`]. Nothing is sent.
    #[wasm_bindgen(constructor)]
    pub fn new(action: &str, values: Vec<JsValue>) -> Result<Call, Failure> {
        let op = operation(action)?;
        let input = input::read(op, &values)?;
        Ok(Call {
            op,
            input,
            attempts: 0,
            deadline: None,
            last_signature: String::new(),
            last_failure: None,
        })
    }

    /// The validated `timeoutMs` (0: no budget), for the entry's timer.
    #[wasm_bindgen(getter, js_name = timeoutMs)]
    pub fn timeout_ms(&self) -> u32 {
        self.input.timeout_ms
    }

    /// One attempt: signs afresh (new timestamp and nonce, same input) and
    /// hands the request to `fetch`, cancellable through `abort` (the entry's
    /// own signal, fired by its timer and the caller's signal). Returns the
    /// response promise.
    pub fn send(&mut self, abort: &AbortSignal) -> Result<Promise, Failure> {
        let signed = self.sign(None, None)?;
        if self.deadline.is_none() && self.input.timeout_ms > 0 {
            self.deadline = Some(js_sys::Date::now() + f64::from(self.input.timeout_ms));
        }
        self.attempts += 1;
        self.last_signature = signed.signature.clone();
        send::send(&signed, self.input.fetch.as_ref(), abort).map_err(|e| self.count(e))
    }

    /// Judges one answer: its status, its headers and its body text (`None`
    /// when it passed [`max_body_bytes`] and reading stopped). Returns the
    /// JSON text of the operation's result, or the failure.
    pub fn judge(
        &mut self,
        status: JsValue,
        headers: JsValue,
        body: Option<JsString>,
    ) -> Result<String, Failure> {
        let answer = judge::judge(
            self.op,
            &self.input.params,
            &status,
            &headers,
            body.as_ref(),
        );
        answer.map_err(|mut err| {
            if let Some(token) = self.input.credentials.security_token.as_deref() {
                err.message = redact(&err.message, token);
            }
            self.count(err)
        })
    }

    /// The failure for something only the entry saw: its timer, the caller's
    /// signal, or a rejected promise. For the latter the entry passes what
    /// it found on the runtime's error: `detail` (its code, or name and
    /// message) and `causeText` (every string of the copy it would keep as
    /// `cause`); the copy is kept only when that text holds no signature or
    /// token.
    /// `status` and `headers` are the answer's when its headers had arrived
    /// (else `undefined`): the rerun may then have happened, and the
    /// gateway's request id is kept.
    pub fn stopped(
        &mut self,
        stop: Stop,
        detail: Option<String>,
        cause_text: Option<String>,
        status: JsValue,
        headers: JsValue,
    ) -> JsValue {
        let detail = detail.filter(|d| !self.leaks(d));
        let mut err = failure::stopped(stop, detail.as_deref(), self.op.read_only);
        err.http_status = status
            .as_f64()
            .filter(|s| (100.0..=599.0).contains(s))
            .map(|s| s as u16);
        if err.http_status.is_some() {
            err.request_id = judge::header(&headers, "x-acs-request-id");
        }
        let mut failure = self.count(err);
        failure.keep_cause = cause_text.is_some_and(|text| !self.leaks(&text));
        failure.into()
    }

    /// Milliseconds to wait before sending again after the last failure, or
    /// -1 when the call must end with it: not retryable for this
    /// operation, no retries left, the server's hint too long, or the wait
    /// would not fit in the budget.
    #[wasm_bindgen(js_name = retryDelay)]
    pub fn retry_delay(&self) -> f64 {
        self.next_delay().unwrap_or(-1.0)
    }
}

impl Call {
    /// Signs without sending, with the given or a fresh timestamp and nonce:
    /// `{ method, url, canonicalQuery, stringToSign, signature }`.
    fn preview(&self, timestamp: JsValue, nonce: JsValue) -> Result<String, Failure> {
        let (timestamp, nonce) = input::overrides(&[timestamp, nonce])?;
        let signed = self.sign(timestamp, nonce)?;
        let mut out = ObjectWriter::default();
        out.plain("method", signed.method.as_str());
        out.plain("url", &signed.url);
        out.plain("canonicalQuery", &signed.canonical_query);
        out.plain("stringToSign", &signed.string_to_sign);
        out.plain("signature", &signed.signature);
        Ok(out.finish())
    }

    fn next_delay(&self) -> Option<f64> {
        let err = self.last_failure.as_ref()?;
        let retryable = err.retryable || (self.op.read_only && err.kind == Kind::Network);
        if !retryable || self.attempts > self.input.max_retries {
            return None;
        }
        let mut bytes = [0u8; 4];
        let unit = match random::fill(&mut bytes) {
            Ok(()) => f64::from(u32::from_le_bytes(bytes)) / 4_294_967_296.0,
            Err(_) => 0.5,
        };
        let delay = retry::backoff_ms(self.attempts, unit, err.retry_after_ms)?;
        match self.deadline {
            Some(deadline) if js_sys::Date::now() + delay >= deadline => None,
            _ => Some(delay),
        }
    }

    /// Signs with the given or fresh timestamp and nonce.
    fn sign(
        &self,
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
                        "no crypto.getRandomValues in this runtime, so no fresh nonce (a preview can take overrides.nonce)",
                    )
                })?;
                format_nonce(bytes)
            }
        };
        let input = &self.input;
        Ok(sign_call(
            &input.endpoint,
            input.method,
            &input.credentials,
            self.op.action,
            &input.params,
            &timestamp,
            &nonce,
        ))
    }

    /// `err` with this call's attempt count (when any request was sent),
    /// remembered for [`Call::retry_delay`].
    fn count(&mut self, mut err: DmsError) -> Failure {
        if self.attempts > 0 {
            err.attempts = Some(self.attempts);
        }
        self.last_failure = Some(err.clone());
        err.into()
    }

    /// Whether `text` holds the last signature or the STS token (the
    /// secret never reaches any text: it is only the HMAC key).
    fn leaks(&self, text: &str) -> bool {
        let token = self.input.credentials.security_token.as_deref();
        // `redact` finds the raw, encoded and twice-encoded forms.
        contains(text, "Signature=")
            || (!self.last_signature.is_empty() && redact(text, &self.last_signature) != text)
            || token.is_some_and(|t| redact(text, t) != text)
    }
}
