//! `Call.judge` (status, headers, body text), `Call.stopped` (what only the
//! entry saw) and `Call.retryDelay` (whether and when to send again), for the
//! rerun. The list's answers are in `list.rs`.

use std::collections::HashSet;

use dms_rerun::wasm::{Call, Stop};
use js_sys::JsString;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

use crate::support::*;

/// `judge` as the entry calls it: a status, real `Headers`, the body text.
pub fn judge_with(
    call: &mut Call,
    status: JsValue,
    header_pairs: &[(&str, &str)],
    body: &str,
) -> Result<JsValue, JsValue> {
    call.judge(status, headers(header_pairs), Some(JsString::from(body)))
        .map_err(JsValue::from)
}

fn judge_plain(status: f64, body: &str) -> Result<JsValue, JsValue> {
    judge_with(&mut Input::rerun().call(), num(status), &[], body)
}

/// A call that has sent `sends` requests through a double, ready to judge.
fn sent(input: Input, sends: u32) -> Call {
    let (fetch, _) = fetch_double(|_| ok_response("x"));
    let mut call = input.with("fetch", fetch).call();
    for _ in 0..sends {
        send_ok(&mut call);
    }
    call
}

const THROTTLED: &str = r#"{"RequestId":"r-t","Code":"Throttling.User","Message":"Request was denied due to user flow control."}"#;

