//! The wasm boundary: `prepare` (validate, sign, and send when given the
//! entry's AbortSignal), `judge` and `backoffMs`, called with real JS values.
//!
//! No `wasm_bindgen_test_configure!` on purpose: without it the runner uses
//! Node, and `WASM_BINDGEN_USE_BROWSER=1` runs the very same tests in headless
//! Chromium. `fetch` is a test double that returns real `Response` objects:
//! this layer checks what crosses the boundary; the awaiting, the timer and
//! real HTTP live in `js/api.mjs` and are tested by the JS layers.
#![cfg(target_arch = "wasm32")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::cell::RefCell;
use std::collections::HashSet;
use std::future::poll_fn;
use std::rc::Rc;
use std::task::{Poll, Waker};

use dms_rerun::request::{sign_rerun, Credentials, RerunRequest};
use dms_rerun::sign::Method;
use dms_rerun::wasm::{backoff_ms, judge, prepare};
use js_sys::{Array, BigInt, Function, JsString, Object, Promise, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::AbortSignal;

const DEMO_ID: &str = "LTAI-demo-key";
const DEMO_SECRET: &str = "demo-secret-do-not-use";
const TS: &str = "2026-01-02T03:04:05Z";
const NONCE: &str = "c0ffee00-0000-4000-8000-000000000001";
/// Nothing listens here: a request that escaped the fetch double would fail loudly.
const ENDPOINT: &str = "http://127.0.0.1:9";

/// The ten signing arguments, in the order `prepare` takes them.
#[derive(Clone)]
struct Target {
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
}

/// The transport arguments (`Config` options) `prepare` takes next.
#[derive(Clone, Default)]
struct Transport {
    timeout_ms: JsValue,
    max_retries: JsValue,
    signal: JsValue,
    fetch: JsValue,
}

impl Target {
    /// Demo key, task flow 7 version '2', instance 47, numbers as plain JS numbers.
    fn demo() -> Self {
        Target {
            access_key_id: DEMO_ID.into(),
            access_key_secret: DEMO_SECRET.into(),
            security_token: JsValue::UNDEFINED,
            endpoint: ENDPOINT.into(),
            region_id: JsValue::UNDEFINED,
            method: JsValue::UNDEFINED,
            tid: JsValue::UNDEFINED,
            dag_id: JsValue::from_f64(7.0),
            dag_instance_id: JsValue::from_f64(47.0),
            dag_version: "2".into(),
        }
    }

    /// A copy with one field (named as in the JS config) replaced.
    fn with(&self, field: &str, value: JsValue) -> Self {
        let mut out = self.clone();
        let slot = match field {
            "accessKeyId" => &mut out.access_key_id,
            "accessKeySecret" => &mut out.access_key_secret,
            "securityToken" => &mut out.security_token,
            "endpoint" => &mut out.endpoint,
            "regionId" => &mut out.region_id,
            "method" => &mut out.method,
            "tid" => &mut out.tid,
            "dagId" => &mut out.dag_id,
            "dagInstanceId" => &mut out.dag_instance_id,
            "dagVersion" => &mut out.dag_version,
            other => panic!("unknown field {other}"),
        };
        *slot = value;
        out
    }

    fn sign(&self, timestamp: JsValue, nonce: JsValue) -> Result<Vec<String>, JsValue> {
        self.sign_with(&Transport::default(), timestamp, nonce)
    }

    /// `prepare` without the entry's signal: signs only. Returns the five
    /// strings `[method, url, canonicalQuery, stringToSign, signature]`.
    fn sign_with(
        &self,
        transport: &Transport,
        timestamp: JsValue,
        nonce: JsValue,
    ) -> Result<Vec<String>, JsValue> {
        let out = self.prepare(transport, timestamp, nonce, None)?;
        assert_eq!(out.length(), 5, "only the texts without a signal");
        Ok((0..5).map(|i| out.get(i).as_string().unwrap()).collect())
    }

    fn sign_fixed(&self) -> Result<Vec<String>, JsValue> {
        self.sign(TS.into(), NONCE.into())
    }

    /// `prepare` with a fresh timestamp and nonce and `abort` as the entry's
    /// own signal: signs and sends.
    fn send(&self, transport: &Transport, abort: &AbortSignal) -> Result<Array, JsValue> {
        self.prepare(
            transport,
            JsValue::UNDEFINED,
            JsValue::UNDEFINED,
            Some(abort),
        )
    }

    /// The export itself, every argument in order.
    fn prepare(
        &self,
        transport: &Transport,
        timestamp: JsValue,
        nonce: JsValue,
        abort: Option<&AbortSignal>,
    ) -> Result<Array, JsValue> {
        let t = self.clone();
        let o = transport.clone();
        prepare(
            t.access_key_id,
            t.access_key_secret,
            t.security_token,
            t.endpoint,
            t.region_id,
            t.method,
            t.tid,
            t.dag_id,
            t.dag_instance_id,
            t.dag_version,
            o.timeout_ms,
            o.max_retries,
            o.signal,
            o.fetch,
            timestamp,
            nonce,
            abort.cloned(),
        )
    }
}

fn get(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &JsValue::from_str(key)).unwrap()
}

fn get_str(value: &JsValue, key: &str) -> Option<String> {
    get(value, key).as_string()
}

/// The order of an error record thrown as an array (see `fromRust` in js/api.mjs).
const RECORD_FIELDS: [&str; 9] = [
    "kind",
    "code",
    "message",
    "retryable",
    "requestId",
    "httpStatus",
    "recommend",
    "attempts",
    "retryAfterMs",
];

/// One field of an error record, whether Rust throws it as an object or as
/// the positional array the entry names.
fn rec(err: &JsValue, name: &str) -> JsValue {
    if Array::is_array(err) {
        let i = RECORD_FIELDS.iter().position(|f| *f == name).unwrap();
        err.unchecked_ref::<Array>().get(i as u32)
    } else {
        get(err, name)
    }
}

fn rec_str(err: &JsValue, name: &str) -> Option<String> {
    rec(err, name).as_string()
}

