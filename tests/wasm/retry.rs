//! `Call.retryDelay`: whether and when to send again after the last
//! failure. Rust owns the decision: retryable answers (throttling, 503),
//! network failures for the read-only list only, the server's hint up to a
//! minute, full-jitter backoff, `maxRetries` and the `timeoutMs` budget.

use std::collections::HashSet;

use dms_rerun::wasm::Stop;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

use crate::support::*;

const THROTTLED: &str = r#"{"RequestId":"r-t","Code":"Throttling.User","Message":"Request was denied due to user flow control."}"#;

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
fn network_stops_are_retried_for_the_list_only() {
    for stop in [Stop::Network, Stop::BodyNetwork] {
        let mut list = sent(Input::list(), 1);
        list.stopped_js(stop, None, None, JsValue::UNDEFINED, JsValue::UNDEFINED);
        let delay = list.retry_delay();
        assert!((0.0..200.0).contains(&delay), "list: {delay}");
        let mut rerun = sent(Input::rerun(), 1);
        rerun.stopped_js(stop, None, None, JsValue::UNDEFINED, JsValue::UNDEFINED);
        assert_eq!(rerun.retry_delay(), -1.0, "a rerun may have run");
    }
    for stop in [Stop::Timeout, Stop::Aborted] {
        for input in [Input::list(), Input::rerun()] {
            let mut call = sent(input, 1);
            call.stopped_js(stop, None, None, JsValue::UNDEFINED, JsValue::UNDEFINED);
            assert_eq!(call.retry_delay(), -1.0);
        }
    }
    // The list's retries are bounded by maxRetries too.
    let mut list = sent(Input::list().with("maxRetries", num(2.0)), 3);
    list.stopped_js(
        Stop::Network,
        None,
        None,
        JsValue::UNDEFINED,
        JsValue::UNDEFINED,
    );
    assert_eq!(list.retry_delay(), -1.0);
}
