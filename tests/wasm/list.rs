//! ListTaskFlowInstance through the same `Call`: defaults, each parameter's
//! rule, signing checked against the pure Rust signer (and two official
//! signatures), and the answer read with exact 64-bit ids.

use dms_rerun::sign::Method;
use js_sys::{Array, JsString};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

use crate::support::*;

const DEFAULTS: [(&str, &str); 3] = [("DagId", "7"), ("PageIndex", "1"), ("PageSize", "20")];

#[wasm_bindgen_test]
fn list_defaults_to_the_first_page_of_twenty() {
    let out = Input::list().preview_fixed().unwrap();
    assert_eq!(out, pure(LIST, Method::Post, &DEFAULTS, TS, NONCE));
    assert_eq!(query_param(&out.url, "Action").as_deref(), Some(LIST));
    assert_eq!(query_param(&out.url, "PageIndex").as_deref(), Some("1"));
    assert_eq!(query_param(&out.url, "PageSize").as_deref(), Some("20"));
    for absent in [
        "Tid",
        "StartTimeBegin",
        "StartTimeEnd",
        "UseBizDate",
        "Status",
        "TriggerType",
        "DagInstanceId",
    ] {
        assert_eq!(query_param(&out.url, absent), None, "{absent}");
    }
    // node -e "const U=require('@alicloud/openapi-util').default;console.log(U.getRPCSignature({Version:'2018-11-01',Format:'JSON',SignatureMethod:'HMAC-SHA1',SignatureVersion:'1.0',SignatureNonce:'c0ffee00-0000-4000-8000-000000000001',Timestamp:'2026-01-02T03:04:05Z',AccessKeyId:'LTAI-demo-key',Action:'ListTaskFlowInstance',DagId:'7',PageIndex:'1',PageSize:'20'},'POST','demo-secret-do-not-use'))"
    assert_eq!(out.signature, "j47jThGC7J8ztXcRDcISyAFNBXU=");
    // null is "not given" too.
    let nulls = Input::list()
        .with("pageIndex", JsValue::NULL)
        .with("pageSize", JsValue::NULL)
        .with("status", JsValue::NULL)
        .preview_fixed()
        .unwrap();
    assert_eq!(nulls, out);
}

#[wasm_bindgen_test]
fn list_with_every_parameter_matches_the_official_signer() {
    let out = Input::list()
        .with("method", "GET".into())
        .with("dagId", big(i64::MAX.into()))
        .with("tid", num(1.0))
        .with("pageIndex", num(3.0))
        .with("pageSize", num(100.0))
        .with("startTimeBegin", "2024-02-29".into())
        .with("startTimeEnd", "2024-03-01".into())
        .with("useBizDate", JsValue::TRUE)
        .with("status", "failed".into())
        .with("triggerType", "manual".into())
        .preview_fixed()
        .unwrap();
    let params = [
        ("DagId", "9223372036854775807"),
        ("Tid", "1"),
        ("PageIndex", "3"),
        ("PageSize", "100"),
        ("StartTimeBegin", "2024-02-29"),
        ("StartTimeEnd", "2024-03-01"),
        ("UseBizDate", "true"),
        ("Status", "3"),
        ("TriggerType", "1"),
    ];
    assert_eq!(out, pure(LIST, Method::Get, &params, TS, NONCE));
    // node -e "const U=require('@alicloud/openapi-util').default;console.log(U.getRPCSignature({Version:'2018-11-01',Format:'JSON',SignatureMethod:'HMAC-SHA1',SignatureVersion:'1.0',SignatureNonce:'c0ffee00-0000-4000-8000-000000000001',Timestamp:'2026-01-02T03:04:05Z',AccessKeyId:'LTAI-demo-key',Action:'ListTaskFlowInstance',DagId:'9223372036854775807',Tid:'1',PageIndex:'3',PageSize:'100',StartTimeBegin:'2024-02-29',StartTimeEnd:'2024-03-01',UseBizDate:'true',Status:'3',TriggerType:'1'},'GET','demo-secret-do-not-use'))"
    assert_eq!(out.signature, "31FRglCuSvzFC0Q9zIBfdPjqRwE=");
}

