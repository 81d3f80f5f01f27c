//! Issuing one signed request with `fetch`.
//!
//! Each attempt is validated and signed afresh (new nonce and timestamp) by
//! `prepare` and handed to `fetch` from here; the entry awaits the promise.

use js_sys::Promise;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;
use web_sys::{AbortSignal, RequestInit};

use super::input::Transport;
use crate::error::{DmsError, Kind};
use crate::request::SignedRequest;

#[wasm_bindgen]
extern "C" {
    /// The global `fetch`, reached directly: `window` does not exist in Node or Workers.
    #[wasm_bindgen(js_name = fetch, catch)]
    fn global_fetch(url: &str, init: &RequestInit) -> Result<JsValue, JsValue>;
}

/// Sends `signed` with the caller's `fetch` or the global one, cancellable
/// through `abort` (the entry's own signal, which its timer and the caller's
/// signal both fire). Returns the response promise.
pub(crate) fn send(
    signed: &SignedRequest,
    options: &Transport,
    abort: &AbortSignal,
) -> Result<JsValue, DmsError> {
    if options.signal.as_ref().is_some_and(|s| s.aborted()) {
        return Err(DmsError::new(
            Kind::Aborted,
            "Aborted",
            "the call was aborted by its AbortSignal",
        ));
    }
    let init = RequestInit::new();
    init.set_method(signed.method.as_str());
    init.set_signal(Some(abort));
    // No body for either method: the API's definition puts every parameter
    // in the query (and a string body would add a text/plain Content-Type).
    let sent = match &options.fetch {
        Some(f) => f.call2(&JsValue::UNDEFINED, &JsValue::from_str(&signed.url), &init),
        None => global_fetch(&signed.url, &init),
    };
    let sent = sent
        .map_err(|_| DmsError::new(Kind::Network, "NetworkError", "fetch threw before sending"))?;
    Ok(Promise::resolve(&sent).into())
}
