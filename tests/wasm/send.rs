//! `Call.send`: one attempt, signed afresh from the frozen input, handed to
//! the caller's `fetch` (or the global one) with the entry's AbortSignal.

use std::collections::HashSet;

use dms_rerun::sign::Method;
use js_sys::{Object, Promise};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

use crate::signing::demo_rerun_params;
use crate::support::*;

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

/// Timestamp and nonce of a sent URL.
fn fresh_parts(url: &str) -> (String, String) {
    (
        query_param(url, "Timestamp").unwrap(),
        query_param(url, "SignatureNonce").unwrap(),
    )
}

#[wasm_bindgen_test]
async fn send_posts_once_without_body_with_the_entry_signal() {
    let (fetch, calls) = fetch_double(|_| ok_response("req-ok"));
    let abort = entry_signal();
    let before = js_sys::Date::now();
    let input = Input::rerun().with("fetch", fetch);
    let mut call = input.call();
    let promise = call.send_js(&abort).unwrap();

    // Called synchronously, exactly once, before anything is awaited.
    assert_eq!(calls.count(), 1);
    let init = calls.init(0);
    assert_eq!(keys(&init), ["method", "signal"], "no body, no headers");
    assert_eq!(get_str(&init, "method").as_deref(), Some("POST"));
    assert!(
        Object::is(&get(&init, "signal"), &abort),
        "fetch gets the entry's signal"
    );

    // The URL carries every parameter and is exactly what the pure signer
    // produces from its own Timestamp and SignatureNonce.
    let url = calls.url(0);
    assert!(url.starts_with("http://127.0.0.1:9/?"), "{url}");
    let mut expected: Vec<&str> = SIGNED_PARAMS.to_vec();
    expected.push("Signature");
    assert_eq!(query_names(&url), expected, "{url}");
    assert_eq!(query_param(&url, "Action").as_deref(), Some(RERUN));
    assert_eq!(query_param(&url, "DagInstanceId").as_deref(), Some("47"));
    let (ts, nonce) = fresh_parts(&url);
    assert_eq!(
        url,
        pure(RERUN, Method::Post, &demo_rerun_params(), &ts, &nonce).url
    );
    // What a preview with that timestamp and nonce shows is what was sent.
    assert_eq!(
        input
            .preview(ts.as_str().into(), nonce.as_str().into())
            .unwrap()
            .url,
        url
    );
    // Signed with the JS clock, to the second.
    let signed_at = js_sys::Date::parse(&ts);
    assert!(
        signed_at >= before - 1_000.0 && signed_at <= js_sys::Date::now() + 1_000.0,
        "{ts}"
    );

    // The promise resolves to the very Response the fetch returned.
    let response = settle(&promise).await.unwrap();
    assert_eq!(get(&response, "status").as_f64(), Some(200.0));
    let again = settle(&promise).await.unwrap();
    assert!(Object::is(&response, &again));
}

#[wasm_bindgen_test]
async fn send_uses_get_and_the_entry_signal_not_the_callers() {
    let (fetch, calls) = fetch_double(|_| ok_response("r-get"));
    let (_controller, caller) = abort_controller();
    let abort = entry_signal();
    let mut call = Input::rerun()
        .with("fetch", fetch)
        .with("timeoutMs", num(0.0))
        .with("maxRetries", num(10.0))
        .with("signal", caller.clone().into())
        .with("method", "GET".into())
        .with("tid", big(i64::MAX.into()))
        .with("securityToken", TOKEN.into())
        .call();
    assert_eq!(call.timeout_ms(), 0);
    let promise = call.send_js(&abort).unwrap();
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
    assert_eq!(query_param(&url, "SecurityToken").as_deref(), Some(TOKEN));
    let response = settle(&promise).await.unwrap();
    assert_eq!(get(&response, "status").as_f64(), Some(200.0));
}

#[wasm_bindgen_test]
fn every_send_is_signed_afresh_from_the_same_input() {
    // Retries re-sign the frozen copy: a new timestamp and nonce, the same
    // parameters, never a re-read.
    let (fetch, calls) = fetch_double(|_| ok_response("r"));
    let mut call = Input::rerun()
        .with("fetch", fetch)
        .with("maxRetries", num(10.0))
        .call();
    for _ in 0..20 {
        send_ok(&mut call);
    }
    let mut nonces = HashSet::new();
    for i in 0..calls.count() {
        let url = calls.url(i);
        let (ts, nonce) = fresh_parts(&url);
        // Each URL is a valid signature of its own nonce.
        assert_eq!(
            url,
            pure(RERUN, Method::Post, &demo_rerun_params(), &ts, &nonce).url
        );
        nonces.insert(nonce);
    }
    assert_eq!(nonces.len(), 20, "a retry must never reuse a nonce");
}