/// Asserts `err` is a plain error record (not a thrown JS Error) of `kind`/`code`.
fn assert_record(err: &JsValue, kind: &str, code: &str) {
    assert!(
        err.is_object() && !err.is_instance_of::<js_sys::Error>(),
        "not an error record: {err:?}"
    );
    assert_eq!(rec_str(err, "kind").as_deref(), Some(kind), "{err:?}");
    assert_eq!(rec_str(err, "code").as_deref(), Some(code), "{err:?}");
    let message = rec_str(err, "message").unwrap_or_default();
    assert!(!message.is_empty(), "{err:?}");
    assert!(!message.contains(DEMO_SECRET), "secret leaked: {message}");
    assert!(rec(err, "retryable").as_bool().is_some(), "{err:?}");
}

/// One decoded query parameter of a signed URL or canonical query.
fn query_param(query: &str, name: &str) -> Option<String> {
    let query = query.rsplit_once('?').map_or(query, |(_, q)| q);
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == name).then(|| String::from(js_sys::decode_uri_component(v).unwrap()))
    })
}

/// A string of one lone high surrogate inside otherwise valid text.
fn lone_surrogate(prefix: &str) -> JsValue {
    JsString::from(prefix)
        .concat(&JsString::from_char_code1(0xD800))
        .into()
}

/// `new Response(body, { status, headers })` with the runtime's own class.
fn response(status: u16, body: &str, headers: &[(&str, &str)]) -> JsValue {
    let ctor: Function = get(&js_sys::global(), "Response").unchecked_into();
    let init = Object::new();
    Reflect::set(&init, &"status".into(), &JsValue::from(status)).unwrap();
    let h = Object::new();
    for (k, v) in headers {
        Reflect::set(&h, &JsValue::from_str(k), &JsValue::from_str(v)).unwrap();
    }
    Reflect::set(&init, &"headers".into(), &h).unwrap();
    Reflect::construct(&ctor, &Array::of2(&body.into(), &init)).unwrap()
}

fn json_response(status: u16, body: &str) -> JsValue {
    response(status, body, &[("content-type", "application/json")])
}

/// What the fetch double saw: one `(url, init)` per call.
#[derive(Clone, Default)]
struct Calls(Rc<RefCell<Vec<(String, JsValue)>>>);

impl Calls {
    fn count(&self) -> usize {
        self.0.borrow().len()
    }
    fn url(&self, i: usize) -> String {
        self.0.borrow()[i].0.clone()
    }
    fn init(&self, i: usize) -> JsValue {
        self.0.borrow()[i].1.clone()
    }
}

