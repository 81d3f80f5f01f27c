//! Issuing one signed request with `fetch`.

use js_sys::{Array, Function, Promise};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{AbortSignal, RequestInit};

use super::js;
use crate::error::{DmsError, Kind};
use crate::request::SignedRequest;

/// Sends `signed` with the caller's `fetch` or the global one, cancellable
/// through `abort`. Returns the response promise; a `fetch` that throws
/// synchronously is a `Network` failure (the attempt counts).
pub(crate) fn send(
    signed: &SignedRequest,
    fetch: Option<&Function>,
    abort: &AbortSignal,
) -> Result<Promise, DmsError> {
    let network = |_| DmsError::new(Kind::Network, "NetworkError", "fetch threw before sending");
    // Built with `Object.fromEntries` (data properties: a setter on a
    // polluted `Object.prototype` never runs) and then given no prototype:
    // `fetch` reads every init member it knows, inherited ones included, so
    // a polluted `Object.prototype.headers` or `.body` would otherwise be
    // sent with the signed request. No body for either method: the
    // API's definition puts every parameter in the query (a string body would
    // add a text/plain Content-Type). No `mode`/`credentials`/`cache`:
    // Workers reject them.
    let entries = Array::of2(
        &Array::of2(&"method".into(), &signed.method.as_str().into()),
        &Array::of2(&"signal".into(), abort),
    );
    let init = js::from_entries(&entries).map_err(network)?;
    let init: RequestInit = js::set_prototype_of(&init, &JsValue::NULL)
        .map_err(network)?
        .unchecked_into();
    let sent = match fetch {
        Some(f) => f.call2(&JsValue::UNDEFINED, &JsValue::from_str(&signed.url), &init),
        None => js::global_fetch(&signed.url, &init),
    };
    js::promise_resolve(&sent.map_err(network)?).map_err(network)
}
