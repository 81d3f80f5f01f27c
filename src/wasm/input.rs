//! Reading JS values into validated Rust inputs.
//!
//! Every check returns a `DmsError` naming the field; nothing here panics, so
//! any JS value a caller passes leaves the instance usable.

use alloc::string::String;

use js_sys::{BigInt, Function, JsString};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::AbortSignal;

use crate::clock::is_valid_timestamp;
use crate::error::DmsError;
use crate::params::{
    id_from_f64, is_integer, is_valid_region_id, normalize_endpoint, parse_id, regional_endpoint,
    MAX_SAFE_INTEGER,
};
use crate::request::{Credentials, RerunRequest};
use crate::sign::Method;

/// `timeoutMs` when the caller leaves it out.
const DEFAULT_TIMEOUT_MS: u32 = 10_000;
/// `maxRetries` when the caller leaves it out.
const DEFAULT_MAX_RETRIES: u32 = 2;
/// Largest `maxRetries`: more would only hammer a throttled gateway.
const MAX_RETRIES_LIMIT: u32 = 10;
/// Largest `timeoutMs` timers accept (2^31 − 1).
const MAX_TIMEOUT_MS: u32 = i32::MAX as u32;

/// What to sign: credentials, where, how, and the operation's parameters.
pub(crate) struct Target {
    pub(crate) credentials: Credentials,
    pub(crate) endpoint: String,
    pub(crate) method: Method,
    pub(crate) request: RerunRequest,
}

/// How to send: the transport knobs of `Config`.
pub(crate) struct Transport {
    /// Budget for the whole call; 0 means no limit.
    pub(crate) timeout_ms: u32,
    pub(crate) max_retries: u32,
    pub(crate) signal: Option<AbortSignal>,
    pub(crate) fetch: Option<Function>,
}

/// The signing inputs of `prepare`, in the order the bindings pass them.
pub(crate) struct RawTarget {
    pub(crate) access_key_id: JsValue,
    pub(crate) access_key_secret: JsValue,
    pub(crate) security_token: JsValue,
    pub(crate) endpoint: JsValue,
    pub(crate) region_id: JsValue,
    pub(crate) method: JsValue,
    pub(crate) tid: JsValue,
    pub(crate) dag_id: JsValue,
    pub(crate) dag_instance_id: JsValue,
    pub(crate) dag_version: JsValue,
}

impl RawTarget {
    /// Validates config before request, each field in declaration order.
    pub(crate) fn read(&self) -> Result<Target, DmsError> {
        let access_key_id = required_string(&self.access_key_id, "accessKeyId")?;
        let access_key_secret = required_string(&self.access_key_secret, "accessKeySecret")?;
        let security_token = optional_string(&self.security_token, "securityToken")?;
        let endpoint = endpoint(&self.endpoint, &self.region_id)?;
        let method = method(&self.method)?;
        let tid = optional_id(&self.tid, "tid")?;
        let dag_id = required_id(&self.dag_id, "dagId")?;
        let dag_instance_id = required_id(&self.dag_instance_id, "dagInstanceId")?;
        let dag_version = required_string(&self.dag_version, "dagVersion")?;
        Ok(Target {
            credentials: Credentials {
                access_key_id,
                access_key_secret,
                security_token,
            },
            endpoint,
            method,
            request: RerunRequest {
                tid,
                dag_id,
                dag_instance_id,
                dag_version,
            },
        })
    }
}

/// Reads the transport options of `Config`.
pub(crate) fn transport(
    timeout_ms: &JsValue,
    max_retries: &JsValue,
    signal: &JsValue,
    fetch: &JsValue,
) -> Result<Transport, DmsError> {
    Ok(Transport {
        timeout_ms: small_integer(
            timeout_ms,
            "timeoutMs",
            DEFAULT_TIMEOUT_MS,
            MAX_TIMEOUT_MS,
            "must be an integer from 0 to 2147483647",
        )?,
        max_retries: small_integer(
            max_retries,
            "maxRetries",
            DEFAULT_MAX_RETRIES,
            MAX_RETRIES_LIMIT,
            "must be an integer from 0 to 10",
        )?,
        signal: abort_signal(signal)?,
        fetch: fetch_function(fetch)?,
    })
}

/// Reads `overrides.timestamp`: exactly `YYYY-MM-DDThh:mm:ssZ`.
pub(crate) fn timestamp_override(value: &JsValue) -> Result<Option<String>, DmsError> {
    match optional_string(value, "timestamp")? {
        Some(text) if !is_valid_timestamp(&text) => Err(DmsError::invalid(
            "timestamp",
            "must be UTC YYYY-MM-DDThh:mm:ssZ",
        )),
        other => Ok(other),
    }
}

/// Reads `overrides.nonce`.
pub(crate) fn nonce_override(value: &JsValue) -> Result<Option<String>, DmsError> {
    optional_string(value, "nonce")
}

/// `String.prototype.isWellFormed` (ES2024; Node 20, Workers, current
/// browsers): false when the string holds a lone surrogate.
fn is_well_formed(value: &JsValue) -> bool {
    value.unchecked_ref::<JsString>().is_well_formed()
}

fn is_missing(value: &JsValue) -> bool {
    value.is_undefined() || value.is_null()
}

fn required_string(value: &JsValue, field: &str) -> Result<String, DmsError> {
    optional_string(value, field)?.ok_or_else(|| DmsError::invalid(field, "is required"))
}

