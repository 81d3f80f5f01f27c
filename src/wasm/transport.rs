//! One HTTP exchange: send the signed request with `fetch`, read at most
//! 1 MiB of the answer, and hand the fields to the pure judge.
//!
//! The response is read by duck typing (`status`, `headers.get`, `body`), so
//! a caller's own `fetch` (undici, node-fetch, a test double) works as long as
//! it returns something Response-shaped.

use alloc::string::String;
use alloc::vec::Vec;

use js_sys::{Function, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Headers, ReadableStreamDefaultReader, RequestInit};

use super::deadline::{Deadline, Raced};
use crate::error::{DmsError, Kind};
use crate::request::SignedRequest;
use crate::response::{classify, retry_after_ms, Body, Fields, Rerun, MAX_BODY_BYTES};

#[wasm_bindgen]
extern "C" {
    /// The global `fetch`, reached directly: `window` does not exist in Node or Workers.
    #[wasm_bindgen(js_name = fetch, catch)]
    fn global_fetch(url: &str, init: &RequestInit) -> Result<Promise, JsValue>;
}

/// Sends `signed` once and judges the answer.
pub(crate) async fn send(
    signed: &SignedRequest,
    deadline: &Deadline,
    fetch: Option<&Function>,
) -> Result<Rerun, DmsError> {
    let init = RequestInit::new();
    init.set_method(signed.method.as_str());
    init.set_signal(Some(&deadline.signal()));
    // No body for either method: the API's definition puts every parameter
    // in the query (and a string body would add a text/plain Content-Type).
    let sent = match fetch {
        Some(f) => f
            .call2(&JsValue::UNDEFINED, &JsValue::from_str(&signed.url), &init)
            .map(|v| Promise::resolve(&v)),
        None => global_fetch(&signed.url, &init),
    };
    let sent = sent.map_err(|_| network_error("fetch threw before sending", None))?;
    let response = match deadline.race(&sent).await {
        Ok(response) => response,
        Err(Raced::Stopped(stop)) => return Err(stop.error()),
        Err(Raced::Failed) => {
            return Err(network_error(
                "the request could not be sent or got no answer",
                None,
            ))
        }
    };
    let status = Reflect::get(&response, &JsValue::from_str("status"))
        .ok()
        .and_then(|s| s.as_f64())
        .filter(|s| (100.0..=599.0).contains(s))
        .map(|s| s as u16)
        .ok_or_else(|| {
            DmsError::new(
                Kind::InvalidResponse,
                "InvalidResponse.NotHttp",
                "fetch returned something that is not a Response",
            )
        })?;
    let headers: Option<Headers> = Reflect::get(&response, &JsValue::from_str("headers"))
        .ok()
        .and_then(|h| {
            if h.is_object() {
                Some(h.unchecked_into())
            } else {
                None
            }
        });
    let header = |name: &str| headers.as_ref().and_then(|h| h.get(name).ok().flatten());
    let hint = retry_after_ms(
        header("x-acs-retry-after").as_deref(),
        header("retry-after").as_deref(),
    );
    let declared = header("content-length").and_then(|l| l.trim().parse::<u64>().ok());
    let body = if declared.is_some_and(|len| len > MAX_BODY_BYTES as u64) {
        cancel_body(&response);
        Body::TooLarge
    } else {
        match read_body(&response, deadline).await {
            Ok(Some(bytes)) => parse_json(bytes),
            Ok(None) => Body::TooLarge,
            Err(Raced::Stopped(stop)) => {
                let mut err = stop.error();
                err.http_status = Some(status);
                return Err(err);
            }
            Err(Raced::Failed) => {
                return Err(network_error(
                    "the connection failed while reading the answer",
                    Some(status),
                ))
            }
        }
    };
    classify(status, body, hint).map_err(|mut err| {
        // Gateway pages that are not JSON still carry the id in a header.
        if err.request_id.is_none() {
            err.request_id = header("x-acs-request-id");
        }
        err
    })
}

