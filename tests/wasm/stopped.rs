//! `Call.stopped`: the failure record for what only the entry saw (its
//! timer, the caller's signal, a rejected promise), with the runtime's
//! detail kept only when it holds no secret.

use dms_rerun::wasm::Stop;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

use crate::support::*;

#[wasm_bindgen_test]
fn stopped_names_what_the_entry_saw() {
    let none = || (JsValue::UNDEFINED, JsValue::UNDEFINED);
    let mut call = sent(Input::rerun(), 1);
    let (s, h) = none();
    let err = call.stopped_js(Stop::Timeout, None, None, s, h);
    assert_record(&err, "Timeout", "Timeout");
    assert!(get_str(&err, "message")
        .unwrap()
        .contains("may still have happened"));
    assert_eq!(get(&err, "attempts").as_f64(), Some(1.0));
    assert!(get(&err, "keepCause").is_undefined());
    // A list changes nothing, so its timeout cannot have rerun anything.
    let (s, h) = none();
    let err = sent(Input::list(), 1).stopped_js(Stop::Timeout, None, None, s, h);
    assert_record(&err, "Timeout", "Timeout");
    assert_eq!(
        get_str(&err, "message").as_deref(),
        Some("no answer within timeoutMs")
    );
    let (s, h) = none();
    let err = call.stopped_js(Stop::Aborted, Some("ECONNREFUSED".into()), None, s, h);
    assert_record(&err, "Aborted", "Aborted");
    assert!(
        !get_str(&err, "message").unwrap().contains("ECONNREFUSED"),
        "detail is for network failures"
    );
    for (stop, base) in [
        (
            Stop::Network,
            "the request could not be sent or got no answer",
        ),
        (
            Stop::BodyNetwork,
            "the connection failed while reading the answer",
        ),
    ] {
        let (s, h) = none();
        let err = call.stopped_js(stop, None, None, s, h);
        assert_record(&err, "Network", "NetworkError");
        assert_eq!(get_str(&err, "message").as_deref(), Some(base));
    }
    // Before any send there is no attempt to count.
    let (s, h) = none();
    let err = Input::rerun()
        .call()
        .stopped_js(Stop::Network, None, None, s, h);
    assert!(get(&err, "attempts").is_undefined());
}

#[wasm_bindgen_test]
fn stopped_says_which_network_failure_it_was() {
    let mut call = sent(Input::rerun(), 1);
    for (detail, said) in [
        ("ECONNREFUSED", "(ECONNREFUSED: connection refused)"),
        ("ENOTFOUND", "(ENOTFOUND: DNS lookup failed)"),
        ("EAI_AGAIN", "(EAI_AGAIN: DNS lookup failed)"),
        ("ECONNRESET", "(ECONNRESET: connection reset)"),
        ("UND_ERR_SOCKET", "(UND_ERR_SOCKET: connection reset)"),
        ("ETIMEDOUT", "(ETIMEDOUT: connect timed out)"),
        ("EHOSTUNREACH", "(EHOSTUNREACH: host unreachable)"),
        (
            "TypeError: fetch failed: bad port",
            "(TypeError: fetch failed: bad port)",
        ),
        ("TypeError: Failed to fetch", "(TypeError: Failed to fetch)"),
        ("E\u{1b}[2J\u{7}X\nY", "(E[2JXY)"),
    ] {
        let err = call.stopped_js(
            Stop::Network,
            Some(detail.into()),
            Some("text".into()),
            JsValue::UNDEFINED,
            JsValue::UNDEFINED,
        );
        assert_record(&err, "Network", "NetworkError");
        let message = get_str(&err, "message").unwrap();
        assert_eq!(
            message,
            format!("the request could not be sent or got no answer {said}")
        );
        assert_eq!(get(&err, "keepCause"), JsValue::TRUE, "{detail}");
    }
    let long = "x".repeat(1000);
    let err = call.stopped_js(
        Stop::Network,
        Some(long),
        None,
        JsValue::UNDEFINED,
        JsValue::UNDEFINED,
    );
    assert!(
        get_str(&err, "message").unwrap().len() < 220,
        "the detail is cut short"
    );
}

#[wasm_bindgen_test]
fn stopped_keeps_no_cause_or_detail_that_holds_a_secret() {
    let (fetch, calls) = fetch_double(|_| ok_response("x"));
    let mut call = Input::rerun()
        .with("securityToken", TOKEN.into())
        .with("fetch", fetch)
        .call();
    send_ok(&mut call);
    let url = calls.url(0);
    let signature = query_param(&url, "Signature").unwrap();
    let encoded = String::from(js_sys::encode_uri_component(&signature));
    for leaking in [
        format!("TypeError: fetch failed for {url}"),
        format!("bad signature {signature}"),
        format!("bad signature {encoded}"),
        "request with Signature=abc".to_string(),
        format!("token {TOKEN}"),
        "token CAIS%2Bdemo%2Ftoken%3D%3D".to_string(),
    ] {
        let err = call.stopped_js(
            Stop::Network,
            Some(leaking.clone()),
            Some(leaking.clone()),
            JsValue::UNDEFINED,
            JsValue::UNDEFINED,
        );
        assert_record(&err, "Network", "NetworkError");
        assert!(get(&err, "keepCause").is_undefined(), "{leaking}");
        assert_eq!(
            get_str(&err, "message").as_deref(),
            Some("the request could not be sent or got no answer"),
            "{leaking}"
        );
    }
    let err = call.stopped_js(
        Stop::Network,
        Some("ECONNRESET".into()),
        Some(format!("at {url}")),
        JsValue::UNDEFINED,
        JsValue::UNDEFINED,
    );
    assert!(get(&err, "keepCause").is_undefined());
    assert!(get_str(&err, "message").unwrap().contains("ECONNRESET"));
}

#[wasm_bindgen_test]
fn stopped_after_the_headers_keeps_status_and_request_id() {
    let mut call = sent(Input::rerun(), 1);
    let err = call.stopped_js(
        Stop::BodyNetwork,
        None,
        None,
        num(503.0),
        headers(&[("x-acs-request-id", "hdr")]),
    );
    assert_record(&err, "Network", "NetworkError");
    assert_eq!(get(&err, "httpStatus").as_f64(), Some(503.0));
    assert_eq!(get_str(&err, "requestId").as_deref(), Some("hdr"));
    // A status that is not one means no answer: no id either.
    for status in [num(42.0), "503".into(), JsValue::NULL] {
        let err = call.stopped_js(
            Stop::BodyNetwork,
            None,
            None,
            status,
            headers(&[("x-acs-request-id", "hdr")]),
        );
        assert!(get(&err, "httpStatus").is_undefined());
        assert!(get(&err, "requestId").is_undefined());
    }
    // Headers that throw or are missing give no id, and no exception.
    for hostile in [
        JsValue::UNDEFINED,
        js("({ get() { throw new Error('get') } })"),
    ] {
        let err = call.stopped_js(Stop::Timeout, None, None, num(200.0), hostile);
        assert_record(&err, "Timeout", "Timeout");
        assert_eq!(get(&err, "httpStatus").as_f64(), Some(200.0));
        assert!(get(&err, "requestId").is_undefined());
    }
}
