//! The wasm boundary: `signRequest` and `rerun` called with real JS values.
//!
//! No `wasm_bindgen_test_configure!` on purpose: without it the runner uses
//! Node, and `WASM_BINDGEN_USE_BROWSER=1` runs the very same tests in headless
//! Chromium. `fetch` is a test double that returns real `Response` objects:
//! this layer checks what crosses the boundary; real HTTP is tested elsewhere.
#![cfg(target_arch = "wasm32")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::rc::Rc;

use dms_rerun::request::{sign_rerun, Credentials, RerunRequest};
use dms_rerun::sign::Method;
use dms_rerun::wasm::{rerun, sign_request};
use js_sys::{Array, BigInt, Function, JsString, Object, Promise, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::{AbortController, AbortSignal};

const DEMO_ID: &str = "LTAI-demo-key";
const DEMO_SECRET: &str = "demo-secret-do-not-use";
const TS: &str = "2026-01-02T03:04:05Z";
const NONCE: &str = "c0ffee00-0000-4000-8000-000000000001";
/// Nothing listens here: a request that escaped the fetch double would fail loudly.
const ENDPOINT: &str = "http://127.0.0.1:9";

/// The ten signing arguments, in the order `signRequest`/`rerun` take them.
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

/// The transport arguments of `rerun`.
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
        let t = self.clone();
        sign_request(
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
            JsValue::UNDEFINED,
            JsValue::UNDEFINED,
            JsValue::UNDEFINED,
            JsValue::UNDEFINED,
            timestamp,
            nonce,
        )
    }

    fn sign_fixed(&self) -> Result<Vec<String>, JsValue> {
        self.sign(TS.into(), NONCE.into())
    }

    async fn rerun(&self, transport: Transport) -> Result<JsValue, JsValue> {
        let t = self.clone();
        rerun(
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
            transport.timeout_ms,
            transport.max_retries,
            transport.signal,
            transport.fetch,
        )
        .await
    }
}

fn get(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &JsValue::from_str(key)).unwrap()
}

fn get_str(value: &JsValue, key: &str) -> Option<String> {
    get(value, key).as_string()
}

