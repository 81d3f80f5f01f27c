//! Reading the caller's input, once, into validated Rust values.
//!
//! The JS entry copies the caller's own properties (never the prototype's)
//! into one array, in the order [`input_fields`] names; everything here reads
//! that copy. Every check returns a `DmsError` naming the field; nothing here
//! panics or lets a JS exception through, so any value leaves the instance usable.

use alloc::string::String;
use alloc::vec::Vec;

use js_sys::{BigInt, Function, JsString};
use wasm_bindgen::{JsCast, JsValue};

use super::js;
use crate::clock::is_valid_timestamp;
use crate::error::DmsError;
use crate::operation::{
    validate, Operation, Param, Value, WireParam, CONFIG, MAX_TEXT_BYTES, MAX_TOTAL_TEXT_BYTES,
    OVERRIDES,
};
use crate::params::{is_valid_region_id, normalize_endpoint, parse_digits, regional_endpoint};
use crate::request::Credentials;
use crate::sign::Method;

/// The `Config` fields that are JS objects, passed after the table's
/// (`operation::CONFIG`); the operation's own fields follow them.
pub(crate) const OBJECT_FIELDS: [&str; 2] = ["signal", "fetch"];

/// One call's input, validated: what to sign and how to send it.
pub(crate) struct Input {
    pub(crate) credentials: Credentials,
    pub(crate) endpoint: String,
    pub(crate) method: Method,
    pub(crate) params: Vec<WireParam>,
    /// Budget for the whole call; 0 means no limit.
    pub(crate) timeout_ms: u32,
    pub(crate) max_retries: u32,
    pub(crate) fetch: Option<Function>,
}

/// Reads `values` (config fields, then `op`'s fields) and validates config
/// before request, each field in table order.
pub(crate) fn read(op: &Operation, values: &[JsValue]) -> Result<Input, DmsError> {
    let mut reader = Reader {
        values,
        text_bytes: 0,
    };
    let config = reader.table(CONFIG, 0)?;
    let text = |name: &str| {
        config
            .iter()
            .find(|(field, _)| *field == name)
            .map(|(_, value)| value.clone())
    };
    // Every config problem is reported before any request problem.
    let endpoint = endpoint(text("endpoint"), text("regionId"))?;
    abort_signal(reader.value(CONFIG.len()))?;
    let fetch = fetch_function(reader.value(CONFIG.len() + 1))?;
    let params = reader.table(op.params, CONFIG.len() + OBJECT_FIELDS.len())?;
    let number = |name: &str| text(name).and_then(|t| parse_digits(&t)).unwrap_or(0) as u32;
    Ok(Input {
        credentials: Credentials {
            access_key_id: text("accessKeyId").unwrap_or_default(),
            access_key_secret: text("accessKeySecret").unwrap_or_default(),
            security_token: text("securityToken"),
        },
        endpoint,
        method: if text("method").as_deref() == Some("GET") {
            Method::Get
        } else {
            Method::Post
        },
        params,
        timeout_ms: number("timeoutMs"),
        max_retries: number("maxRetries"),
        fetch,
    })
}

/// Validates the preview's `overrides`: `[timestamp, nonce]` (a timestamp
/// exactly `YYYY-MM-DDThh:mm:ssZ`).
pub(crate) fn overrides(values: &[JsValue]) -> Result<(Option<String>, Option<String>), DmsError> {
    let mut reader = Reader {
        values,
        text_bytes: 0,
    };
    let mut wire = reader.table(OVERRIDES, 0)?;
    let mut take = |name: &str| {
        wire.iter()
            .position(|(field, _)| *field == name)
            .map(|at| wire.swap_remove(at).1)
    };
    let timestamp = take("timestamp");
    if timestamp.as_deref().is_some_and(|t| !is_valid_timestamp(t)) {
        return Err(DmsError::invalid(
            "timestamp",
            "must be UTC YYYY-MM-DDThh:mm:ssZ",
        ));
    }
    Ok((timestamp, take("nonce")))
}

/// Walks the input copy, counting the UTF-8 bytes of every string.
struct Reader<'a> {
    /// The entry's copy of the input.
    values: &'a [JsValue],
    text_bytes: usize,
}