fn network_error(message: &str, status: Option<u16>) -> DmsError {
    let mut err = DmsError::new(Kind::Network, "NetworkError", message);
    err.http_status = status;
    err
}

/// Reads the body as bytes; `Ok(None)` once it passes [`MAX_BODY_BYTES`]
/// (the stream is cancelled there, so the rest is never buffered).
async fn read_body(response: &JsValue, deadline: &Deadline) -> Result<Option<Vec<u8>>, Raced> {
    let stream = Reflect::get(response, &JsValue::from_str("body")).unwrap_or(JsValue::NULL);
    let get_reader = Reflect::get(&stream, &JsValue::from_str("getReader"))
        .ok()
        .filter(|f| f.is_function());
    let Some(get_reader) = get_reader.map(|f| f.unchecked_into::<Function>()) else {
        return read_text(response, deadline).await;
    };
    let reader: ReadableStreamDefaultReader = get_reader
        .call0(&stream)
        .map_err(|_| Raced::Failed)?
        .unchecked_into();
    let mut bytes = Vec::new();
    loop {
        let chunk = deadline.race(&reader.read()).await?;
        if Reflect::get(&chunk, &JsValue::from_str("done"))
            .ok()
            .and_then(|d| d.as_bool())
            != Some(false)
        {
            return Ok(Some(bytes));
        }
        let value = Reflect::get(&chunk, &JsValue::from_str("value")).unwrap_or(JsValue::UNDEFINED);
        let Some(array) = value.dyn_ref::<Uint8Array>() else {
            let _ = reader.cancel();
            return Err(Raced::Failed);
        };
        let len = array.length() as usize;
        if bytes.len() + len > MAX_BODY_BYTES {
            let _ = reader.cancel();
            return Ok(None);
        }
        bytes.extend_from_slice(&array.to_vec());
    }
}

/// Fallback for Response-likes without a stream: `text()`, then the same limit.
async fn read_text(response: &JsValue, deadline: &Deadline) -> Result<Option<Vec<u8>>, Raced> {
    let text = Reflect::get(response, &JsValue::from_str("text"))
        .ok()
        .filter(|f| f.is_function());
    let Some(text) = text.map(|f| f.unchecked_into::<Function>()) else {
        return Ok(Some(Vec::new()));
    };
    let promise = text
        .call0(response)
        .map(|v| Promise::resolve(&v))
        .map_err(|_| Raced::Failed)?;
    let value = deadline.race(&promise).await?;
    let text = value.as_string().unwrap_or_default();
    Ok((text.len() <= MAX_BODY_BYTES).then(|| text.into_bytes()))
}

fn cancel_body(response: &JsValue) {
    let stream = Reflect::get(response, &JsValue::from_str("body")).unwrap_or(JsValue::NULL);
    if let Ok(cancel) = Reflect::get(&stream, &JsValue::from_str("cancel")) {
        if let Some(cancel) = cancel.dyn_ref::<Function>() {
            let _ = cancel.call0(&stream);
        }
    }
}

/// UTF-8 bytes → `JSON.parse` → the fields the judge needs.
fn parse_json(bytes: Vec<u8>) -> Body {
    let Ok(text) = String::from_utf8(bytes) else {
        return Body::NotJson;
    };
    let Ok(value) = js_sys::JSON::parse(&text) else {
        return Body::NotJson;
    };
    if !value.is_object() || js_sys::Array::is_array(&value) {
        return Body::NotJson;
    }
    let string = |key: &str| {
        Reflect::get(&value, &JsValue::from_str(key))
            .ok()
            .and_then(|v| v.as_string())
    };
    Body::Object(Fields {
        request_id: string("RequestId"),
        success: Reflect::get(&value, &JsValue::from_str("Success"))
            .ok()
            .and_then(|v| v.as_bool()),
        error_code: string("ErrorCode"),
        error_message: string("ErrorMessage"),
        code: string("Code"),
        message: string("Message"),
        recommend: string("Recommend"),
    })
}