/// Asserts `err` is a plain error record (not a thrown JS Error) of `kind`/`code`.
fn assert_record(err: &JsValue, kind: &str, code: &str) {
    assert!(
        err.is_object() && !err.is_instance_of::<js_sys::Error>(),
        "not an error record: {err:?}"
    );
    assert_eq!(get_str(err, "kind").as_deref(), Some(kind), "{err:?}");
    assert_eq!(get_str(err, "code").as_deref(), Some(code), "{err:?}");
    let message = get_str(err, "message").unwrap_or_default();
    assert!(!message.is_empty(), "{err:?}");
    assert!(!message.contains(DEMO_SECRET), "secret leaked: {message}");
    assert!(get(err, "retryable").as_bool().is_some(), "{err:?}");
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
                assert_eq!(get(&err, "retryable"), JsValue::FALSE);
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

// ---------------------------------------------------------------- rerun

fn ok_response(request_id: &str) -> JsValue {
    json_response(
        200,
        &format!(r#"{{"RequestId":"{request_id}","Success":true}}"#),
    )
}

fn busy_response() -> JsValue {
    json_response(
        503,
        r#"{"Code":"ServiceUnavailable","Message":"busy","RequestId":"r503"}"#,
    )
}

/// A promise that never settles: a request that hangs forever.
fn never() -> JsValue {
    Promise::new(&mut |_, _| {}).into()
}

/// `rerun` resolves to `[requestId, errorCode?, errorMessage?]`.
fn result_array(out: &JsValue) -> Array {
    let out: Array = out.clone().dyn_into().expect("rerun resolves to an array");
    assert_eq!(out.length(), 3);
    out
}

fn request_id(out: &JsValue) -> Option<String> {
    result_array(out).get(0).as_string()
}

/// The AbortSignal `rerun` handed to the n-th fetch call.
fn fetch_signal(calls: &Calls, n: usize) -> AbortSignal {
    get(&calls.init(n), "signal").dyn_into().unwrap()
}

/// Resolves after `ms` on the runtime's own timer.
async fn sleep(ms: f64) {
    let set_timeout: Function = get(&js_sys::global(), "setTimeout").unchecked_into();
    let wait = Promise::new(&mut |resolve, _| {
        set_timeout
            .call2(&JsValue::UNDEFINED, &resolve, &num(ms))
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(wait).await.unwrap();
}

/// Calls `target[method](...args)`.
fn call_method(target: &JsValue, method: &str, args: &[&JsValue]) -> JsValue {
    let f: Function = get(target, method).unchecked_into();
    let args: Array = args.iter().copied().collect();
    Reflect::apply(&f, target, &args).unwrap()
}

/// Counts unhandled promise rejections while installed (Node: `process.on`,
/// browsers: the `unhandledrejection` event). Node turns one into a process
/// crash, so `rerun` must never leave one behind.
struct RejectionWatch {
    seen: Rc<Cell<u32>>,
    target: JsValue,
    remove: &'static str,
    event: JsValue,
    handler: JsValue,
}

impl RejectionWatch {
    fn start() -> Self {
        let global: JsValue = js_sys::global().into();
        let process = get(&global, "process");
        let node = process.is_object() && get(&process, "on").is_function();
        let seen = Rc::new(Cell::new(0));
        let counter = seen.clone();
        let handler = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
            counter.set(counter.get() + 1);
            if !node {
                call_method(&event, "preventDefault", &[]); // keep the console clean
            }
        })
        .into_js_value();
        let (target, add, remove, event) = if node {
            (process, "on", "off", "unhandledRejection")
        } else {
            (
                global,
                "addEventListener",
                "removeEventListener",
                "unhandledrejection",
            )
        };
        let event = JsValue::from_str(event);
        call_method(&target, add, &[&event, &handler]);
        RejectionWatch {
            seen,
            target,
            remove,
            event,
            handler,
        }
    }

    /// Gives pending rejections time to be reported, uninstalls, and counts.
    async fn finish(self) -> u32 {
        sleep(100.0).await;
        call_method(&self.target, self.remove, &[&self.event, &self.handler]);
        self.seen.get()
    }
}

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

#[wasm_bindgen_test]
async fn success_resolves_to_request_id_array() {
    let (fetch, calls) = fetch_double(|_| ok_response("req-ok"));
    let out = Target::demo().rerun(with_fetch(fetch)).await.unwrap();
    let array = result_array(&out);
    assert_eq!(array.get(0).as_string().as_deref(), Some("req-ok"));
    assert!(array.get(1).is_undefined() && array.get(2).is_undefined());

    // One POST without a body, carrying the call's AbortSignal, to a URL the
    // pure signer reproduces from its own Timestamp and SignatureNonce.
    assert_eq!(calls.count(), 1);
    let init = calls.init(0);
    assert_eq!(get_str(&init, "method").as_deref(), Some("POST"));
    assert!(get(&init, "body").is_undefined());
    assert!(!fetch_signal(&calls, 0).aborted());
    let url = calls.url(0);
    let ts = query_param(&url, "Timestamp").unwrap();
    let nonce = query_param(&url, "SignatureNonce").unwrap();
    assert_eq!(url, pure_demo(Method::Post, &ts, &nonce).url);
}

#[wasm_bindgen_test]
async fn success_carries_error_code_and_message_when_present() {
    let (fetch, calls) = fetch_double(|_| {
        json_response(
            200,
            r#"{"RequestId":"r2","Success":true,"ErrorCode":"W1","ErrorMessage":"note"}"#,
        )
    });
    let get_target = Target::demo().with("method", "GET".into());
    let out = result_array(&get_target.rerun(with_fetch(fetch)).await.unwrap());
    assert_eq!(out.get(0).as_string().as_deref(), Some("r2"));
    assert_eq!(out.get(1).as_string().as_deref(), Some("W1"));
    assert_eq!(out.get(2).as_string().as_deref(), Some("note"));
    assert_eq!(get_str(&calls.init(0), "method").as_deref(), Some("GET"));
}

#[wasm_bindgen_test]
async fn success_false_is_an_api_error() {
    let (fetch, calls) = fetch_double(|_| {
        json_response(
            200,
            r#"{"RequestId":"r-no","Success":false,"ErrorCode":"InstanceNotExist","ErrorMessage":"no such instance"}"#,
        )
    });
    let err = Target::demo().rerun(with_fetch(fetch)).await.unwrap_err();
    assert_record(&err, "Api", "InstanceNotExist");
    assert_eq!(get(&err, "httpStatus").as_f64(), Some(200.0));
    assert_eq!(get_str(&err, "requestId").as_deref(), Some("r-no"));
    assert_eq!(get(&err, "retryable"), JsValue::FALSE);
    assert_eq!(calls.count(), 1, "Success:false is never retried");
}

#[wasm_bindgen_test]
async fn a_503_is_retried_and_re_signed() {
    let (fetch, calls) = fetch_double(|n| match n {
        0 => busy_response(),
        _ => ok_response("r-after-503"),
    });
    let transport = with_fetch(fetch).with("maxRetries", num(1.0));
    let out = Target::demo().rerun(transport).await.unwrap();
    assert_eq!(request_id(&out).as_deref(), Some("r-after-503"));
    assert_eq!(calls.count(), 2);
    assert_ne!(
        query_param(&calls.url(0), "SignatureNonce"),
        query_param(&calls.url(1), "SignatureNonce"),
        "each attempt gets a fresh nonce"
    );
}

#[wasm_bindgen_test]
async fn a_503_without_retries_left_is_reported() {
    let (fetch, calls) = fetch_double(|_| busy_response());
    let transport = with_fetch(fetch).with("maxRetries", num(0.0));
    let err = Target::demo().rerun(transport).await.unwrap_err();
    assert_record(&err, "Api", "ServiceUnavailable");
    assert_eq!(get(&err, "httpStatus").as_f64(), Some(503.0));
    assert_eq!(get_str(&err, "requestId").as_deref(), Some("r503"));
    assert_eq!(get(&err, "retryable"), JsValue::TRUE);
    assert_eq!(get(&err, "attempts").as_f64(), Some(1.0));
    assert_eq!(calls.count(), 1);
}

#[wasm_bindgen_test]
async fn fetch_throwing_synchronously_is_a_network_error() {
    let fetch = Closure::<dyn FnMut(JsValue, JsValue) -> Result<JsValue, JsValue>>::new(
        |_: JsValue, _: JsValue| Err(js_sys::TypeError::new("boom").into()),
    )
    .into_js_value();
    // The double really throws (rather than returning a rejected promise).
    let thrown = fetch.unchecked_ref::<Function>().call2(
        &JsValue::UNDEFINED,
        &"u".into(),
        &JsValue::UNDEFINED,
    );
    assert!(thrown.unwrap_err().is_instance_of::<js_sys::TypeError>());
    let err = Target::demo().rerun(with_fetch(fetch)).await.unwrap_err();
    assert_record(&err, "Network", "NetworkError");
    assert_eq!(get(&err, "attempts").as_f64(), Some(1.0));
}

#[wasm_bindgen_test]
async fn fetch_rejecting_is_a_network_error() {
    let (fetch, calls) =
        fetch_double(|_| Promise::reject(&js_sys::Error::new("refused").into()).into());
    let err = Target::demo().rerun(with_fetch(fetch)).await.unwrap_err();
    assert_record(&err, "Network", "NetworkError");
    assert_eq!(calls.count(), 1, "a network failure is not retried");
}

#[wasm_bindgen_test]
async fn fetch_returning_a_non_response_is_not_http() {
    let (fetch, _) = fetch_double(|_| num(42.0));
    let err = Target::demo().rerun(with_fetch(fetch)).await.unwrap_err();
    assert_record(&err, "InvalidResponse", "InvalidResponse.NotHttp");
}

#[wasm_bindgen_test]
async fn a_response_like_object_without_a_stream_is_read_with_text() {
    // What some fetch polyfills return: status + text(), no body stream, no headers.
    let (fetch, _) = fetch_double(|_| {
        let like = Object::new();
        Reflect::set(&like, &"status".into(), &num(200.0)).unwrap();
        let text = Closure::<dyn FnMut() -> JsValue>::new(|| {
            let body = JsValue::from_str(r#"{"RequestId":"duck","Success":true}"#);
            Promise::resolve(&body).into()
        });
        Reflect::set(&like, &"text".into(), &text.into_js_value()).unwrap();
        like.into()
    });
    let out = Target::demo().rerun(with_fetch(fetch)).await.unwrap();
    assert_eq!(request_id(&out).as_deref(), Some("duck"));
}

#[wasm_bindgen_test]
async fn non_json_body_is_invalid_response() {
    let (fetch, _) =
        fetch_double(|_| response(200, "<html>hi</html>", &[("content-type", "text/html")]));
    let err = Target::demo().rerun(with_fetch(fetch)).await.unwrap_err();
    assert_record(&err, "InvalidResponse", "InvalidResponse.NotJson");
    assert_eq!(get(&err, "httpStatus").as_f64(), Some(200.0));
}

/// A valid success body of exactly `len` bytes.
fn padded_success(len: usize) -> String {
    let head = r#"{"RequestId":"big","Success":true,"Pad":""#;
    let tail = r#""}"#;
    let body = [head, &"a".repeat(len - head.len() - tail.len()), tail].concat();
    assert_eq!(body.len(), len);
    body
}

#[wasm_bindgen_test]
async fn body_of_exactly_one_mib_is_read_and_one_byte_more_is_too_large() {
    const MIB: usize = 1024 * 1024;
    let fits = padded_success(MIB);
    let (fetch, _) = fetch_double(move |_| json_response(200, &fits));
    let out = Target::demo().rerun(with_fetch(fetch)).await.unwrap();
    assert_eq!(request_id(&out).as_deref(), Some("big"));

    let over = padded_success(MIB + 1);
    let (fetch, _) = fetch_double(move |_| json_response(200, &over));
    let err = Target::demo().rerun(with_fetch(fetch)).await.unwrap_err();
    assert_record(&err, "InvalidResponse", "InvalidResponse.TooLarge");
    assert_eq!(get(&err, "httpStatus").as_f64(), Some(200.0));
}

#[wasm_bindgen_test]
async fn a_declared_content_length_over_one_mib_is_too_large_unread() {
    let body = r#"{"RequestId":"small","Success":true}"#;
    let (fetch, _) = fetch_double(move |_| response(200, body, &[("content-length", "2000000")]));
    let err = Target::demo().rerun(with_fetch(fetch)).await.unwrap_err();
    assert_record(&err, "InvalidResponse", "InvalidResponse.TooLarge");
}

#[wasm_bindgen_test]
async fn timeout_with_a_hanging_fetch() {
    let watch = RejectionWatch::start();
    let (fetch, calls) = fetch_double(|_| never());
    let transport = with_fetch(fetch).with("timeoutMs", num(100.0));
    let started = js_sys::Date::now();
    let err = Target::demo().rerun(transport).await.unwrap_err();
    let elapsed = js_sys::Date::now() - started;
    assert_record(&err, "Timeout", "Timeout");
    assert!(elapsed >= 90.0, "stopped before timeoutMs: {elapsed} ms");
    assert_eq!(calls.count(), 1);
    // The signal handed to fetch is aborted, so a real request is cancelled.
    assert!(fetch_signal(&calls, 0).aborted());
    assert_eq!(watch.finish().await, 0);
}

#[wasm_bindgen_test]
async fn an_already_aborted_signal_never_calls_fetch() {
    let controller = AbortController::new().unwrap();
    controller.abort();
    let (fetch, calls) = fetch_double(|_| ok_response("x"));
    let transport = with_fetch(fetch).with("signal", controller.signal().into());
    let err = Target::demo().rerun(transport).await.unwrap_err();
    assert_record(&err, "Aborted", "Aborted");
    assert_eq!(calls.count(), 0);
}

#[wasm_bindgen_test]
async fn aborting_while_the_request_is_pending_stops_the_call() {
    let watch = RejectionWatch::start();
    let controller = AbortController::new().unwrap();
    let (fetch, calls) = fetch_double(|_| never());
    let transport = with_fetch(fetch)
        .with("signal", controller.signal().into())
        .with("timeoutMs", num(0.0));
    // Abort 20 ms into the call, from a timer, as a caller would.
    let abort: Function = get(&controller, "abort").unchecked_into();
    let set_timeout: Function = get(&js_sys::global(), "setTimeout").unchecked_into();
    let bound = abort.bind0(&controller);
    set_timeout
        .call2(&JsValue::UNDEFINED, &bound, &num(20.0))
        .unwrap();
    let err = Target::demo().rerun(transport).await.unwrap_err();
    assert_record(&err, "Aborted", "Aborted");
    assert_eq!(get(&err, "attempts").as_f64(), Some(1.0));
    assert_eq!(calls.count(), 1);
    assert!(fetch_signal(&calls, 0).aborted());
    assert_eq!(watch.finish().await, 0);
}

#[wasm_bindgen_test]
async fn aborting_inside_the_fetch_call_leaves_no_unhandled_rejection() {
    // A fetch wrapper that aborts the caller's controller while being called
    // (before `rerun` first awaits). Contract: `Aborted`, and nothing else —
    // an unhandled rejection here would crash a Node process.
    let watch = RejectionWatch::start();
    let controller = AbortController::new().unwrap();
    let abort = controller.clone();
    let (fetch, calls) = fetch_double(move |_| {
        abort.abort();
        never()
    });
    let transport = with_fetch(fetch).with("signal", controller.signal().into());
    let err = Target::demo().rerun(transport).await.unwrap_err();
    assert_record(&err, "Aborted", "Aborted");
    assert_eq!(get(&err, "attempts").as_f64(), Some(1.0));
    assert_eq!(calls.count(), 1);
    assert_eq!(
        watch.finish().await,
        0,
        "rerun left an unhandled rejection (its internal 'stopped' promise)"
    );
}

#[wasm_bindgen_test]
async fn bad_rerun_inputs_are_refused_before_fetch() {
    let (fetch, calls) = fetch_double(|_| ok_response("x"));
    let good = with_fetch(fetch);
    let not_a_signal: JsValue = Object::new().into();
    Reflect::set(&not_a_signal, &"aborted".into(), &JsValue::FALSE).unwrap();
    let cases = [
        ("timeoutMs", num(-1.0)),
        ("timeoutMs", num(1.5)),
        ("timeoutMs", num(f64::NAN)),
        ("timeoutMs", "100".into()),
        ("timeoutMs", num(2_147_483_648.0)), // above what timers accept
        ("maxRetries", num(11.0)),
        ("maxRetries", big(1)),
        ("signal", not_a_signal), // no addEventListener
        ("signal", JsValue::TRUE),
        ("fetch", num(42.0)),
        ("fetch", Object::new().into()),
    ];
    for (field, value) in cases {
        let err = Target::demo()
            .rerun(good.with(field, value))
            .await
            .unwrap_err();
        assert_record(&err, "InvalidInput", &code_for(field));
    }
    for (field, value) in bad_inputs() {
        let err = Target::demo()
            .with(field, value)
            .rerun(good.clone())
            .await
            .unwrap_err();
        assert_record(&err, "InvalidInput", &code_for(field));
    }
    assert_eq!(calls.count(), 0, "nothing may be sent for bad input");
    // The same fetch then works: the refusals left nothing behind.
    let out = Target::demo().rerun(good).await.unwrap();
    assert_eq!(request_id(&out).as_deref(), Some("x"));
    assert_eq!(calls.count(), 1);
}
