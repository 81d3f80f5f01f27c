//! What every test of the wasm boundary shares: the caller's input laid out
//! by `inputFields`, failure records, real `Response`/`Headers` objects, a
//! recording `fetch` double, awaiting a promise, and guards that change a
//! global for one synchronous stretch and put it back.

use std::cell::RefCell;
use std::future::poll_fn;
use std::rc::Rc;
use std::task::{Poll, Waker};

use dms_rerun::request::{sign_call, Credentials, SignedRequest};
use dms_rerun::sign::Method;
use dms_rerun::wasm::{input_fields, preview as wasm_preview, Call, Failure, Stop};
use js_sys::{Array, Function, JsString, Object, Promise, Reflect};
use wasm_bindgen::closure::{Closure, ScopedClosure};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::AbortSignal;

pub const RERUN: &str = "ReRunTaskFlowInstance";
pub const LIST: &str = "ListTaskFlowInstance";
pub const DEMO_ID: &str = "LTAI-demo-key";
pub const DEMO_SECRET: &str = "demo-secret-do-not-use";
pub const TOKEN: &str = "CAIS+demo/token==";
pub const TS: &str = "2026-01-02T03:04:05Z";
pub const NONCE: &str = "c0ffee00-0000-4000-8000-000000000001";
/// Nothing listens here: a request that escaped the fetch double would fail loudly.
pub const ENDPOINT: &str = "http://127.0.0.1:9";

// ---------------------------------------------------------------- JS values

/// Evaluates a JS expression in the runtime under test: the plainest way to
/// build the hostile values (getters, proxies, odd promises) callers pass.
pub fn js(expr: &str) -> JsValue {
    js_function("", &format!("return ({expr});"))
        .call0(&JsValue::UNDEFINED)
        .unwrap_or_else(|e| panic!("{expr}: {e:?}"))
}

/// `new Function(args, body)`, through the runtime's own constructor (js-sys
/// offers it only behind its `unsafe-eval` feature).
pub fn js_function(args: &str, body: &str) -> Function {
    let ctor: Function = get(&js_sys::global(), "Function").unchecked_into();
    Reflect::construct(&ctor, &Array::of2(&args.into(), &body.into()))
        .unwrap_or_else(|e| panic!("{body}: {e:?}"))
        .unchecked_into()
}

pub fn get(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &JsValue::from_str(key)).unwrap()
}

pub fn get_str(value: &JsValue, key: &str) -> Option<String> {
    get(value, key).as_string()
}

pub fn num(n: f64) -> JsValue {
    JsValue::from_f64(n)
}

pub fn big(n: i128) -> JsValue {
    js_sys::BigInt::from(n).into()
}

/// `prefix` followed by one lone high surrogate (not valid UTF-16).
pub fn lone_surrogate(prefix: &str) -> JsValue {
    JsString::from(prefix)
        .concat(&JsString::from_char_code1(0xD800))
        .into()
}

/// Own enumerable keys of `value`, in order.
pub fn keys(value: &JsValue) -> Vec<String> {
    Object::keys(value.unchecked_ref::<Object>())
        .iter()
        .map(|k| k.as_string().unwrap())
        .collect()
}

pub fn sorted(mut names: Vec<String>) -> Vec<String> {
    names.sort();
    names
}

/// Bytes of the wasm linear memory right now (it never shrinks).
pub fn memory_bytes() -> f64 {
    get(&get(&wasm_bindgen::memory(), "buffer"), "byteLength")
        .as_f64()
        .unwrap()
}

// ---------------------------------------------------------------- the caller's input

/// One call's input by field name, turned into the `values` array `Call::new`
/// takes in the order `inputFields(action)` names (config, then request), as
/// the entry does.
#[derive(Clone)]
pub struct Input {
    pub action: &'static str,
    fields: Vec<(&'static str, JsValue)>,
}

/// `inputFields(action)` as two lists of names.
pub fn fields_of(action: &str) -> (Vec<String>, Vec<String>) {
    let pair: Array = parse_text(input_fields(action)).unchecked_into();
    assert_eq!(pair.length(), 2, "{pair:?}");
    let names = |i: u32| -> Vec<String> {
        pair.get(i)
            .unchecked_into::<Array>()
            .iter()
            .map(|n| n.as_string().unwrap())
            .collect()
    };
    (names(0), names(1))
}

impl Input {
    /// Nothing given yet.
    pub fn new(action: &'static str) -> Self {
        Input {
            action,
            fields: Vec::new(),
        }
    }