/// One accepted value: the field, the JS value, its wire name and text.
fn accepted() -> Vec<(&'static str, JsValue, &'static str, &'static str)> {
    let mut cases = vec![
        ("pageSize", num(1.0), "PageSize", "1"),
        ("pageSize", num(100.0), "PageSize", "100"),
        ("pageIndex", num(1.0), "PageIndex", "1"),
        ("pageIndex", num(2_147_483_647.0), "PageIndex", "2147483647"),
        (
            "startTimeBegin",
            "2024-02-29".into(),
            "StartTimeBegin",
            "2024-02-29",
        ),
        (
            "startTimeBegin",
            "2000-02-29".into(),
            "StartTimeBegin",
            "2000-02-29",
        ),
        (
            "startTimeEnd",
            "1999-12-31".into(),
            "StartTimeEnd",
            "1999-12-31",
        ),
        (
            "startTimeEnd",
            "2026-04-30".into(),
            "StartTimeEnd",
            "2026-04-30",
        ),
        ("useBizDate", JsValue::TRUE, "UseBizDate", "true"),
        ("useBizDate", JsValue::FALSE, "UseBizDate", "false"),
        ("triggerType", "scheduled".into(), "TriggerType", "0"),
        ("triggerType", "manual".into(), "TriggerType", "1"),
        ("triggerType", num(0.0), "TriggerType", "0"),
        ("triggerType", num(1.0), "TriggerType", "1"),
        ("tid", big(9), "Tid", "9"),
        (
            "tid",
            "9223372036854775807".into(),
            "Tid",
            "9223372036854775807",
        ),
        (
            "dagId",
            "9007199254740993".into(),
            "DagId",
            "9007199254740993",
        ),
    ];
    let names = [
        "waiting",
        "running",
        "suspended",
        "failed",
        "succeeded",
        "completed",
    ];
    let digits = ["0", "1", "2", "3", "4", "5"];
    for (i, name) in names.iter().enumerate() {
        cases.push(("status", (*name).into(), "Status", digits[i]));
        cases.push(("status", num(i as f64), "Status", digits[i]));
    }
    cases
}

#[wasm_bindgen_test]
fn each_list_rule_accepts_its_values_and_signs_them() {
    for (field, value, wire, text) in accepted() {
        let out = Input::list().with(field, value).preview_fixed().unwrap();
        let mut params: Vec<(&str, &str)> = DEFAULTS
            .iter()
            .copied()
            .filter(|(w, _)| *w != wire)
            .collect();
        params.push((wire, text));
        assert_eq!(
            out,
            pure(LIST, Method::Post, &params, TS, NONCE),
            "{field} = {text}"
        );
    }
}

#[wasm_bindgen_test]
fn each_list_rule_refuses_what_it_must() {
    let refused: Vec<(&str, JsValue)> = vec![
        ("dagId", JsValue::UNDEFINED),
        ("dagId", "9223372036854775808".into()),
        ("dagId", num(9_007_199_254_740_993.0)),
        ("pageSize", num(0.0)),
        ("pageSize", num(101.0)),
        ("pageSize", num(1.5)),
        ("pageSize", num(-1.0)),
        ("pageSize", num(f64::NAN)),
        ("pageSize", "20".into()),
        ("pageSize", big(20)),
        ("pageIndex", num(0.0)),
        ("pageIndex", num(-1.0)),
        ("pageIndex", num(2_147_483_648.0)),
        ("pageIndex", "1".into()),
        ("startTimeBegin", "2023-02-29".into()),
        ("startTimeBegin", "1900-02-29".into()),
        ("startTimeBegin", "2024-13-01".into()),
        ("startTimeBegin", "2024-00-10".into()),
        ("startTimeEnd", "2024-1-01".into()),
        ("startTimeEnd", "2024-01-32".into()),
        ("startTimeEnd", "2024-04-31".into()),
        ("startTimeEnd", "2024-01-00".into()),
        ("startTimeEnd", "20240101".into()),
        ("startTimeEnd", "2024-01-01T00:00:00Z".into()),
        ("startTimeEnd", "0999-12-31".into()),
        ("startTimeEnd", "２０２４-01-01".into()),
        ("startTimeEnd", num(20_240_101.0)),
        ("startTimeEnd", "".into()),
        ("useBizDate", "true".into()),
        ("useBizDate", num(1.0)),
        ("status", "FAILED".into()),
        ("status", "fail".into()),
        ("status", "3".into()),
        ("status", num(6.0)),
        ("status", num(-1.0)),
        ("status", num(1.5)),
        ("status", JsValue::TRUE),
        ("triggerType", num(2.0)),
        ("triggerType", "Manual".into()),
        ("triggerType", "1".into()),
        ("triggerType", JsValue::TRUE),
    ];
    for (field, value) in refused {
        let err = Input::list().with(field, value.clone()).refused();
        assert_invalid(&err, field);
    }
    // The messages say what is allowed.
    let err = Input::list().with("status", "broken".into()).refused();
    assert!(
        get_str(&err, "message").unwrap().contains("'failed'"),
        "{err:?}"
    );
    let err = Input::list().with("pageSize", num(101.0)).refused();
    assert!(
        get_str(&err, "message").unwrap().contains("1 to 100"),
        "{err:?}"
    );
}

