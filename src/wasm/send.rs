//! Issuing one signed request with `fetch`.
//!
//! Each attempt is validated and signed afresh (new nonce and timestamp) and
//! handed to `fetch` from here; the entry awaits the returned promise.

use alloc::string::String;

use js_sys::{Array, Promise};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;
use web_sys::{AbortSignal, RequestInit};

use super::input::{transport, RawTarget};
use super::{error_record, sign_now};
use crate::error::{DmsError, Kind};

#[wasm_bindgen]
extern "C" {
    /// The global `fetch`, reached directly: `window` does not exist in Node or Workers.
    #[wasm_bindgen(js_name = fetch, catch)]
    fn global_fetch(url: &str, init: &RequestInit) -> Result<JsValue, JsValue>;
}

/// Validates the call, signs it now and sends it with `fetch` (the caller's
/// or the global one), cancellable through `abort` (the entry's own signal,
/// which its timer and the caller's signal both fire).
///
/// Returns `[responsePromise, timeoutMs, maxRetries]`; throws an error
/// record: `InvalidInput` (nothing sent), `Aborted` (the caller's signal had
/// already fired: nothing sent) or `Network` (`fetch` threw).
#[wasm_bindgen(js_name = sendRequest)]
#[allow(clippy::too_many_arguments)]
pub fn send_request(
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
    abort: AbortSignal,
) -> Result<Array, JsValue> {
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
    send(&raw, &timeout_ms, &max_retries, &signal, &fetch, &abort).map_err(|e| error_record(&e))
}

fn send(
    raw: &RawTarget,
    timeout_ms: &JsValue,
    max_retries: &JsValue,
    signal: &JsValue,
    fetch: &JsValue,
    abort: &AbortSignal,
) -> Result<Array, DmsError> {
    let target = raw.read()?;
    let options = transport(timeout_ms, max_retries, signal, fetch)?;
    if options.signal.as_ref().is_some_and(|s| s.aborted()) {
        return Err(DmsError::new(
            Kind::Aborted,
            "Aborted",
            "the call was aborted by its AbortSignal",
        ));
    }
    let signed = sign_now(&target, None, None)?;
    let init = RequestInit::new();
    init.set_method(signed.method.as_str());
    init.set_signal(Some(abort));
    // No body for either method: the API's definition puts every parameter
    // in the query (and a string body would add a text/plain Content-Type).
    let sent = match &options.fetch {
        Some(f) => f.call2(&JsValue::UNDEFINED, &JsValue::from_str(&signed.url), &init),
        None => global_fetch(&signed.url, &init),
    };
    let sent = sent.map_err(|_| network_error())?;
    let out = Array::new_with_length(3);
    out.set(0, Promise::resolve(&sent).into());
    out.set(1, JsValue::from_f64(f64::from(options.timeout_ms)));
    out.set(2, JsValue::from_f64(f64::from(options.max_retries)));
    Ok(out)
}

fn network_error() -> DmsError {
    DmsError::new(
        Kind::Network,
        "NetworkError",
        String::from("fetch threw before sending"),
    )
}