    /// Demo key, task flow 7 version '2', instance 47, ids as JS numbers.
    pub fn rerun() -> Self {
        Input::new(RERUN)
            .with("accessKeyId", DEMO_ID.into())
            .with("accessKeySecret", DEMO_SECRET.into())
            .with("endpoint", ENDPOINT.into())
            .with("dagId", num(7.0))
            .with("dagInstanceId", num(47.0))
            .with("dagVersion", "2".into())
    }

    /// Demo key, the runs of task flow 7, everything else defaulted.
    pub fn list() -> Self {
        Input::new(LIST)
            .with("accessKeyId", DEMO_ID.into())
            .with("accessKeySecret", DEMO_SECRET.into())
            .with("endpoint", ENDPOINT.into())
            .with("dagId", num(7.0))
    }

    /// A copy with `field` set to `value` (`undefined` is "not given").
    pub fn with(mut self, field: &'static str, value: JsValue) -> Self {
        self.fields.retain(|(name, _)| *name != field);
        self.fields.push((field, value));
        self
    }

    /// The `values` array, in `inputFields` order. Every field set here must
    /// be one of the action's slots (a typo would silently test nothing).
    pub fn values(&self) -> Vec<JsValue> {
        let (config, request) = fields_of(self.action);
        for (name, _) in &self.fields {
            assert!(
                config.iter().chain(&request).any(|n| n == name),
                "{name} is not an input field of {}",
                self.action
            );
        }
        config
            .iter()
            .chain(&request)
            .map(|slot| {
                self.fields
                    .iter()
                    .find(|(name, _)| name == slot)
                    .map_or(JsValue::UNDEFINED, |(_, v)| v.clone())
            })
            .collect()
    }

    pub fn open(&self) -> Result<Call, JsValue> {
        Call::new(self.action, self.values()).map_err(record)
    }

    pub fn call(&self) -> Call {
        self.open().unwrap_or_else(|e| panic!("refused: {e:?}"))
    }

    /// The failure record of an input that must be refused.
    pub fn refused(&self) -> JsValue {
        match self.open() {
            Ok(_) => panic!("accepted: {:?}", self.fields),
            Err(e) => e,
        }
    }

    /// The `preview` export: signed with the given (or fresh) timestamp and nonce.
    pub fn preview_raw(&self, timestamp: JsValue, nonce: JsValue) -> Result<JsValue, JsValue> {
        wasm_preview(self.action, self.values(), timestamp, nonce)
            .map(parse_text)
            .map_err(record)
    }

    pub fn preview(&self, timestamp: JsValue, nonce: JsValue) -> Result<Preview, JsValue> {
        self.preview_raw(timestamp, nonce).map(Preview::of)
    }

    /// Signed with the fixed timestamp and nonce.
    pub fn preview_fixed(&self) -> Result<Preview, JsValue> {
        self.preview(TS.into(), NONCE.into())
    }
}

// ---------------------------------------------------------------- previews and the pure signer

/// `Call.preview`'s record, as Rust strings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Preview {
    pub method: String,
    pub url: String,
    pub canonical_query: String,
    pub string_to_sign: String,
    pub signature: String,
}

impl Preview {
    /// The export's record, which must have exactly these five fields.
    pub fn of(out: JsValue) -> Preview {
        assert_eq!(
            keys(&out),
            [
                "method",
                "url",
                "canonicalQuery",
                "stringToSign",
                "signature"
            ],
            "one shape"
        );
        let text = |key: &str| get_str(&out, key).unwrap();
        Preview {
            method: text("method"),
            url: text("url"),
            canonical_query: text("canonicalQuery"),
            string_to_sign: text("stringToSign"),
            signature: text("signature"),
        }
    }
}

impl From<SignedRequest> for Preview {
    fn from(s: SignedRequest) -> Self {
        Preview {
            method: s.method.as_str().to_string(),
            url: s.url,
            canonical_query: s.canonical_query,
            string_to_sign: s.string_to_sign,
            signature: s.signature,
        }
    }
}

pub fn demo_credentials(token: Option<&str>) -> Credentials {
    Credentials {
        access_key_id: DEMO_ID.into(),
        access_key_secret: DEMO_SECRET.into(),
        security_token: token.map(String::from),
    }
}

