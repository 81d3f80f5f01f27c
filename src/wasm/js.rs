//! Every JS function the wasm calls, in one place, each declared `catch`
//! where it can throw.
//!
//! A JS exception that unwinds through wasm from an import not declared
//! `catch` leaks wasm stack each time and, after ~2,000 of them, poisons the
//! instance for every later call. Only built-in operations on values this
//! crate created (or on JS primitives) are left without `catch`.

use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;
use web_sys::RequestInit;

#[wasm_bindgen]
extern "C" {
    /// The global `fetch`, reached directly: `window` does not exist in Node or Workers.
    #[wasm_bindgen(js_name = fetch, catch)]
    pub(crate) fn global_fetch(url: &str, init: &RequestInit) -> Result<JsValue, JsValue>;

    /// `Promise.resolve`: reads a thenable's `then` (and a promise's
    /// `constructor`), which a caller's `fetch` may make throw.
    #[wasm_bindgen(js_namespace = Promise, js_name = resolve, catch)]
    pub(crate) fn promise_resolve(value: &JsValue) -> Result<js_sys::Promise, JsValue>;

    /// A plain object from `[key, value]` pairs, defined as data properties
    /// (no setter on a polluted `Object.prototype` runs).
    #[wasm_bindgen(js_namespace = Object, js_name = fromEntries, catch)]
    pub(crate) fn from_entries(entries: &js_sys::Array) -> Result<JsValue, JsValue>;

    /// `Object.setPrototypeOf`: the request init gets none, so `fetch` reads
    /// no `headers` or `body` from a polluted `Object.prototype`.
    #[wasm_bindgen(js_namespace = Object, js_name = setPrototypeOf, catch)]
    pub(crate) fn set_prototype_of(
        value: &JsValue,
        prototype: &JsValue,
    ) -> Result<JsValue, JsValue>;

    /// `Reflect.get`: runs a getter, so it can throw.
    #[wasm_bindgen(js_namespace = Reflect, js_name = get, catch)]
    pub(crate) fn get(value: &JsValue, key: &str) -> Result<JsValue, JsValue>;

    /// A JS string primitive, for the one method called on it.
    pub(crate) type Text;

    /// `String.prototype.isWellFormed` (ES2024): missing in Firefox < 119 and
    /// Safari < 16.4, where calling it throws.
    #[wasm_bindgen(method, structural, js_name = isWellFormed, catch)]
    pub(crate) fn is_well_formed(this: &Text) -> Result<bool, JsValue>;

    /// Anything with a `get(name)` method, as `Response.headers` is.
    pub(crate) type HeadersLike;

    #[wasm_bindgen(method, structural, catch)]
    pub(crate) fn get(this: &HeadersLike, name: &str) -> Result<JsValue, JsValue>;
}