/// A string that is signed verbatim: non-empty and valid UTF-16.
fn optional_string(value: &JsValue, field: &str) -> Result<Option<String>, DmsError> {
    if is_missing(value) {
        return Ok(None);
    }
    let Some(text) = value.as_string() else {
        return Err(DmsError::invalid(field, "must be a string"));
    };
    if text.is_empty() {
        return Err(DmsError::invalid(field, "must not be empty"));
    }
    // Conversion replaces lone surrogates with U+FFFD, which would be signed
    // as different bytes than the caller meant; only then check the source.
    let replaced = text.as_bytes().windows(3).any(|w| w == [0xEF, 0xBF, 0xBD]);
    if replaced && !is_well_formed(value) {
        return Err(DmsError::invalid(field, "contains a lone UTF-16 surrogate"));
    }
    Ok(Some(text))
}

fn required_id(value: &JsValue, field: &str) -> Result<u64, DmsError> {
    optional_id(value, field)?.ok_or_else(|| DmsError::invalid(field, "is required"))
}

/// A `Long`: safe integer number, bigint, or canonical decimal string.
fn optional_id(value: &JsValue, field: &str) -> Result<Option<u64>, DmsError> {
    if is_missing(value) {
        return Ok(None);
    }
    if let Some(number) = value.as_f64() {
        return match id_from_f64(number) {
            Some(id) => Ok(Some(id)),
            None if is_integer(number) && number > MAX_SAFE_INTEGER => Err(DmsError::invalid(
                field,
                "is a number above 2^53-1 and has already lost precision; pass a bigint or a decimal string",
            )),
            None if number < 0.0 => Err(DmsError::invalid(field, "must not be negative")),
            None => Err(DmsError::invalid(field, "must be a non-negative integer")),
        };
    }
    if value.is_bigint() {
        let text = value
            .unchecked_ref::<BigInt>()
            .to_string(10)
            .ok()
            .and_then(|s| s.as_string());
        return match text.as_deref().and_then(parse_id) {
            Some(id) => Ok(Some(id)),
            None => Err(DmsError::invalid(field, "must be a bigint in 0..2^63-1")),
        };
    }
    if let Some(text) = value.as_string() {
        return match parse_id(&text) {
            Some(id) => Ok(Some(id)),
            None => Err(DmsError::invalid(
                field,
                "must be a decimal string of digits (no sign, spaces or leading zeros) in 0..2^63-1",
            )),
        };
    }
    Err(DmsError::invalid(
        field,
        "must be a number, a bigint or a decimal string",
    ))
}

/// `endpoint` wins over `regionId`; both are validated so nothing reaches the host part.
fn endpoint(endpoint: &JsValue, region_id: &JsValue) -> Result<String, DmsError> {
    let region = optional_string(region_id, "regionId")?;
    if let Some(region) = &region {
        if !is_valid_region_id(region) {
            return Err(DmsError::invalid(
                "regionId",
                "may only hold lowercase letters, digits and '-'",
            ));
        }
    }
    match optional_string(endpoint, "endpoint")? {
        Some(text) => normalize_endpoint(&text).ok_or_else(|| {
            DmsError::invalid(
                "endpoint",
                "must be an http:// or https:// origin (no path, query or credentials)",
            )
        }),
        None => Ok(regional_endpoint(region.as_deref())),
    }
}

fn method(value: &JsValue) -> Result<Method, DmsError> {
    if is_missing(value) {
        return Ok(Method::Post);
    }
    match value.as_string().as_deref() {
        Some("POST") => Ok(Method::Post),
        Some("GET") => Ok(Method::Get),
        _ => Err(DmsError::invalid("method", "must be 'POST' or 'GET'")),
    }
}

/// An integer `number` in `0..=max`, or `default` when missing; `out_of_range`
/// is the problem reported for any other number.
fn small_integer(
    value: &JsValue,
    field: &str,
    default: u32,
    max: u32,
    out_of_range: &str,
) -> Result<u32, DmsError> {
    if is_missing(value) {
        return Ok(default);
    }
    match value.as_f64() {
        Some(n) if is_integer(n) && (0.0..=f64::from(max)).contains(&n) => Ok(n as u32),
        Some(_) => Err(DmsError::invalid(field, out_of_range)),
        None => Err(DmsError::invalid(field, "must be a number")),
    }
}

/// Anything shaped like an `AbortSignal` (Node, browsers and Workers each have their own).
fn abort_signal(value: &JsValue) -> Result<Option<AbortSignal>, DmsError> {
    if is_missing(value) {
        return Ok(None);
    }
    let shaped = value.is_object()
        && js_sys::Reflect::get(value, &JsValue::from_str("aborted"))
            .is_ok_and(|a| a.as_bool().is_some())
        && js_sys::Reflect::get(value, &JsValue::from_str("addEventListener"))
            .is_ok_and(|f| f.is_function());
    if shaped {
        Ok(Some(value.clone().unchecked_into()))
    } else {
        Err(DmsError::invalid("signal", "must be an AbortSignal"))
    }
}

fn fetch_function(value: &JsValue) -> Result<Option<Function>, DmsError> {
    if is_missing(value) {
        return Ok(None);
    }
    value
        .dyn_ref::<Function>()
        .cloned()
        .map(Some)
        .ok_or_else(|| DmsError::invalid("fetch", "must be a function"))
}