/// The pure Rust signer's answer for the demo key at `ENDPOINT`.
pub fn pure(
    action: &str,
    method: Method,
    params: &[(&str, &str)],
    timestamp: &str,
    nonce: &str,
) -> Preview {
    let params: Vec<(&str, String)> = params.iter().map(|(k, v)| (*k, v.to_string())).collect();
    sign_call(
        ENDPOINT,
        method,
        &demo_credentials(None),
        action,
        &params,
        timestamp,
        nonce,
    )
    .into()
}

/// One decoded query parameter of a signed URL or canonical query.
pub fn query_param(query: &str, name: &str) -> Option<String> {
    let query = query.rsplit_once('?').map_or(query, |(_, q)| q);
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == name).then(|| String::from(js_sys::decode_uri_component(v).unwrap()))
    })
}

/// The query's parameter names, in order.
pub fn query_names(query: &str) -> Vec<String> {
    let query = query.rsplit_once('?').map_or(query, |(_, q)| q);
    query
        .split('&')
        .map(|pair| pair.split_once('=').map_or(pair, |(k, _)| k).to_string())
        .collect()
}

// ---------------------------------------------------------------- what crosses back

/// JSON text from the wasm (results, previews, `inputFields`), parsed as the
/// entry parses it.
pub fn parse_text(text: String) -> JsValue {
    js_sys::JSON::parse(&text).unwrap_or_else(|e| panic!("not JSON: {text}: {e:?}"))
}