#[wasm_bindgen_test]
async fn send_without_a_fetch_option_calls_the_global_fetch() {
    let (double, calls) = fetch_double(|_| ok_response("global"));
    let abort = entry_signal();
    let global: JsValue = js_sys::global().into();
    let mut call = Input::rerun().call();
    let sent = with_property(&global, "fetch", Some(data(&double)), || {
        call.send_js(&abort)
    });
    let promise = sent.unwrap();
    assert_eq!(calls.count(), 1);
    assert!(Object::is(&get(&calls.init(0), "signal"), &abort));
    assert!(settle(&promise).await.unwrap().is_object());
    // And a caller's fetch wins over the global one.
    let (mine, mine_calls) = fetch_double(|_| ok_response("mine"));
    let mut call = Input::rerun().with("fetch", mine).call();
    let sent = with_property(&global, "fetch", Some(data(&double)), || {
        call.send_js(&abort)
    });
    assert!(sent.is_ok());
    assert_eq!((calls.count(), mine_calls.count()), (1, 1));
}

#[wasm_bindgen_test]
async fn whatever_fetch_returns_is_handed_back_as_a_promise() {
    // Not sending is for the entry to judge: a non-Response resolves as is,
    // and a rejection stays a rejection (to become Network there).
    let (fetch, _) = fetch_double(|_| num(42.0));
    let mut call = Input::rerun().with("fetch", fetch).call();
    let promise = call.send_js(&entry_signal()).unwrap();
    assert_eq!(settle(&promise).await.unwrap().as_f64(), Some(42.0));

    let (fetch, _) =
        fetch_double(|_| Promise::reject(&js_sys::Error::new("refused").into()).into());
    let mut call = Input::rerun().with("fetch", fetch).call();
    let promise = call.send_js(&entry_signal()).unwrap();
    let err = settle(&promise).await.unwrap_err();
    assert!(err.is_instance_of::<js_sys::Error>(), "{err:?}");

    // A thenable whose `then` getter throws rejects; it never throws through wasm.
    let fetch = js("() => ({ get then() { throw new Error('then getter') } })");
    let mut call = Input::rerun().with("fetch", fetch).call();
    let promise = call.send_js(&entry_signal()).unwrap();
    let err = settle(&promise).await.unwrap_err();
    assert_eq!(get_str(&err, "message").as_deref(), Some("then getter"));
}

#[wasm_bindgen_test]
fn a_fetch_returning_a_promise_with_a_throwing_constructor_is_not_an_exception() {
    // `send` hands what `fetch` returned to `Promise.resolve`, which reads a
    // real promise's `constructor` first: that import must be `catch` (it
    // was js-sys's `Promise::resolve`, not `catch`, before af51cae), else
    // the caller's getter unwinds through wasm (issue 9, defect 3).
    let fetch = js(
        "() => { const p = Promise.resolve(1); \
         Object.defineProperty(p, 'constructor', { get() { throw new Error('constructor getter') } }); \
         return p; }",
    );
    let mut call = Input::rerun().with("fetch", fetch).call();
    match call.send_js(&entry_signal()) {
        Ok(promise) => assert!(promise.is_instance_of::<Promise>()),
        Err(err) => {
            assert_record(&err, "Network", "NetworkError");
            assert_eq!(get(&err, "attempts").as_f64(), Some(1.0));
        }
    }
}

#[wasm_bindgen_test]
fn fetch_throwing_synchronously_is_a_network_failure_with_attempts() {
    let count = js("{ n: 0 }");
    let fetch = js_function(
        "url, init",
        "this.n += 1; throw new TypeError('boom ' + url)",
    )
    .bind0(&count);
    let mut call = Input::rerun().with("fetch", fetch.into()).call();
    for attempt in 1..=3 {
        let err = call.send_js(&entry_signal()).unwrap_err();
        assert_record(&err, "Network", "NetworkError");
        assert_eq!(get(&err, "retryable"), JsValue::FALSE);
        assert_eq!(get(&err, "attempts").as_f64(), Some(attempt as f64));
        // The thrown error quoted the signed URL: none of it may show.
        let message = get_str(&err, "message").unwrap();
        assert!(
            !message.contains("Signature") && !message.contains("127.0.0.1"),
            "{message}"
        );
    }
    assert_eq!(
        get(&count, "n").as_f64(),
        Some(3.0),
        "the double really was called and threw"
    );
    // The rerun is not retried after a network failure (it may have run).
    assert_eq!(call.retry_delay(), -1.0);
}

#[wasm_bindgen_test]
fn the_request_init_ignores_a_polluted_object_prototype() {
    // `init` is built from entries (data properties): setters another
    // library put on Object.prototype never run, and its values never leak in.
    let (fetch, calls) = fetch_double(|_| ok_response("r"));
    let mut call = Input::rerun().with("fetch", fetch).call();
    let proto = js("Object.prototype");
    let thrower = js("({ set(v) { throw new Error('setter ran') }, get() { return 'polluted' }, configurable: true })");
    let sent = with_property(&proto, "method", Some(thrower.clone()), || {
        with_property(&proto, "signal", Some(thrower.clone()), || {
            with_property(&proto, "body", Some(data(&"polluted".into())), || {
                call.send_js(&entry_signal()).map(|_| ())
            })
        })
    });
    assert!(sent.is_ok(), "{:?}", sent.err());
    let init = calls.init(0);
    assert_eq!(keys(&init), ["method", "signal"]);
    assert!(
        !Object::get_own_property_descriptor(init.unchecked_ref::<Object>(), &"method".into())
            .is_undefined()
    );
    assert_eq!(get_str(&init, "method").as_deref(), Some("POST"));
    assert!(get(&init, "signal").is_instance_of::<web_sys::AbortSignal>());
}
