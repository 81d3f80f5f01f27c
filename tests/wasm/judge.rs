//! `Call.judge` for the rerun: status, headers and body text become the
//! result or a failure record. The list's answers are in `list.rs`; what
//! a judged failure means for the next attempt is in `retry.rs`.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

use crate::support::*;

fn judge_plain(status: f64, body: &str) -> Result<JsValue, JsValue> {
    judge_with(&mut Input::rerun().call(), num(status), &[], body)
}

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
        .judge_js(num(503.0), JsValue::UNDEFINED, Some(page.into()))
        .unwrap_err();
    assert_record(&err, "InvalidResponse", "InvalidResponse.NotJson");
    assert!(get(&err, "requestId").is_undefined());
}

#[wasm_bindgen_test]
fn judge_too_large_and_not_http() {
    let mut call = Input::rerun().call();
    let err = call
        .judge_js(num(200.0), headers(&[("x-acs-request-id", "big")]), None)
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
            .judge_js(num(200.0), headers(&[]), Some(body.unchecked_into()))
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