/// A failure crosses as the JSON text of its record: the entry recognises it
/// by its first bytes (`{"kind":`, js/api.mjs `recordOf`) and parses it.
pub fn parsed_record(text: JsValue) -> JsValue {
    let text = text
        .as_string()
        .unwrap_or_else(|| panic!("a failure record is JSON text: {text:?}"));
    assert!(text.starts_with(r#"{"kind":"#), "{text}");
    parse_text(text)
}

pub fn record(failure: Failure) -> JsValue {
    parsed_record(JsValue::from(failure))
}

/// `Call`'s methods with what crosses back parsed, as the entry sees it.
pub trait CallJs {
    fn send_js(&mut self, abort: &AbortSignal) -> Result<Promise, JsValue>;
    fn judge_js(
        &mut self,
        status: JsValue,
        headers: JsValue,
        body: Option<JsString>,
    ) -> Result<JsValue, JsValue>;
    fn stopped_js(
        &mut self,
        stop: Stop,
        detail: Option<String>,
        cause_text: Option<String>,
        status: JsValue,
        headers: JsValue,
    ) -> JsValue;
}

impl CallJs for Call {
    fn send_js(&mut self, abort: &AbortSignal) -> Result<Promise, JsValue> {
        self.send(abort).map_err(record)
    }

    fn judge_js(
        &mut self,
        status: JsValue,
        headers: JsValue,
        body: Option<JsString>,
    ) -> Result<JsValue, JsValue> {
        self.judge(status, headers, body)
            .map(parse_text)
            .map_err(record)
    }

    fn stopped_js(
        &mut self,
        stop: Stop,
        detail: Option<String>,
        cause_text: Option<String>,
        status: JsValue,
        headers: JsValue,
    ) -> JsValue {
        parsed_record(self.stopped(stop, detail, cause_text, status, headers))
    }
}

// ---------------------------------------------------------------- failure records

/// Every field a failure record may have (src/wasm/failure.rs).
const RECORD_FIELDS: [&str; 9] = [
    "kind",
    "code",
    "message",
    "retryable",
    "requestId",
    "httpStatus",
    "recommend",
    "attempts",
    "keepCause",
];

/// `InvalidParameter.<Field>`: the code a bad `field` must produce.
pub fn code_for(field: &str) -> String {
    let mut chars = field.chars();
    let first = chars.next().unwrap().to_ascii_uppercase();
    format!("InvalidParameter.{first}{}", chars.as_str())
}

/// Asserts `err` is a plain failure record (not a thrown JS Error) of
/// `kind`/`code` with named fields only, and no secret in its message.
pub fn assert_record(err: &JsValue, kind: &str, code: &str) {
    assert!(
        err.is_object() && !err.is_instance_of::<js_sys::Error>() && !Array::is_array(err),
        "not a failure record: {err:?}"
    );
    for key in keys(err) {
        assert!(
            RECORD_FIELDS.contains(&key.as_str()),
            "field {key}: {err:?}"
        );
    }
    assert_eq!(get_str(err, "kind").as_deref(), Some(kind), "{err:?}");
    assert_eq!(get_str(err, "code").as_deref(), Some(code), "{err:?}");
    let message = get_str(err, "message").unwrap_or_default();
    assert!(!message.is_empty(), "{err:?}");
    assert!(!message.contains(DEMO_SECRET), "secret leaked: {message}");
    assert!(get(err, "retryable").as_bool().is_some(), "{err:?}");
}

pub fn assert_invalid(err: &JsValue, field: &str) {
    assert_record(err, "InvalidInput", &code_for(field));
    assert_eq!(get(err, "retryable"), JsValue::FALSE, "{err:?}");
    assert!(
        get(err, "attempts").is_undefined(),
        "nothing was sent: {err:?}"
    );
}

// ---------------------------------------------------------------- responses and fetch

/// `new Headers(pairs)` with the runtime's own class.
pub fn headers(pairs: &[(&str, &str)]) -> JsValue {
    let ctor: Function = get(&js_sys::global(), "Headers").unchecked_into();
    let init = Object::new();
    for (k, v) in pairs {
        Reflect::set(&init, &JsValue::from_str(k), &JsValue::from_str(v)).unwrap();
    }
    Reflect::construct(&ctor, &Array::of1(&init)).unwrap()
}

/// `new Response(body, { status, headers })` with the runtime's own class.
pub fn response(status: u16, body: &str, header_pairs: &[(&str, &str)]) -> JsValue {
    let ctor: Function = get(&js_sys::global(), "Response").unchecked_into();
    let init = Object::new();
    Reflect::set(&init, &"status".into(), &JsValue::from(status)).unwrap();
    Reflect::set(&init, &"headers".into(), &headers(header_pairs)).unwrap();
    Reflect::construct(&ctor, &Array::of2(&body.into(), &init)).unwrap()
}

pub fn ok_response(request_id: &str) -> JsValue {
    response(
        200,
        &format!(r#"{{"RequestId":"{request_id}","Success":true}}"#),
        &[("content-type", "application/json")],
    )
}

/// What the fetch double saw: one `(url, init)` per call.
#[derive(Clone, Default)]
pub struct Calls(Rc<RefCell<Vec<(String, JsValue)>>>);

impl Calls {
    pub fn count(&self) -> usize {
        self.0.borrow().len()
    }
    pub fn url(&self, i: usize) -> String {
        self.0.borrow()[i].0.clone()
    }
    pub fn init(&self, i: usize) -> JsValue {
        self.0.borrow()[i].1.clone()
    }
}

/// A JS `fetch(url, init)` that records its arguments and answers the n-th
/// call with `answer(n)` (a Response, a promise, or any other JS value).
pub fn fetch_double(answer: impl Fn(usize) -> JsValue + 'static) -> (JsValue, Calls) {
    let calls = Calls::default();
    let seen = calls.clone();
    let f = Closure::<dyn FnMut(JsValue, JsValue) -> JsValue>::new(
        move |url: JsValue, init: JsValue| {
            let n = seen.count();
            seen.0.borrow_mut().push((url.as_string().unwrap(), init));
            answer(n)
        },
    );
    (f.into_js_value(), calls)
}

/// `new AbortController()` with the runtime's own class, and its signal.
pub fn abort_controller() -> (JsValue, AbortSignal) {
    let ctor: Function = get(&js_sys::global(), "AbortController").unchecked_into();
    let controller = Reflect::construct(&ctor, &Array::new()).unwrap();
    let signal = get(&controller, "signal").dyn_into().unwrap();
    (controller, signal)
}

/// A fresh, unaborted signal standing in for the entry's own.
pub fn entry_signal() -> AbortSignal {
    abort_controller().1
}

/// `judge` as the entry calls it: a status, real `Headers`, the body text.
pub fn judge_with(
    call: &mut Call,
    status: JsValue,
    header_pairs: &[(&str, &str)],
    body: &str,
) -> Result<JsValue, JsValue> {
    call.judge_js(status, headers(header_pairs), Some(JsString::from(body)))
}

/// A call that has sent `sends` requests through a double, ready to judge.
pub fn sent(input: Input, sends: u32) -> Call {
    let (fetch, _) = fetch_double(|_| ok_response("x"));
    let mut call = input.with("fetch", fetch).call();
    for _ in 0..sends {
        send_ok(&mut call);
    }
    call
}

/// One send that must be handed to `fetch`; its answer is not awaited.
pub fn send_ok(call: &mut Call) {
    let sent = call.send_js(&entry_signal());
    assert!(sent.is_ok(), "{:?}", sent.err());
}

/// Awaits a JS promise (the crate has no async runtime, so no
/// wasm-bindgen-futures here).
pub async fn settle(promise: &Promise) -> Result<JsValue, JsValue> {
    #[derive(Default)]
    struct State {
        result: Option<Result<JsValue, JsValue>>,
        waker: Option<Waker>,
    }
    let state = Rc::new(RefCell::new(State::default()));
    let finish = |state: Rc<RefCell<State>>, ok: bool| {
        Closure::once(move |value: JsValue| {
            let mut s = state.borrow_mut();
            s.result = Some(if ok { Ok(value) } else { Err(value) });
            if let Some(w) = s.waker.take() {
                w.wake();
            }
        })
    };
    let on_ok = finish(state.clone(), true);
    let on_err = finish(state.clone(), false);
    let _ = promise.then2(&on_ok, &on_err);
    poll_fn(|cx| {
        let mut s = state.borrow_mut();
        match s.result.take() {
            Some(result) => Poll::Ready(result),
            None => {
                s.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    })
    .await
}

/// One whole attempt as the entry makes it: send, await the response, read
/// its text, judge. `Err` holds a failure record (or a rejection).
pub async fn attempt(call: &mut Call, abort: &AbortSignal) -> Result<JsValue, JsValue> {
    let sent = call.send_js(abort)?;
    let response = settle(&sent).await?;
    let status = get(&response, "status");
    let headers = get(&response, "headers");
    let text: Function = get(&response, "text").unchecked_into();
    let body = settle(&text.call0(&response)?.unchecked_into()).await?;
    call.judge_js(status, headers, Some(body.unchecked_into()))
}

// ---------------------------------------------------------------- globals, changed and restored

/// `{ value, writable, configurable }`: a data property descriptor.
pub fn data(value: &JsValue) -> JsValue {
    let d = Object::new();
    Reflect::set(&d, &"value".into(), value).unwrap();
    Reflect::set(&d, &"writable".into(), &JsValue::TRUE).unwrap();
    Reflect::set(&d, &"configurable".into(), &JsValue::TRUE).unwrap();
    d.into()
}

/// Runs `f` with `target[key]` defined by `descriptor` (deleted when `None`),
/// then restores the property exactly as it was.
///
/// The change and the restore happen in JS around `f`, in `try`/`finally`:
/// if `f` fails (a panic aborts without unwinding; an exception from an
/// import not declared `catch` unwinds through wasm), the global is still put
/// back, so one failing test does not break the others. Tests run
/// concurrently (wasm-bindgen-test polls several async tests), so a change
/// never spans an `.await`.
pub fn with_property<R>(
    target: &JsValue,
    key: &str,
    descriptor: Option<JsValue>,
    f: impl FnOnce() -> R,
) -> R {
    let helper = js_function(
        "target, key, descriptor, f",
        "const saved = Object.getOwnPropertyDescriptor(target, key);
         if (descriptor === undefined) delete target[key];
         else Object.defineProperty(target, key, descriptor);
         try { f(); } finally {
           if (saved === undefined) delete target[key];
           else Object.defineProperty(target, key, saved);
         }",
    );
    let mut f = Some(f);
    let mut out = None;
    let mut run = || {
        if let Some(f) = f.take() {
            out = Some(f());
        }
    };
    let result = {
        let closure = ScopedClosure::<dyn FnMut()>::borrow_mut_aborting(&mut run);
        let args = [
            target.clone(),
            key.into(),
            descriptor.unwrap_or(JsValue::UNDEFINED),
            closure.as_js_value().clone(),
        ];
        Reflect::apply(&helper, &JsValue::UNDEFINED, &args.iter().collect())
    };
    if let Err(err) = result {
        panic!("with {key} replaced: {err:?}");
    }
    out.expect("f ran")
}

pub fn string_prototype() -> JsValue {
    js("String.prototype")
}