/// A JS `fetch(url, init)` that records its arguments and answers the n-th
/// call with `answer(n)` (a Response, a promise, or any other JS value).
fn fetch_double(answer: impl Fn(usize) -> JsValue + 'static) -> (JsValue, Calls) {
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

fn with_fetch(fetch: JsValue) -> Transport {
    Transport {
        fetch,
        ..Transport::default()
    }
}

fn pure_demo(method: Method, timestamp: &str, nonce: &str) -> dms_rerun::request::SignedRequest {
    sign_rerun(
        ENDPOINT,
        method,
        &Credentials {
            access_key_id: DEMO_ID.into(),
            access_key_secret: DEMO_SECRET.into(),
            security_token: None,
        },
        &RerunRequest {
            tid: None,
            dag_id: 7,
            dag_instance_id: 47,
            dag_version: "2".into(),
        },
        timestamp,
        nonce,
    )
}

// ---------------------------------------------------------------- signing

#[wasm_bindgen_test]
fn sts_post_matches_pure_signer_and_official_sdk() {
    let target = Target {
        access_key_id: "STS.demo-temporary".into(),
        access_key_secret: "sts-secret".into(),
        security_token: "CAIS+demo/token==".into(),
        endpoint: JsValue::UNDEFINED,
        region_id: JsValue::UNDEFINED,
        method: "POST".into(),
        tid: BigInt::from(i64::MAX).into(),
        dag_id: "9223372036854775807".into(),
        dag_instance_id: BigInt::from(9_223_372_036_854_775_806_i64).into(),
        dag_version: "v-大数据-🚀".into(),
    };
    let out = target.sign_fixed().unwrap();
    let pure = sign_rerun(
        "https://dms-enterprise.aliyuncs.com",
        Method::Post,
        &Credentials {
            access_key_id: "STS.demo-temporary".into(),
            access_key_secret: "sts-secret".into(),
            security_token: Some("CAIS+demo/token==".into()),
        },
        &RerunRequest {
            tid: Some(i64::MAX as u64),
            dag_id: i64::MAX as u64,
            dag_instance_id: 9_223_372_036_854_775_806,
            dag_version: "v-大数据-🚀".into(),
        },
        TS,
        NONCE,
    );
    assert_eq!(
        out,
        vec![
            "POST".to_string(),
            pure.url,
            pure.canonical_query,
            pure.string_to_sign,
            pure.signature.clone(),
        ]
    );
    // Computed once with the official signer, from the repo root:
    // node -e "const U=require('@alicloud/openapi-util').default;console.log(U.getRPCSignature({Action:'ReRunTaskFlowInstance',Version:'2018-11-01',Format:'JSON',SignatureMethod:'HMAC-SHA1',SignatureVersion:'1.0',SignatureNonce:'c0ffee00-0000-4000-8000-000000000001',Timestamp:'2026-01-02T03:04:05Z',AccessKeyId:'STS.demo-temporary',SecurityToken:'CAIS+demo/token==',Tid:'9223372036854775807',DagId:'9223372036854775807',DagInstanceId:'9223372036854775806',DagVersion:'v-大数据-🚀'},'POST','sts-secret'))"
    assert_eq!(out[4], "o8MWgVzfkMw8B9iMCQq/nSrde4Y=");
    assert!(out[1].starts_with("https://dms-enterprise.aliyuncs.com/?"));
    assert_eq!(
        query_param(&out[1], "Signature").as_deref(),
        Some("o8MWgVzfkMw8B9iMCQq/nSrde4Y=")
    );
    assert_eq!(
        query_param(&out[1], "Tid").as_deref(),
        Some("9223372036854775807")
    );
    assert_eq!(
        query_param(&out[1], "DagVersion").as_deref(),
        Some("v-大数据-🚀")
    );
}

#[wasm_bindgen_test]
fn demo_get_matches_pure_signer_and_official_sdk() {
    let out = Target::demo()
        .with("method", "GET".into())
        .sign_fixed()
        .unwrap();
    let pure = pure_demo(Method::Get, TS, NONCE);
    assert_eq!(out[0], "GET");
    assert_eq!(out[1], pure.url);
    assert_eq!(out[2], pure.canonical_query);
    assert_eq!(out[3], pure.string_to_sign);
    assert!(out[3].starts_with("GET&%2F&"));
    // node -e "const U=require('@alicloud/openapi-util').default;console.log(U.getRPCSignature({Action:'ReRunTaskFlowInstance',Version:'2018-11-01',Format:'JSON',SignatureMethod:'HMAC-SHA1',SignatureVersion:'1.0',SignatureNonce:'c0ffee00-0000-4000-8000-000000000001',Timestamp:'2026-01-02T03:04:05Z',AccessKeyId:'LTAI-demo-key',DagId:'7',DagInstanceId:'47',DagVersion:'2'},'GET','demo-secret-do-not-use'))"
    assert_eq!(out[4], "ZX+MMncEsB7fZFp/54AFbs3WN1I=");
    assert_eq!(out[4], pure.signature);
}

#[wasm_bindgen_test]
fn ids_as_number_bigint_and_decimal_string_sign_identically() {
    let base = Target::demo().with("tid", JsValue::from_f64(1.0));
    let expected = base.sign_fixed().unwrap();
    let same = [
        base.with("dagInstanceId", BigInt::from(47).into()),
        base.with("dagInstanceId", "47".into()),
        base.with("dagId", BigInt::from(7).into()),
        base.with("tid", "1".into()),
        base.with("tid", BigInt::from(1).into()),
    ];
    for target in same {
        assert_eq!(target.sign_fixed().unwrap(), expected);
    }
    // 2^53−1 is the largest number accepted; 2^63−1 needs a bigint or a string.
    let safe = base.with("dagId", JsValue::from_f64(9_007_199_254_740_991.0));
    assert_eq!(
        query_param(&safe.sign_fixed().unwrap()[1], "DagId").as_deref(),
        Some("9007199254740991")
    );
    let max_big = base
        .with("dagId", BigInt::from(i64::MAX).into())
        .sign_fixed()
        .unwrap();
    let max_str = base
        .with("dagId", "9223372036854775807".into())
        .sign_fixed()
        .unwrap();
    assert_eq!(max_big, max_str);
    let zero = base.with("dagId", "0".into()).sign_fixed().unwrap();
    assert_eq!(query_param(&zero[1], "DagId").as_deref(), Some("0"));
}

#[wasm_bindgen_test]
fn a_genuine_replacement_character_is_signed_not_refused() {
    // U+FFFD typed by the caller is valid text; only lone surrogates are refused.
    let out = Target::demo()
        .with("dagVersion", "v\u{FFFD}".into())
        .sign_fixed()
        .unwrap();
    assert_eq!(
        query_param(&out[1], "DagVersion").as_deref(),
        Some("v\u{FFFD}")
    );
}

#[wasm_bindgen_test]
fn region_id_picks_the_regional_endpoint() {
    let out = Target::demo()
        .with("endpoint", JsValue::UNDEFINED)
        .with("regionId", "cn-hangzhou".into())
        .sign_fixed()
        .unwrap();
    assert!(out[1].starts_with("https://dms-enterprise.cn-hangzhou.aliyuncs.com/?"));
}

/// `InvalidParameter.<Field>`: the code a bad `field` must produce.
fn code_for(field: &str) -> String {
    let mut chars = field.chars();
    let first = chars.next().unwrap().to_ascii_uppercase();
    format!("InvalidParameter.{first}{}", chars.as_str())
}

fn num(n: f64) -> JsValue {
    JsValue::from_f64(n)
}

fn big(n: i128) -> JsValue {
    BigInt::from(n).into()
}

/// A bad value for each field (each must be refused with `code_for(field)`).
fn bad_inputs() -> Vec<(&'static str, JsValue)> {
    vec![
        ("accessKeyId", JsValue::UNDEFINED),
        ("accessKeyId", JsValue::NULL),
        ("accessKeyId", "".into()),
        ("accessKeyId", num(42.0)),
        ("accessKeySecret", lone_surrogate("demo-")),
        ("accessKeySecret", Object::new().into()),
        ("securityToken", lone_surrogate("tok")),
        ("securityToken", JsValue::TRUE),
        ("endpoint", "ftp://127.0.0.1".into()),
        ("endpoint", "https://h.example/path".into()),
        ("endpoint", "https://u:p@h.example".into()),
        ("endpoint", "https://h.example:70000".into()),
        ("regionId", "cn_hangzhou".into()),
        ("regionId", "cn-hangzhou.evil.com".into()),
        ("method", "PUT".into()),
        ("method", "post".into()),
        ("tid", num(-1.0)),
        ("tid", num(f64::NAN)),
        ("tid", big(1 << 63)),
        ("tid", big(-1)),
        ("tid", "9223372036854775808".into()),
        ("tid", "007".into()),
        ("tid", "+7".into()),
        ("tid", " 7".into()),
        ("tid", "1e3".into()),
        ("tid", "".into()),
        ("dagId", JsValue::UNDEFINED),
        ("dagId", num(f64::NAN)),
        ("dagId", num(f64::INFINITY)),
        ("dagId", num(1.5)),
        ("dagId", num(9_007_199_254_740_992.0)), // 2^53: already imprecise
        ("dagId", Object::new().into()),
        ("dagId", Array::of1(&7.into()).into()),
        ("dagId", JsValue::TRUE),
        ("dagId", js_sys::Symbol::for_("7").into()),
        ("dagInstanceId", lone_surrogate("4")),
        ("dagInstanceId", JsValue::NULL),
        ("dagVersion", "".into()),
        ("dagVersion", lone_surrogate("v-")),
        ("dagVersion", num(2.0)),
        ("dagVersion", JsValue::UNDEFINED),
    ]
}

#[wasm_bindgen_test]
fn bad_inputs_become_error_records_and_the_instance_keeps_signing() {
    let good = Target::demo();
    for round in 0..50 {
        for (field, value) in bad_inputs() {
            let err = good.with(field, value).sign_fixed().expect_err(field);
            if round == 0 {
                assert_record(&err, "InvalidInput", &code_for(field));
                assert_eq!(rec(&err, "retryable"), JsValue::FALSE);
            }
        }
    }
    // Bad overrides: (timestamp, nonce, field at fault).
    let overrides = [
        (
            "2026-01-02 03:04:05Z".into(),
            JsValue::UNDEFINED,
            "timestamp",
        ),
        (
            "2026-13-02T03:04:05Z".into(),
            JsValue::UNDEFINED,
            "timestamp",
        ),
        (num(0.0), JsValue::UNDEFINED, "timestamp"),
        (JsValue::UNDEFINED, num(42.0), "nonce"),
        (JsValue::UNDEFINED, lone_surrogate("n"), "nonce"),
    ];
    for (timestamp, nonce, field) in overrides {
        let err = good.sign(timestamp, nonce).unwrap_err();
        assert_record(&err, "InvalidInput", &code_for(field));
    }
    // Config is checked before the request: the first bad field wins.
    let both = good
        .with("accessKeyId", "".into())
        .with("dagId", JsValue::NULL);
    let err = both.sign_fixed().unwrap_err();
    assert_record(&err, "InvalidInput", "InvalidParameter.AccessKeyId");
    // Still the exact official signature after ~2000 refused calls.
    let out = good.with("method", "GET".into()).sign_fixed().unwrap();
    assert_eq!(out[4], "ZX+MMncEsB7fZFp/54AFbs3WN1I=");
}

#[wasm_bindgen_test]
fn timestamp_comes_from_the_js_clock() {
    let before = js_sys::Date::now();
    let out = Target::demo()
        .sign(JsValue::UNDEFINED, NONCE.into())
        .unwrap();
    let ts = query_param(&out[2], "Timestamp").unwrap();
    let shape = "dddd-dd-ddTdd:dd:ddZ";
    assert_eq!(ts.len(), shape.len(), "{ts}");
    for (c, s) in ts.chars().zip(shape.chars()) {
        assert!(if s == 'd' { c.is_ascii_digit() } else { c == s }, "{ts}");
    }
    let signed_at = js_sys::Date::parse(&ts);
    assert!((signed_at - before).abs() < 60_000.0, "{ts} vs {before}");
    // And the stringToSign carries that same timestamp.
    assert!(out[3].contains(&ts.replace(':', "%253A")), "{}", out[3]);
}

#[wasm_bindgen_test]
fn nonces_from_getrandom_are_unique_uuid_v4() {
    let target = Target::demo();
    let mut seen = HashSet::new();
    for _ in 0..1000 {
        let out = target.sign(TS.into(), JsValue::UNDEFINED).unwrap();
        let nonce = query_param(&out[1], "SignatureNonce").unwrap();
        let b = nonce.as_bytes();
        assert_eq!(b.len(), 36, "{nonce}");
        assert_eq!(
            (b[8], b[13], b[14], b[18], b[23]),
            (b'-', b'-', b'4', b'-', b'-'),
            "{nonce}"
        );
        assert!(matches!(b[19], b'8' | b'9' | b'a' | b'b'), "{nonce}");
        seen.insert(nonce);
    }
    assert_eq!(seen.len(), 1000);
}

// ---------------------------------------------------------------- helpers for sending

impl Transport {
    /// A copy with one option (named as in the JS config) replaced.
    fn with(&self, field: &str, value: JsValue) -> Self {
        let mut out = self.clone();
        match field {
            "timeoutMs" => out.timeout_ms = value,
            "maxRetries" => out.max_retries = value,
            "signal" => out.signal = value,
            "fetch" => out.fetch = value,
            other => panic!("unknown option {other}"),
        }
        out
    }
}

/// Bad transport options: each must be refused with `code_for(field)`.
fn bad_transports() -> Vec<(&'static str, JsValue)> {
    let not_a_signal: JsValue = Object::new().into();
    Reflect::set(&not_a_signal, &"aborted".into(), &JsValue::FALSE).unwrap();
    vec![
        ("timeoutMs", num(-1.0)),
        ("timeoutMs", num(1.5)),
        ("timeoutMs", num(f64::NAN)),
        ("timeoutMs", "100".into()),
        ("timeoutMs", num(2_147_483_648.0)), // above what timers accept
        ("maxRetries", num(11.0)),
        ("maxRetries", num(-1.0)),
        ("maxRetries", big(1)),
        ("signal", not_a_signal), // no addEventListener
        ("signal", JsValue::TRUE),
        ("fetch", num(42.0)),
        ("fetch", Object::new().into()),
    ]
}

fn ok_response(request_id: &str) -> JsValue {
    json_response(
        200,
        &format!(r#"{{"RequestId":"{request_id}","Success":true}}"#),
    )
}

/// `new AbortController()` with the runtime's own class, and its signal.
fn abort_controller() -> (JsValue, AbortSignal) {
    let ctor: Function = get(&js_sys::global(), "AbortController").unchecked_into();
    let controller = Reflect::construct(&ctor, &Array::new()).unwrap();
    let signal = get(&controller, "signal").dyn_into().unwrap();
    (controller, signal)
}

fn abort(controller: &JsValue) {
    let f: Function = get(controller, "abort").unchecked_into();
    f.call0(controller).unwrap();
}

/// A fresh, unaborted signal standing in for the entry's own.
fn entry_signal() -> AbortSignal {
    abort_controller().1
}

/// Awaits a JS promise (no wasm-bindgen-futures here: the crate has no async
/// runtime, so `JsFuture` is not a dependency).
async fn settle(promise: &Promise) -> Result<JsValue, JsValue> {
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

/// What `prepare` returns when sending: `[timeoutMs, maxRetries, response promise]`.
fn sent_parts(out: &Array) -> (Promise, f64, f64) {
    assert_eq!(out.length(), 3, "sending returns no texts");
    let promise = out.get(2).dyn_into::<Promise>().expect("[2] is a Promise");
    (
        promise,
        out.get(0).as_f64().unwrap(),
        out.get(1).as_f64().unwrap(),
    )
}

/// Every parameter a ReRunTaskFlowInstance query must carry, except the signature.
const SIGNED_PARAMS: [&str; 11] = [
    "AccessKeyId",
    "Action",
    "DagId",
    "DagInstanceId",
    "DagVersion",
    "Format",
    "SignatureMethod",
    "SignatureNonce",
    "SignatureVersion",
    "Timestamp",
    "Version",
];

/// Replaces `globalThis.fetch` until dropped (restored even if the test panics).
struct GlobalFetch {
    original: JsValue,
}

impl GlobalFetch {
    fn replace(with: &JsValue) -> Self {
        let global: JsValue = js_sys::global().into();
        let original = get(&global, "fetch");
        Reflect::set(&global, &"fetch".into(), with).unwrap();
        GlobalFetch { original }
    }
}

impl Drop for GlobalFetch {
    fn drop(&mut self) {
        let global: JsValue = js_sys::global().into();
        Reflect::set(&global, &"fetch".into(), &self.original).unwrap();
    }
}

// ---------------------------------------------------------------- prepare, sending

#[wasm_bindgen_test]
async fn send_posts_once_without_body_with_the_entry_signal() {
    let (fetch, calls) = fetch_double(|_| ok_response("req-ok"));
    let abort = entry_signal();
    let before = js_sys::Date::now();
    let out = Target::demo().send(&with_fetch(fetch), &abort).unwrap();
    let (promise, timeout_ms, max_retries) = sent_parts(&out);
    assert_eq!((timeout_ms, max_retries), (10_000.0, 2.0), "the defaults");

    // Called synchronously, exactly once, before anything is awaited.
    assert_eq!(calls.count(), 1);
    let init = calls.init(0);
    assert_eq!(get_str(&init, "method").as_deref(), Some("POST"));
    assert!(get(&init, "body").is_undefined(), "no body: {init:?}");
    assert!(get(&init, "headers").is_undefined(), "no headers: {init:?}");
    assert!(
        Object::is(&get(&init, "signal"), &abort),
        "fetch gets the entry's signal"
    );

    // The URL carries every parameter and is exactly what the pure signer
    // produces from its own Timestamp and SignatureNonce.
    let url = calls.url(0);
    assert!(url.starts_with("http://127.0.0.1:9/?"), "{url}");
    for name in SIGNED_PARAMS.iter().chain(&["Signature"]) {
        assert!(query_param(&url, name).is_some(), "{name} missing: {url}");
    }
    assert_eq!(query_param(&url, "SecurityToken"), None);
    assert_eq!(query_param(&url, "Tid"), None);
    assert_eq!(
        query_param(&url, "Action").as_deref(),
        Some("ReRunTaskFlowInstance")
    );
    assert_eq!(query_param(&url, "DagInstanceId").as_deref(), Some("47"));
    let ts = query_param(&url, "Timestamp").unwrap();
    let nonce = query_param(&url, "SignatureNonce").unwrap();
    assert_eq!(url, pure_demo(Method::Post, &ts, &nonce).url);
    // Signed with the JS clock, to the second.
    let signed_at = js_sys::Date::parse(&ts);
    assert!(
        signed_at >= before - 1_000.0 && signed_at <= js_sys::Date::now() + 1_000.0,
        "{ts}"
    );

    // [0] resolves to the very Response the fetch returned.
    let response = settle(&promise).await.unwrap();
    assert_eq!(get(&response, "status").as_f64(), Some(200.0));
    let again = settle(&promise).await.unwrap();
    assert!(Object::is(&response, &again));
}

#[wasm_bindgen_test]
async fn send_uses_get_and_the_given_transport_options() {
    let (fetch, calls) = fetch_double(|_| ok_response("r-get"));
    let (_controller, caller) = abort_controller();
    let abort = entry_signal();
    let transport = with_fetch(fetch)
        .with("timeoutMs", num(0.0))
        .with("maxRetries", num(10.0))
        .with("signal", caller.clone().into());
    let target = Target::demo()
        .with("method", "GET".into())
        .with("tid", big(i64::MAX.into()))
        .with("securityToken", "CAIS+demo/token==".into());
    let out = target.send(&transport, &abort).unwrap();
    let (promise, timeout_ms, max_retries) = sent_parts(&out);
    assert_eq!((timeout_ms, max_retries), (0.0, 10.0));
    let init = calls.init(0);
    assert_eq!(get_str(&init, "method").as_deref(), Some("GET"));
    assert!(get(&init, "body").is_undefined());
    // The entry's signal, not the caller's: the entry links the two itself.
    assert!(Object::is(&get(&init, "signal"), &abort));
    assert!(!Object::is(&get(&init, "signal"), &caller));
    let url = calls.url(0);
    assert_eq!(
        query_param(&url, "Tid").as_deref(),
        Some("9223372036854775807")
    );
    assert_eq!(
        query_param(&url, "SecurityToken").as_deref(),
        Some("CAIS+demo/token==")
    );
    let response = settle(&promise).await.unwrap();
    assert_eq!(get(&response, "status").as_f64(), Some(200.0));
}

#[wasm_bindgen_test]
fn fixed_timestamp_and_nonce_are_sent_exactly_as_previewed() {
    let (fetch, calls) = fetch_double(|_| ok_response("r"));
    let target = Target::demo().with("method", "GET".into());
    let transport = with_fetch(fetch);
    let preview = target
        .sign_with(&transport, TS.into(), NONCE.into())
        .unwrap();
    let out = target
        .prepare(&transport, TS.into(), NONCE.into(), Some(&entry_signal()))
        .unwrap();
    let (_, timeout_ms, max_retries) = sent_parts(&out);
    assert_eq!((timeout_ms, max_retries), (10_000.0, 2.0));
    assert_eq!(get_str(&calls.init(0), "method"), Some(preview[0].clone()));
    assert_eq!(calls.url(0), preview[1], "sent = previewed");
    assert_eq!(
        preview[4], "ZX+MMncEsB7fZFp/54AFbs3WN1I=",
        "the official SDK's"
    );
}

#[wasm_bindgen_test]
fn every_send_is_signed_afresh() {
    let (fetch, calls) = fetch_double(|_| ok_response("r"));
    let transport = with_fetch(fetch);
    let abort = entry_signal();
    let mut nonces = HashSet::new();
    for _ in 0..20 {
        Target::demo().send(&transport, &abort).unwrap();
    }
    for i in 0..calls.count() {
        let url = calls.url(i);
        let ts = query_param(&url, "Timestamp").unwrap();
        let nonce = query_param(&url, "SignatureNonce").unwrap();
        // Each URL is a valid signature of its own nonce.
        assert_eq!(url, pure_demo(Method::Post, &ts, &nonce).url);
        nonces.insert(nonce);
    }
    assert_eq!(nonces.len(), 20, "a retry must never reuse a nonce");
}

#[wasm_bindgen_test]
async fn send_without_a_fetch_option_calls_the_global_fetch() {
    let (double, calls) = fetch_double(|_| ok_response("global"));
    let abort = entry_signal();
    let out = {
        let _swap = GlobalFetch::replace(&double);
        Target::demo().send(&Transport::default(), &abort)
    };
    let (promise, _, _) = sent_parts(&out.unwrap());
    assert_eq!(calls.count(), 1);
    assert!(Object::is(&get(&calls.init(0), "signal"), &abort));
    assert!(settle(&promise).await.unwrap().is_object());
    // And a caller's fetch wins over the global one.
    let (mine, mine_calls) = fetch_double(|_| ok_response("mine"));
    {
        let _swap = GlobalFetch::replace(&double);
        Target::demo().send(&with_fetch(mine), &abort).unwrap();
    }
    assert_eq!((calls.count(), mine_calls.count()), (1, 1));
}

#[wasm_bindgen_test]
async fn whatever_fetch_returns_is_handed_back_as_a_promise() {
    // Not sending is for the entry to judge: a non-Response resolves as is,
    // and a rejection stays a rejection (to become Network there).
    let (fetch, _) = fetch_double(|_| num(42.0));
    let out = Target::demo()
        .send(&with_fetch(fetch), &entry_signal())
        .unwrap();
    let (promise, _, _) = sent_parts(&out);
    assert_eq!(settle(&promise).await.unwrap().as_f64(), Some(42.0));

    let (fetch, _) =
        fetch_double(|_| Promise::reject(&js_sys::Error::new("refused").into()).into());
    let out = Target::demo()
        .send(&with_fetch(fetch), &entry_signal())
        .unwrap();
    let (promise, _, _) = sent_parts(&out);
    let err = settle(&promise).await.unwrap_err();
    assert!(err.is_instance_of::<js_sys::Error>(), "{err:?}");
}

#[wasm_bindgen_test]
fn fetch_throwing_synchronously_is_a_network_error() {
    let calls = Rc::new(RefCell::new(0));
    let counted = calls.clone();
    let fetch = Closure::<dyn FnMut(JsValue, JsValue) -> Result<JsValue, JsValue>>::new(
        move |_: JsValue, _: JsValue| {
            *counted.borrow_mut() += 1;
            Err(js_sys::TypeError::new("boom").into())
        },
    )
    .into_js_value();
    let err = Target::demo()
        .send(&with_fetch(fetch), &entry_signal())
        .unwrap_err();
    assert_record(&err, "Network", "NetworkError");
    assert_eq!(rec(&err, "retryable"), JsValue::FALSE);
    assert_eq!(*calls.borrow(), 1, "the double really was called and threw");
}

#[wasm_bindgen_test]
fn an_already_aborted_caller_signal_never_calls_fetch() {
    let (controller, caller) = abort_controller();
    abort(&controller);
    let (fetch, calls) = fetch_double(|_| ok_response("x"));
    let transport = with_fetch(fetch).with("signal", caller.into());
    let err = Target::demo()
        .send(&transport, &entry_signal())
        .unwrap_err();
    assert_record(&err, "Aborted", "Aborted");
    assert_eq!(rec(&err, "retryable"), JsValue::FALSE);
    assert_eq!(calls.count(), 0);
    // Bad input is still reported as such, even with an aborted signal.
    let err = Target::demo()
        .with("dagId", JsValue::NULL)
        .send(&transport, &entry_signal())
        .unwrap_err();
    assert_record(&err, "InvalidInput", "InvalidParameter.DagId");
    assert_eq!(calls.count(), 0);
}

#[wasm_bindgen_test]
fn bad_send_inputs_are_refused_before_fetch() {
    let (fetch, calls) = fetch_double(|_| ok_response("x"));
    let good = with_fetch(fetch);
    let abort = entry_signal();
    for (field, value) in bad_transports() {
        let err = Target::demo()
            .send(&good.with(field, value), &abort)
            .unwrap_err();
        assert_record(&err, "InvalidInput", &code_for(field));
        assert_eq!(rec(&err, "retryable"), JsValue::FALSE);
    }
    for (field, value) in bad_inputs() {
        let err = Target::demo()
            .with(field, value)
            .send(&good, &abort)
            .unwrap_err();
        assert_record(&err, "InvalidInput", &code_for(field));
    }
    assert_eq!(calls.count(), 0, "nothing may be sent for bad input");
    // The same fetch then works: the refusals left nothing behind.
    Target::demo().send(&good, &abort).unwrap();
    assert_eq!(calls.count(), 1);
}

#[wasm_bindgen_test]
fn signing_only_refuses_the_same_transport_options() {
    // `signRerunTaskFlowInstance` accepts the same Config as the call, and
    // without the entry's signal nothing is sent, even with an aborted one.
    let (fetch, calls) = fetch_double(|_| ok_response("x"));
    for (field, value) in bad_transports() {
        let err = Target::demo()
            .sign_with(
                &with_fetch(fetch.clone()).with(field, value),
                TS.into(),
                NONCE.into(),
            )
            .unwrap_err();
        assert_record(&err, "InvalidInput", &code_for(field));
    }
    let (controller, caller) = abort_controller();
    abort(&controller);
    let full = with_fetch(fetch)
        .with("timeoutMs", num(0.0))
        .with("maxRetries", num(10.0))
        .with("signal", caller.into());
    let out = Target::demo().sign_with(&full, TS.into(), NONCE.into());
    assert_eq!(out.unwrap(), Target::demo().sign_fixed().unwrap());
    assert_eq!(calls.count(), 0, "signing never sends");
}

// ---------------------------------------------------------------- judge

const TOKEN: &str = "CAIS+demo/token==";

/// Calls `judge` the way the JS entry does: `JSON.parse` the body text (when
/// it is one), then pass the object's fields as they are.
fn judge_text(
    status: JsValue,
    body: JsValue,
    acs_retry_after: Option<String>,
    retry_after: Option<String>,
    request_id_header: Option<String>,
    security_token: Option<String>,
) -> Result<Array, JsValue> {
    let parsed = body
        .as_string()
        .and_then(|text| js_sys::JSON::parse(&text).ok())
        .filter(|v| v.is_object() && !Array::is_array(v));
    let state = match (&parsed, body.is_undefined()) {
        (_, true) => 0,
        (Some(_), false) => 2,
        (None, false) => 1,
    };
    let object = parsed.unwrap_or_else(|| js_sys::Object::new().into());
    let field =
        |key: &str| Reflect::get(&object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED);
    judge(
        status,
        state,
        field("RequestId"),
        field("Success"),
        field("ErrorCode"),
        field("ErrorMessage"),
        field("Code"),
        field("Message"),
        field("Recommend"),
        acs_retry_after,
        retry_after,
        request_id_header,
        security_token,
    )
}

/// `judge` with only a status and a body (no headers, no token).
fn judge_plain(status: JsValue, body: &str) -> Result<Array, JsValue> {
    judge_text(status, body.into(), None, None, None, None)
}

fn judged_ok(out: Result<Array, JsValue>) -> (Option<String>, JsValue, JsValue) {
    let out = out.expect("a success");
    assert_eq!(out.length(), 3);
    (out.get(0).as_string(), out.get(1), out.get(2))
}

#[wasm_bindgen_test]
fn judge_success() {
    let (id, code, message) = judged_ok(judge_plain(
        num(200.0),
        r#"{"RequestId":"r","Success":true}"#,
    ));
    assert_eq!(id.as_deref(), Some("r"));
    assert!(code.is_undefined() && message.is_undefined());

    let body = r#"{"RequestId":"r2","Success":true,"ErrorCode":"W1","ErrorMessage":"note"}"#;
    let (id, code, message) = judged_ok(judge_plain(num(200.0), body));
    assert_eq!(id.as_deref(), Some("r2"));
    assert_eq!(code.as_string().as_deref(), Some("W1"));
    assert_eq!(message.as_string().as_deref(), Some("note"));

    // Any 2xx is a success; unknown fields and nested values are ignored.
    let body = r#"{"Success":true,"RequestId":"r3","Extra":{"a":[1,2]},"ErrorCode":""}"#;
    let (id, code, _) = judged_ok(judge_plain(num(201.0), body));
    assert_eq!(id.as_deref(), Some("r3"));
    assert!(code.is_undefined(), "an empty ErrorCode is no code");
}

#[wasm_bindgen_test]
fn judge_success_false_is_an_api_error() {
    let body = r#"{"RequestId":"r-no","Success":false,"ErrorCode":"InstanceNotExist","ErrorMessage":"no such instance"}"#;
    let err = judge_plain(num(200.0), body).unwrap_err();
    assert_record(&err, "Api", "InstanceNotExist");
    assert_eq!(
        rec_str(&err, "message").as_deref(),
        Some("no such instance")
    );
    assert_eq!(rec(&err, "httpStatus").as_f64(), Some(200.0));
    assert_eq!(rec_str(&err, "requestId").as_deref(), Some("r-no"));
    assert_eq!(rec(&err, "retryable"), JsValue::FALSE);
    assert!(rec(&err, "retryAfterMs").is_undefined());
}

#[wasm_bindgen_test]
fn judge_throttling_is_retryable_with_the_server_hint() {
    let body = r#"{"RequestId":"r-t","Code":"Throttling.User","Message":"Request was denied due to user flow control."}"#;
    let err = judge_text(
        num(400.0),
        body.into(),
        Some("1500".into()),
        Some("9".into()),
        None,
        None,
    )
    .unwrap_err();
    assert_record(&err, "Api", "Throttling.User");
    assert_eq!(rec(&err, "retryable"), JsValue::TRUE);
    assert_eq!(rec(&err, "retryAfterMs").as_f64(), Some(1500.0));
    assert_eq!(rec(&err, "httpStatus").as_f64(), Some(400.0));
    assert_eq!(rec_str(&err, "requestId").as_deref(), Some("r-t"));
    // Retry-After is in seconds, used when x-acs-retry-after is absent or unreadable.
    let err = judge_text(num(400.0), body.into(), None, Some("2".into()), None, None).unwrap_err();
    assert_eq!(rec(&err, "retryAfterMs").as_f64(), Some(2000.0));
    let err = judge_text(
        num(400.0),
        body.into(),
        Some("soon".into()),
        None,
        None,
        None,
    )
    .unwrap_err();
    assert!(rec(&err, "retryAfterMs").is_undefined());
    // Other codes are final.
    let err = judge_plain(
        num(400.0),
        r#"{"Code":"InvalidParameter","Message":"m","RequestId":"r"}"#,
    )
    .unwrap_err();
    assert_record(&err, "Api", "InvalidParameter");
    assert_eq!(rec(&err, "retryable"), JsValue::FALSE);
}

#[wasm_bindgen_test]
fn judge_non_json_errors_keep_the_header_request_id() {
    let page = "<html>Service Unavailable</html>";
    let err = judge_text(
        num(503.0),
        page.into(),
        None,
        None,
        Some("hdr-id".into()),
        None,
    )
    .unwrap_err();
    assert_record(&err, "InvalidResponse", "InvalidResponse.NotJson");
    assert_eq!(rec(&err, "retryable"), JsValue::TRUE, "503 is retried");
    assert_eq!(rec(&err, "httpStatus").as_f64(), Some(503.0));
    assert_eq!(rec_str(&err, "requestId").as_deref(), Some("hdr-id"));

    let err = judge_text(
        num(500.0),
        page.into(),
        None,
        None,
        Some("hdr-id".into()),
        None,
    )
    .unwrap_err();
    assert_record(&err, "InvalidResponse", "InvalidResponse.NotJson");
    assert_eq!(rec(&err, "retryable"), JsValue::FALSE, "500 may have run");

    // A RequestId in the body wins over the header.
    let body = r#"{"Code":"ServiceUnavailable","Message":"busy","RequestId":"body-id"}"#;
    let err = judge_text(
        num(503.0),
        body.into(),
        None,
        None,
        Some("hdr-id".into()),
        None,
    )
    .unwrap_err();
    assert_record(&err, "Api", "ServiceUnavailable");
    assert_eq!(rec(&err, "retryable"), JsValue::TRUE);
    assert_eq!(rec_str(&err, "requestId").as_deref(), Some("body-id"));
}

#[wasm_bindgen_test]
fn judge_too_large_and_not_http() {
    let err = judge_text(num(200.0), JsValue::UNDEFINED, None, None, None, None).unwrap_err();
    assert_record(&err, "InvalidResponse", "InvalidResponse.TooLarge");
    assert_eq!(rec(&err, "httpStatus").as_f64(), Some(200.0));
    assert_eq!(rec(&err, "retryable"), JsValue::FALSE);

    let not_statuses = [
        num(42.0),
        num(99.0),
        num(600.0),
        num(f64::NAN),
        "200".into(),
        JsValue::UNDEFINED,
        JsValue::NULL,
        big(200),
    ];
    for status in not_statuses {
        let err = judge_plain(status.clone(), r#"{"RequestId":"r","Success":true}"#)
            .expect_err(&format!("{status:?}"));
        assert_record(&err, "InvalidResponse", "InvalidResponse.NotHttp");
        assert!(rec(&err, "httpStatus").is_undefined());
    }
}

#[wasm_bindgen_test]
fn judge_bodies_that_are_not_json_objects() {
    for body in [
        "[]",
        r#""x""#,
        "null",
        "",
        "42",
        "true",
        "{",
        "<html/>",
        "\u{FEFF}{}",
    ] {
        let err = judge_plain(num(200.0), body).expect_err(body);
        assert_record(&err, "InvalidResponse", "InvalidResponse.NotJson");
        assert_eq!(rec(&err, "httpStatus").as_f64(), Some(200.0));
    }
    // A body that is not even a string (a broken fetch double) is not JSON either.
    let err = judge_text(num(200.0), num(1.0), None, None, None, None).unwrap_err();
    assert_record(&err, "InvalidResponse", "InvalidResponse.NotJson");

    let err = judge_plain(num(200.0), "{}").unwrap_err();
    assert_record(&err, "InvalidResponse", "InvalidResponse.MissingSuccess");
    let err = judge_plain(num(200.0), r#"{"Success":"true","RequestId":"r"}"#).unwrap_err();
    assert_record(&err, "InvalidResponse", "InvalidResponse.MissingSuccess");
    assert_eq!(rec_str(&err, "requestId").as_deref(), Some("r"));

    let err = judge_plain(num(400.0), "{}").unwrap_err();
    assert_record(&err, "InvalidResponse", "InvalidResponse.MissingCode");
    assert_eq!(rec(&err, "httpStatus").as_f64(), Some(400.0));
}

#[wasm_bindgen_test]
fn judge_keeps_recommend() {
    let body = r#"{"RequestId":"r","Code":"Forbidden.RAM","Message":"no","Recommend":"https://api.aliyun.com/troubleshoot?q=Forbidden.RAM"}"#;
    let err = judge_plain(num(403.0), body).unwrap_err();
    assert_record(&err, "Api", "Forbidden.RAM");
    assert_eq!(
        rec_str(&err, "recommend").as_deref(),
        Some("https://api.aliyun.com/troubleshoot?q=Forbidden.RAM")
    );
    assert_eq!(rec_str(&err, "message").as_deref(), Some("no"));
}

#[wasm_bindgen_test]
fn judge_redacts_the_sts_token_in_every_encoding() {
    // What the gateway quotes on a signature mismatch: its string to sign,
    // where the token is encoded twice, plus raw and once-encoded copies.
    let message =
        "Specified signature is not matched with our calculation. server string to sign is:\
                   POST&%2F&SecurityToken%3DCAIS%252Bdemo%252Ftoken%253D%253D%26X \
                   raw CAIS+demo/token== once CAIS%2Bdemo%2Ftoken%3D%3D";
    let body = format!(
        r#"{{"RequestId":"r-sig","Code":"SignatureDoesNotMatch","Message":{}}}"#,
        JsValue::from(js_sys::JSON::stringify(&message.into()).unwrap())
            .as_string()
            .unwrap()
    );
    let err = judge_text(
        num(400.0),
        body.as_str().into(),
        None,
        None,
        None,
        Some(TOKEN.into()),
    )
    .unwrap_err();
    assert_record(&err, "Api", "SignatureDoesNotMatch");
    let redacted = rec_str(&err, "message").unwrap();
    for form in [
        "CAIS+demo",
        "CAIS%2Bdemo",
        "CAIS%252Bdemo",
        "token%3D",
        "token==",
    ] {
        assert!(!redacted.contains(form), "{form} leaked: {redacted}");
    }
    assert_eq!(redacted.matches("[redacted]").count(), 3, "{redacted}");
    assert!(redacted.starts_with("Specified signature is not matched"));
    assert_eq!(rec_str(&err, "requestId").as_deref(), Some("r-sig"));

    // Without a token there is nothing to redact: the message is verbatim.
    let err = judge_text(num(400.0), body.as_str().into(), None, None, None, None).unwrap_err();
    assert_eq!(rec_str(&err, "message").as_deref(), Some(message));
}

// ---------------------------------------------------------------- backoffMs

#[wasm_bindgen_test]
fn backoff_is_full_jitter_under_a_doubling_capped_ceiling() {
    let draws = |retry: u32| -> Vec<f64> { (0..200).map(|_| backoff_ms(retry, None)).collect() };
    let first = draws(1);
    assert!(first.iter().all(|d| (0.0..200.0).contains(d)), "{first:?}");
    let distinct: HashSet<u64> = first.iter().map(|d| d.to_bits()).collect();
    assert!(distinct.len() > 100, "not random: {distinct:?}");
    let third = draws(3);
    assert!(third.iter().all(|d| (0.0..800.0).contains(d)), "{third:?}");
    // 200 draws all below the first ceiling would mean it never grew (p = 4^-200).
    assert!(third.iter().any(|d| *d >= 200.0), "{third:?}");
    for retry in [0, 5, 6, 10, 30, u32::MAX] {
        for d in draws(retry) {
            assert!((0.0..=5_000.0).contains(&d), "retry {retry}: {d}");
        }
    }
    assert!(
        draws(10).iter().any(|d| *d > 2_500.0),
        "capped at 5000, not lower"
    );
}

#[wasm_bindgen_test]
fn backoff_honours_the_server_hint_up_to_a_minute() {
    assert_eq!(backoff_ms(1, Some(1500)), 1500.0);
    assert_eq!(backoff_ms(3, Some(0)), 0.0);
    assert_eq!(backoff_ms(2, Some(60_000)), 60_000.0);
    assert_eq!(backoff_ms(2, Some(60_001)), -1.0);
    assert_eq!(backoff_ms(1, Some(u32::MAX)), -1.0);
}