#[wasm_bindgen_test]
fn judge_success() {
    let out = judge_plain(200.0, r#"{"RequestId":"r","Success":true}"#).unwrap();
    assert_eq!(keys(&out), ["requestId", "success"]);
    assert_eq!(get_str(&out, "requestId").as_deref(), Some("r"));
    assert_eq!(get(&out, "success"), JsValue::TRUE);

    let body = r#"{"RequestId":"r2","Success":true,"ErrorCode":"W1","ErrorMessage":"note"}"#;
    let out = judge_plain(200.0, body).unwrap();
    assert_eq!(get_str(&out, "errorCode").as_deref(), Some("W1"));
    assert_eq!(get_str(&out, "errorMessage").as_deref(), Some("note"));

    // Any 2xx is a success; unknown fields and nested values are ignored.
    let body = r#"{"Success":true,"RequestId":"r3","Extra":{"a":[1,2]},"ErrorCode":""}"#;
    let out = judge_plain(201.0, body).unwrap();
    assert_eq!(get_str(&out, "requestId").as_deref(), Some("r3"));
    assert!(
        get(&out, "errorCode").is_undefined(),
        "an empty ErrorCode is no code"
    );
    // A success without RequestId has an empty one.
    let out = judge_plain(200.0, r#"{"Success":true}"#).unwrap();
    assert_eq!(get_str(&out, "requestId").as_deref(), Some(""));
}

#[wasm_bindgen_test]
fn judge_success_false_is_an_api_error() {
    let body = r#"{"RequestId":"r-no","Success":false,"ErrorCode":"InstanceNotExist","ErrorMessage":"no such instance"}"#;
    let err = judge_plain(200.0, body).unwrap_err();
    assert_record(&err, "Api", "InstanceNotExist");
    assert_eq!(
        get_str(&err, "message").as_deref(),
        Some("no such instance")
    );
    assert_eq!(get(&err, "httpStatus").as_f64(), Some(200.0));
    assert_eq!(get_str(&err, "requestId").as_deref(), Some("r-no"));
    assert_eq!(get(&err, "retryable"), JsValue::FALSE);
    assert!(
        get(&err, "attempts").is_undefined(),
        "nothing was sent by this call"
    );
    let err = judge_plain(200.0, r#"{"Success":false}"#).unwrap_err();
    assert_record(&err, "Api", "UnknownError");
}

#[wasm_bindgen_test]
fn judge_throttling_is_retryable_and_retry_delay_follows_the_hints() {
    // No budget (timeoutMs 0), so only the hint decides the wait.
    let input = Input::rerun().with("timeoutMs", num(0.0));
    let hinted = |pairs: &[(&str, &str)]| {
        let mut call = sent(input.clone(), 1);
        let err = judge_with(&mut call, num(400.0), pairs, THROTTLED).unwrap_err();
        (err, call.retry_delay())
    };
    let (err, delay) = hinted(&[("x-acs-retry-after", "1500"), ("retry-after", "9")]);
    assert_record(&err, "Api", "Throttling.User");
    assert_eq!(get(&err, "retryable"), JsValue::TRUE);
    assert_eq!(get(&err, "httpStatus").as_f64(), Some(400.0));
    assert_eq!(get_str(&err, "requestId").as_deref(), Some("r-t"));
    assert_eq!(
        get(&err, "attempts").as_f64(),
        Some(1.0),
        "attempts once a request was sent"
    );
    assert_eq!(delay, 1500.0, "x-acs-retry-after is in milliseconds");
    // Retry-After is in seconds, used when x-acs-retry-after is absent or unreadable.
    assert_eq!(hinted(&[("retry-after", "2")]).1, 2000.0);
    assert_eq!(
        hinted(&[("x-acs-retry-after", "soon"), ("retry-after", " 3 ")]).1,
        3000.0
    );
    let (_, jitter) = hinted(&[("x-acs-retry-after", "soon")]);
    assert!((0.0..200.0).contains(&jitter), "{jitter}");
    // Up to a minute; a longer hint ends the call with the server's answer.
    assert_eq!(hinted(&[("x-acs-retry-after", "60000")]).1, 60_000.0);
    assert_eq!(hinted(&[("x-acs-retry-after", "60001")]).1, -1.0);
    assert_eq!(hinted(&[("retry-after", "4294967")]).1, -1.0);
    // No hint field on the record: the wait is Rust's to decide.
    let (err, _) = hinted(&[("x-acs-retry-after", "1500")]);
    assert!(get(&err, "retryAfterMs").is_undefined());
    // A 503 is retried too; other codes and statuses are final.
    let mut call = sent(input.clone(), 1);
    let err = judge_with(
        &mut call,
        num(503.0),
        &[],
        r#"{"Code":"ServiceUnavailable","Message":"busy"}"#,
    )
    .unwrap_err();
    assert_eq!(get(&err, "retryable"), JsValue::TRUE);
    assert!(call.retry_delay() >= 0.0);
    let mut call = sent(input, 1);
    let err = judge_with(
        &mut call,
        num(400.0),
        &[("x-acs-retry-after", "10")],
        r#"{"Code":"InvalidParameter","Message":"m","RequestId":"r"}"#,
    )
    .unwrap_err();
    assert_record(&err, "Api", "InvalidParameter");
    assert_eq!(get(&err, "retryable"), JsValue::FALSE);
    assert_eq!(call.retry_delay(), -1.0);
}

#[wasm_bindgen_test]
fn retry_delay_keeps_the_wait_inside_the_budget() {
    // timeoutMs counts from the first send; a wait that would end past it is refused.
    let input = Input::rerun().with("timeoutMs", num(1_000.0));
    let mut call = sent(input.clone(), 1);
    judge_with(
        &mut call,
        num(400.0),
        &[("x-acs-retry-after", "1500")],
        THROTTLED,
    )
    .unwrap_err();
    assert_eq!(call.retry_delay(), -1.0, "1.5 s does not fit in 1 s");
    let mut call = sent(input, 1);
    judge_with(
        &mut call,
        num(400.0),
        &[("x-acs-retry-after", "500")],
        THROTTLED,
    )
    .unwrap_err();
    assert_eq!(call.retry_delay(), 500.0);
    // Before any failure there is nothing to retry.
    assert_eq!(Input::rerun().call().retry_delay(), -1.0);
}

#[wasm_bindgen_test]
fn backoff_is_full_jitter_under_a_doubling_capped_ceiling_until_retries_run_out() {
    let mut call = sent(
        Input::rerun()
            .with("timeoutMs", num(0.0))
            .with("maxRetries", num(10.0)),
        0,
    );
    for attempt in 1..=10_u32 {
        send_ok(&mut call);
        let err = judge_with(&mut call, num(400.0), &[], THROTTLED).unwrap_err();
        assert_eq!(get(&err, "attempts").as_f64(), Some(f64::from(attempt)));
        let ceiling = (200.0 * 2f64.powi(attempt as i32 - 1)).min(5_000.0);
        let draws: Vec<f64> = (0..200).map(|_| call.retry_delay()).collect();
        assert!(
            draws.iter().all(|d| (0.0..ceiling).contains(d)),
            "attempt {attempt}: {draws:?}"
        );
        // 200 draws all in the lower half would mean the ceiling is lower (p = 2^-200).
        assert!(
            draws.iter().any(|d| *d >= ceiling / 2.0),
            "attempt {attempt}: {draws:?}"
        );
        if attempt == 1 {
            let distinct: HashSet<u64> = draws.iter().map(|d| d.to_bits()).collect();
            assert!(distinct.len() > 100, "not random: {distinct:?}");
        }
    }
    // The eleventh request was the last one maxRetries allows.
    send_ok(&mut call);
    judge_with(&mut call, num(400.0), &[], THROTTLED).unwrap_err();
    assert_eq!(call.retry_delay(), -1.0);
    // maxRetries 0: never.
    let mut call = sent(Input::rerun().with("maxRetries", num(0.0)), 1);
    judge_with(&mut call, num(400.0), &[], THROTTLED).unwrap_err();
    assert_eq!(call.retry_delay(), -1.0);
}

#[wasm_bindgen_test]
fn judge_non_json_errors_keep_the_header_request_id() {
    let page = "<html>Service Unavailable</html>";
    let id = [("x-acs-request-id", "hdr-id")];
    let mut call = Input::rerun().call();
    let err = judge_with(&mut call, num(503.0), &id, page).unwrap_err();
    assert_record(&err, "InvalidResponse", "InvalidResponse.NotJson");
    assert_eq!(get(&err, "retryable"), JsValue::TRUE, "503 is retried");
    assert_eq!(get(&err, "httpStatus").as_f64(), Some(503.0));
    assert_eq!(get_str(&err, "requestId").as_deref(), Some("hdr-id"));

    let err = judge_with(&mut call, num(500.0), &id, page).unwrap_err();
    assert_record(&err, "InvalidResponse", "InvalidResponse.NotJson");
    assert_eq!(get(&err, "retryable"), JsValue::FALSE, "500 may have run");

    // A RequestId in the body wins over the header.
    let body = r#"{"Code":"ServiceUnavailable","Message":"busy","RequestId":"body-id"}"#;
    let err = judge_with(&mut call, num(503.0), &id, body).unwrap_err();
    assert_record(&err, "Api", "ServiceUnavailable");
    assert_eq!(get_str(&err, "requestId").as_deref(), Some("body-id"));
    // Headers that are not a Headers object give no id, and no exception.
    let err = call
        .judge(num(503.0), JsValue::UNDEFINED, Some(page.into()))
        .map_err(JsValue::from)
        .unwrap_err();
    assert_record(&err, "InvalidResponse", "InvalidResponse.NotJson");
    assert!(get(&err, "requestId").is_undefined());
}

#[wasm_bindgen_test]
fn judge_too_large_and_not_http() {
    let mut call = Input::rerun().call();
    let err = call
        .judge(num(200.0), headers(&[("x-acs-request-id", "big")]), None)
        .map_err(JsValue::from)
        .unwrap_err();
    assert_record(&err, "InvalidResponse", "InvalidResponse.TooLarge");
    assert_eq!(get(&err, "httpStatus").as_f64(), Some(200.0));
    assert_eq!(get(&err, "retryable"), JsValue::FALSE);
    assert_eq!(get_str(&err, "requestId").as_deref(), Some("big"));

    let not_statuses = [
        num(42.0),
        num(99.0),
        num(600.0),
        num(200.5),
        num(f64::NAN),
        "200".into(),
        JsValue::UNDEFINED,
        JsValue::NULL,
        big(200),
        js("new Number(200)"),
        js("({ valueOf() { throw new Error('valueOf') } })"),
    ];
    for status in not_statuses {
        let err = judge_with(
            &mut call,
            status.clone(),
            &[],
            r#"{"RequestId":"r","Success":true}"#,
        )
        .expect_err(&format!("{status:?}"));
        assert_record(&err, "InvalidResponse", "InvalidResponse.NotHttp");
        assert!(get(&err, "httpStatus").is_undefined());
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
        let err = judge_plain(200.0, body).expect_err(body);
        assert_record(&err, "InvalidResponse", "InvalidResponse.NotJson");
        assert_eq!(get(&err, "httpStatus").as_f64(), Some(200.0));
    }
    // A body that is not even a string (a broken double) is not JSON either.
    let mut call = Input::rerun().call();
    for body in [
        num(1.0),
        js("Symbol('body')"),
        js("({ toString() { throw new Error('toString') } })"),
    ] {
        let err = call
            .judge(num(200.0), headers(&[]), Some(body.unchecked_into()))
            .map_err(JsValue::from)
            .unwrap_err();
        assert_record(&err, "InvalidResponse", "InvalidResponse.NotJson");
    }

    let err = judge_plain(200.0, "{}").unwrap_err();
    assert_record(&err, "InvalidResponse", "InvalidResponse.MissingSuccess");
    let err = judge_plain(200.0, r#"{"Success":"true","RequestId":"r"}"#).unwrap_err();
    assert_record(&err, "InvalidResponse", "InvalidResponse.MissingSuccess");
    assert_eq!(get_str(&err, "requestId").as_deref(), Some("r"));

    let err = judge_plain(400.0, "{}").unwrap_err();
    assert_record(&err, "InvalidResponse", "InvalidResponse.MissingCode");
    assert_eq!(get(&err, "httpStatus").as_f64(), Some(400.0));
}

#[wasm_bindgen_test]
fn judge_reads_own_fields_only() {
    // Another library's Object.prototype.Success must not turn `{}` into a success.
    let proto = js("Object.prototype");
    let outcome = with_property(&proto, "Success", Some(data(&JsValue::TRUE)), || {
        with_property(&proto, "RequestId", Some(data(&"polluted".into())), || {
            judge_plain(200.0, "{}")
        })
    });
    assert_record(
        &outcome.unwrap_err(),
        "InvalidResponse",
        "InvalidResponse.MissingSuccess",
    );
    // A body's own "__proto__" member is data, not a prototype.
    let err = judge_plain(200.0, r#"{"__proto__":{"Success":true},"RequestId":"r"}"#).unwrap_err();
    assert_record(&err, "InvalidResponse", "InvalidResponse.MissingSuccess");
}

#[wasm_bindgen_test]
fn judge_keeps_recommend() {
    let body = r#"{"RequestId":"r","Code":"Forbidden.RAM","Message":"no","Recommend":"https://api.aliyun.com/troubleshoot?q=Forbidden.RAM"}"#;
    let err = judge_plain(403.0, body).unwrap_err();
    assert_record(&err, "Api", "Forbidden.RAM");
    assert_eq!(
        get_str(&err, "recommend").as_deref(),
        Some("https://api.aliyun.com/troubleshoot?q=Forbidden.RAM")
    );
    assert_eq!(get_str(&err, "message").as_deref(), Some("no"));
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
        String::from(js_sys::JSON::stringify(&message.into()).unwrap())
    );
    for action in [RERUN, LIST] {
        let input = if action == RERUN {
            Input::rerun()
        } else {
            Input::list()
        };
        let mut call = input.clone().with("securityToken", TOKEN.into()).call();
        let err = judge_with(&mut call, num(400.0), &[], &body).unwrap_err();
        assert_record(&err, "Api", "SignatureDoesNotMatch");
        let redacted = get_str(&err, "message").unwrap();
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
        assert_eq!(get_str(&err, "requestId").as_deref(), Some("r-sig"));
        // Without a token there is nothing to redact: the message is verbatim.
        let err = judge_with(&mut input.call(), num(400.0), &[], &body).unwrap_err();
        assert_eq!(get_str(&err, "message").as_deref(), Some(message));
    }
}

// ---------------------------------------------------------------- stopped

#[wasm_bindgen_test]
fn stopped_names_what_the_entry_saw() {
    let none = || (JsValue::UNDEFINED, JsValue::UNDEFINED);
    let mut call = sent(Input::rerun(), 1);
    let (s, h) = none();
    let err = call.stopped(Stop::Timeout, None, None, s, h);
    assert_record(&err, "Timeout", "Timeout");
    assert!(get_str(&err, "message")
        .unwrap()
        .contains("may still have happened"));
    assert_eq!(get(&err, "attempts").as_f64(), Some(1.0));
    assert!(get(&err, "keepCause").is_undefined());
    let (s, h) = none();
    let err = call.stopped(Stop::Aborted, Some("ECONNREFUSED".into()), None, s, h);
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
        let err = call.stopped(stop, None, None, s, h);
        assert_record(&err, "Network", "NetworkError");
        assert_eq!(get_str(&err, "message").as_deref(), Some(base));
    }
    // Before any send there is no attempt to count.
    let (s, h) = none();
    let err = Input::rerun()
        .call()
        .stopped(Stop::Network, None, None, s, h);
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
        let err = call.stopped(
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
    let err = call.stopped(
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
        let err = call.stopped(
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
    let err = call.stopped(
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
    let err = call.stopped(
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
        let err = call.stopped(
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
        let err = call.stopped(Stop::Timeout, None, None, num(200.0), hostile);
        assert_record(&err, "Timeout", "Timeout");
        assert_eq!(get(&err, "httpStatus").as_f64(), Some(200.0));
        assert!(get(&err, "requestId").is_undefined());
    }
}

#[wasm_bindgen_test]
fn network_stops_are_retried_for_the_list_only() {
    for stop in [Stop::Network, Stop::BodyNetwork] {
        let mut list = sent(Input::list(), 1);
        list.stopped(stop, None, None, JsValue::UNDEFINED, JsValue::UNDEFINED);
        let delay = list.retry_delay();
        assert!((0.0..200.0).contains(&delay), "list: {delay}");
        let mut rerun = sent(Input::rerun(), 1);
        rerun.stopped(stop, None, None, JsValue::UNDEFINED, JsValue::UNDEFINED);
        assert_eq!(rerun.retry_delay(), -1.0, "a rerun may have run");
    }
    for stop in [Stop::Timeout, Stop::Aborted] {
        for input in [Input::list(), Input::rerun()] {
            let mut call = sent(input, 1);
            call.stopped(stop, None, None, JsValue::UNDEFINED, JsValue::UNDEFINED);
            assert_eq!(call.retry_delay(), -1.0);
        }
    }
    // The list's retries are bounded by maxRetries too.
    let mut list = sent(Input::list().with("maxRetries", num(2.0)), 3);
    list.stopped(
        Stop::Network,
        None,
        None,
        JsValue::UNDEFINED,
        JsValue::UNDEFINED,
    );
    assert_eq!(list.retry_delay(), -1.0);
}