impl<'a> Reader<'a> {
    fn value(&self, index: usize) -> Option<&'a JsValue> {
        self.values.get(index)
    }

    /// The JS value at `index` as a [`Value`], strings capped before copying.
    fn read_value(&mut self, index: usize, field: &str) -> Result<Value, DmsError> {
        let Some(value) = self
            .value(index)
            .filter(|v| !v.is_undefined() && !v.is_null())
        else {
            return Ok(Value::Missing);
        };
        // Strings first: most fields are, and the type tests are cheap
        // intrinsics while `as_f64` goes through memory.
        if value.is_string() {
            return self.text(value, field).map(Value::Text);
        }
        if let Some(number) = value.as_f64() {
            return Ok(Value::Number(number));
        }
        if let Some(flag) = value.as_bool() {
            return Ok(Value::Bool(flag));
        }
        if value.is_bigint() {
            let text = value
                .unchecked_ref::<BigInt>()
                .to_string(10)
                .ok()
                .and_then(|s| s.as_string());
            return Ok(Value::BigInt(text));
        }
        Ok(Value::Other)
    }

    /// A string, refused when longer than the caps: the UTF-16 length is
    /// checked before the copy into wasm memory (UTF-8 is never shorter).
    fn text(&mut self, value: &JsValue, field: &str) -> Result<String, DmsError> {
        let units = value.unchecked_ref::<JsString>().length() as usize;
        let too_long = || DmsError::invalid(field, "is longer than 4096 bytes");
        if units > MAX_TEXT_BYTES {
            return Err(too_long());
        }
        let text = value.as_string().unwrap_or_default();
        if text.len() > MAX_TEXT_BYTES {
            return Err(too_long());
        }
        self.text_bytes += text.len();
        if self.text_bytes > MAX_TOTAL_TEXT_BYTES {
            return Err(DmsError::invalid(
                field,
                "brings the call's strings above 16384 bytes in all",
            ));
        }
        // The copy replaced lone surrogates with U+FFFD, which would be signed
        // as other bytes than the caller meant; only then ask the engine.
        let replaced = text.as_bytes().windows(3).any(|w| w == [0xEF, 0xBF, 0xBD]);
        if replaced && !well_formed(value.unchecked_ref()) {
            return Err(DmsError::invalid(field, "contains a lone UTF-16 surrogate"));
        }
        Ok(text)
    }

    /// Reads the values of `params` from slot `from` on and validates them.
    fn table(&mut self, params: &[Param], from: usize) -> Result<Vec<WireParam>, DmsError> {
        let mut fields = Vec::with_capacity(params.len());
        for (i, param) in params.iter().enumerate() {
            fields.push(self.read_value(from + i, param.field)?);
        }
        validate(params, &fields)
    }
}

/// Whether a string holding U+FFFD after conversion is well-formed UTF-16.
/// Engines without `isWellFormed` get a scan of its code units instead.
fn well_formed(value: &JsString) -> bool {
    if let Ok(answer) = value.unchecked_ref::<js::Text>().is_well_formed() {
        return answer;
    }
    let mut pending_high = false;
    for i in 0..value.length() {
        let unit = value.char_code_at(i) as u32;
        let high = (0xD800..0xDC00).contains(&unit);
        let low = (0xDC00..0xE000).contains(&unit);
        if (low && !pending_high) || (pending_high && !low) {
            return false;
        }
        pending_high = high;
    }
    !pending_high
}

/// `endpoint` wins over `regionId`; both are validated so nothing reaches the host part.
fn endpoint(endpoint: Option<String>, region: Option<String>) -> Result<String, DmsError> {
    if let Some(region) = &region {
        if !is_valid_region_id(region) {
            return Err(DmsError::invalid(
                "regionId",
                "may only hold lowercase letters, digits and '-'",
            ));
        }
    }
    match endpoint {
        Some(text) => normalize_endpoint(&text).ok_or_else(|| {
            DmsError::invalid(
                "endpoint",
                "must be an http:// or https:// origin (no path, query or credentials) with a valid host",
            )
        }),
        None => Ok(regional_endpoint(region.as_deref())),
    }
}

/// Anything shaped like an `AbortSignal` (Node, browsers and Workers each
/// have their own); read through `catch` imports, since a caller's object may
/// have throwing getters. The entry, not Rust, listens to it.
fn abort_signal(value: Option<&JsValue>) -> Result<(), DmsError> {
    let Some(value) = value.filter(|v| !v.is_undefined() && !v.is_null()) else {
        return Ok(());
    };
    let shaped = value.is_object()
        && js::get(value, "aborted").is_ok_and(|a| a.as_bool().is_some())
        && js::get(value, "addEventListener").is_ok_and(|f| f.is_function());
    if shaped {
        Ok(())
    } else {
        Err(DmsError::invalid("signal", "must be an AbortSignal"))
    }
}

fn fetch_function(value: Option<&JsValue>) -> Result<Option<Function>, DmsError> {
    let Some(value) = value.filter(|v| !v.is_undefined() && !v.is_null()) else {
        return Ok(None);
    };
    value
        .dyn_ref::<Function>()
        .cloned()
        .map(Some)
        .ok_or_else(|| DmsError::invalid("fetch", "must be a function"))
}