// ---------------------------------------------------------------- the answer

fn judge_list(body: &str) -> Result<JsValue, JsValue> {
    judge_with(
        &mut Input::list().call(),
        num(200.0),
        &[("x-acs-request-id", "hdr")],
        body,
    )
}

fn instances(page: &JsValue) -> Vec<JsValue> {
    let list = get(page, "instances");
    assert!(Array::is_array(&list), "{page:?}");
    list.unchecked_into::<Array>().iter().collect()
}

/// Bare JSON numbers as the API writes its Long ids, two above 2^53.
const BIG_PAGE: &str = r#"{"RequestId":"list-1","Success":true,"TotalCount":45,"DAGInstanceList":{"DAGInstance":[
 {"Id":9223372036854775807,"DagId":9223372036854775807,"DagName":"big","DagVersion":"v1","Status":3,"TriggerType":0,"BusinessTime":"2026-01-01 00:00:00","startTime":"2026-01-01 00:00:05","EndTime":"2026-01-01 00:01:00","Message":"failed at 9007199254740993 \"9223372036854775807\"","OwnerName":"ops","HistoryDagId":9223372036854775806},
 {"Id":9007199254740993,"DagId":"9223372036854775807","DagVersion":12,"Status":9,"TriggerType":1,"StartTime":"2026-01-02 00:00:00"},
 {"Id":9007199254740992,"DagId":7,"Status":4,"Unknown":{"x":[1,2.5e300]}},
 {"Id":"47","DagId":"7","Status":0,"HistoryDagId":"not an id"}
]}}"#;

#[wasm_bindgen_test]
fn list_answers_keep_64_bit_ids_exact() {
    let page = judge_list(BIG_PAGE).unwrap();
    assert_eq!(
        sorted(keys(&page)),
        [
            "instances",
            "pageIndex",
            "pageSize",
            "requestId",
            "totalCount"
        ]
    );
    assert_eq!(get_str(&page, "requestId").as_deref(), Some("list-1"));
    assert_eq!(get(&page, "totalCount").as_f64(), Some(45.0));
    assert_eq!(get(&page, "pageIndex").as_f64(), Some(1.0));
    assert_eq!(get(&page, "pageSize").as_f64(), Some(20.0));
    let runs = instances(&page);
    assert_eq!(runs.len(), 4);

    let first = &runs[0];
    assert_eq!(
        sorted(keys(first)),
        [
            "businessTime",
            "dagId",
            "dagName",
            "dagVersion",
            "endTime",
            "historyDagId",
            "id",
            "message",
            "ownerName",
            "startTime",
            "status",
            "statusName",
            "triggerType",
        ]
    );
    assert_eq!(
        get(first, "id"),
        JsValue::from_str("9223372036854775807"),
        "a string, exact"
    );
    assert_eq!(
        get_str(first, "dagId").as_deref(),
        Some("9223372036854775807")
    );
    assert_eq!(
        get_str(first, "historyDagId").as_deref(),
        Some("9223372036854775806")
    );
    assert_eq!(get(first, "status").as_f64(), Some(3.0));
    assert_eq!(get_str(first, "statusName").as_deref(), Some("failed"));
    assert_eq!(get(first, "triggerType").as_f64(), Some(0.0));
    assert_eq!(
        get_str(first, "startTime").as_deref(),
        Some("2026-01-01 00:00:05")
    );
    // Digits inside strings are left as they were.
    assert_eq!(
        get_str(first, "message").as_deref(),
        Some("failed at 9007199254740993 \"9223372036854775807\"")
    );

    let second = &runs[1];
    assert_eq!(
        get_str(second, "id").as_deref(),
        Some("9007199254740993"),
        "not …992"
    );
    assert_eq!(
        get_str(second, "dagVersion").as_deref(),
        Some("12"),
        "a number version as text"
    );
    assert_eq!(get(second, "status").as_f64(), Some(9.0));
    assert_eq!(get_str(second, "statusName").as_deref(), Some("unknown"));
    assert_eq!(
        get_str(second, "startTime").as_deref(),
        Some("2026-01-02 00:00:00"),
        "StartTime too"
    );

    assert_eq!(get_str(&runs[2], "id").as_deref(), Some("9007199254740992"));
    assert_eq!(get_str(&runs[2], "dagId").as_deref(), Some("7"));
    assert_eq!(
        get_str(&runs[2], "statusName").as_deref(),
        Some("succeeded")
    );
    assert!(get(&runs[2], "Unknown").is_undefined());
    assert_eq!(get_str(&runs[3], "id").as_deref(), Some("47"));
    assert_eq!(get_str(&runs[3], "statusName").as_deref(), Some("waiting"));
    assert!(
        get(&runs[3], "historyDagId").is_undefined(),
        "a malformed optional id is dropped"
    );
    // The ids are exact in every run, not by luck of one parse.
    for _ in 0..100 {
        let again = judge_list(BIG_PAGE).unwrap();
        assert_eq!(
            get_str(&instances(&again)[1], "id").as_deref(),
            Some("9007199254740993")
        );
    }
}

#[wasm_bindgen_test]
fn list_answers_without_runs_are_empty_pages() {
    for body in [
        r#"{"RequestId":"r","Success":true}"#,
        r#"{"RequestId":"r","Success":true,"TotalCount":0,"DAGInstanceList":{}}"#,
        r#"{"RequestId":"r","Success":true,"TotalCount":0,"DAGInstanceList":null}"#,
        r#"{"RequestId":"r","Success":true,"TotalCount":3,"DAGInstanceList":{"DAGInstance":[]}}"#,
        r#"{"RequestId":"r","Success":true,"TotalCount":3,"DAGInstanceList":{"DAGInstance":null}}"#,
    ] {
        let page = judge_list(body).unwrap_or_else(|e| panic!("{body}: {e:?}"));
        assert!(instances(&page).is_empty(), "{body}");
        assert_eq!(get_str(&page, "requestId").as_deref(), Some("r"));
    }
    let page = judge_list(r#"{"Success":true,"TotalCount":"9007199254740991"}"#).unwrap();
    assert_eq!(
        get(&page, "totalCount").as_f64(),
        Some(9_007_199_254_740_991.0)
    );
}

#[wasm_bindgen_test]
fn list_answers_that_are_not_lists_are_bad_list() {
    let wrap = |list: &str| {
        format!(r#"{{"RequestId":"r-bad","Success":true,"TotalCount":1,"DAGInstanceList":{list}}}"#)
    };
    let bad = [
        wrap(r#"{"DAGInstance":"x"}"#),
        wrap(r#"{"DAGInstance":5}"#),
        wrap(r#"{"DAGInstance":{"Id":1}}"#),
        wrap(r#"{"DAGInstance":[1]}"#),
        wrap(r#"{"DAGInstance":[null]}"#),
        wrap(r#"{"DAGInstance":["47"]}"#),
        wrap(r#"{"DAGInstance":[{}]}"#),
        wrap(r#"{"DAGInstance":[{"DagId":7}]}"#),
        wrap(r#"{"DAGInstance":[{"Id":"abc"}]}"#),
        wrap(r#"{"DAGInstance":[{"Id":-1}]}"#),
        wrap(r#"{"DAGInstance":[{"Id":1.5}]}"#),
        wrap(r#"{"DAGInstance":[{"Id":9223372036854775808}]}"#),
        wrap(r#"{"DAGInstance":[{"Id":9007199254740993.0}]}"#),
        wrap(r#"{"DAGInstance":[{"Id":1,"DagId":"x"}]}"#),
        r#"{"Success":true,"TotalCount":-1}"#.to_string(),
        r#"{"Success":true,"TotalCount":1.5}"#.to_string(),
        r#"{"Success":true,"TotalCount":"many"}"#.to_string(),
        r#"{"Success":true,"TotalCount":9007199254740993}"#.to_string(),
    ];
    for body in &bad {
        let err = judge_list(body).expect_err(body);
        assert_record(&err, "InvalidResponse", "InvalidResponse.BadList");
        // The answer was read: its status and request id are kept.
        assert_eq!(get(&err, "httpStatus").as_f64(), Some(200.0), "{body}");
        let id = if body.contains("r-bad") {
            "r-bad"
        } else {
            "hdr"
        };
        assert_eq!(get_str(&err, "requestId").as_deref(), Some(id), "{body}");
        assert_eq!(get(&err, "retryable"), JsValue::FALSE);
        assert!(
            get_str(&err, "message")
                .unwrap()
                .starts_with("list answer: "),
            "{err:?}"
        );
    }
}

#[wasm_bindgen_test]
fn a_list_container_that_is_not_an_object_is_bad_list() {
    // Read as "no runs", a garbled container would look like "nothing
    // failed" to the auto-heal Worker (it did before b6e2e0c).
    for list in [r#""x""#, "5", "true", r#"[{"Id":1}]"#] {
        let body = format!(
            r#"{{"RequestId":"r","Success":true,"TotalCount":1,"DAGInstanceList":{list}}}"#
        );
        let outcome = judge_list(&body).map(|page| instances(&page).len());
        let err = outcome.expect_err(&body);
        assert_record(&err, "InvalidResponse", "InvalidResponse.BadList");
    }
}

#[wasm_bindgen_test]
fn list_api_errors_and_garbage_are_judged_like_the_reruns() {
    let err = judge_list(r#"{"RequestId":"r","Success":false,"ErrorCode":"DagNotExist","ErrorMessage":"no such flow"}"#).unwrap_err();
    assert_record(&err, "Api", "DagNotExist");
    assert_eq!(get_str(&err, "requestId").as_deref(), Some("r"));
    let mut call = Input::list().call();
    let err = judge_with(
        &mut call,
        num(400.0),
        &[],
        r#"{"Code":"Throttling.User","Message":"slow down"}"#,
    )
    .unwrap_err();
    assert_record(&err, "Api", "Throttling.User");
    assert_eq!(get(&err, "retryable"), JsValue::TRUE);
    for body in ["{", "[]", "null", "<html/>", "", "{\"Id\":9007199254740993"] {
        let err = judge_list(body).expect_err(body);
        assert_record(&err, "InvalidResponse", "InvalidResponse.NotJson");
        assert_eq!(get_str(&err, "requestId").as_deref(), Some("hdr"));
    }
    let err = judge_list(r#"{"TotalCount":1}"#).unwrap_err();
    assert_record(&err, "InvalidResponse", "InvalidResponse.MissingSuccess");
    let err = call.judge_js(num(200.0), headers(&[]), None).unwrap_err();
    assert_record(&err, "InvalidResponse", "InvalidResponse.TooLarge");
    for body in [
        num(7.0),
        js("({ toString() { throw new Error('toString') } })"),
    ] {
        let err = call
            .judge_js(
                num(200.0),
                headers(&[]),
                Some(body.unchecked_into::<JsString>()),
            )
            .unwrap_err();
        assert_record(&err, "InvalidResponse", "InvalidResponse.NotJson");
    }
}

#[wasm_bindgen_test]
fn list_answers_read_own_fields_only() {
    let proto = js("Object.prototype");
    let list = js("({ DAGInstance: [{ Id: 666 }] })");
    let outcome = with_property(&proto, "DAGInstanceList", Some(data(&list)), || {
        with_property(&proto, "TotalCount", Some(data(&num(666.0))), || {
            judge_list(r#"{"RequestId":"r","Success":true}"#)
        })
    });
    let page = outcome.unwrap();
    assert!(instances(&page).is_empty(), "{page:?}");
    assert_eq!(get(&page, "totalCount").as_f64(), Some(0.0));
}

#[wasm_bindgen_test]
fn list_echoes_the_page_it_asked_for() {
    let mut call = Input::list()
        .with("pageIndex", num(3.0))
        .with("pageSize", num(7.0))
        .call();
    let page = judge_with(
        &mut call,
        num(200.0),
        &[],
        r#"{"Success":true,"TotalCount":15}"#,
    )
    .unwrap();
    assert_eq!(get(&page, "pageIndex").as_f64(), Some(3.0));
    assert_eq!(get(&page, "pageSize").as_f64(), Some(7.0));
    assert_eq!(get(&page, "totalCount").as_f64(), Some(15.0));
}
