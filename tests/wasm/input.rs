//! Reading the caller's input once: the slots `inputFields` names, what
//! `refuse` says, bad values as failure records, the length caps (checked
//! before a string is copied into wasm memory), and the JS the reader calls
//! on the caller's values (`isWellFormed`, the signal's getters), which may
//! be missing or throw.

use dms_rerun::operation::{MAX_TEXT_BYTES, MAX_TOTAL_TEXT_BYTES};
use dms_rerun::wasm::{max_body_bytes, refuse, Call, Refusal};
use js_sys::{Array, Object};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

use crate::signing::DEMO_GET_SIGNATURE;
use crate::support::*;

const CONFIG: [&str; 10] = [
    "accessKeyId",
    "accessKeySecret",
    "securityToken",
    "endpoint",
    "regionId",
    "method",
    "timeoutMs",
    "maxRetries",
    "signal",
    "fetch",
];

#[wasm_bindgen_test]
fn input_fields_name_config_then_request_for_each_action() {
    let (config, request) = fields_of(RERUN);
    assert_eq!(config, CONFIG);
    assert_eq!(request, ["tid", "dagId", "dagInstanceId", "dagVersion"]);
    let (config, request) = fields_of(LIST);
    assert_eq!(config, CONFIG);
    assert_eq!(
        request,
        [
            "dagId",
            "tid",
            "pageIndex",
            "pageSize",
            "startTimeBegin",
            "startTimeEnd",
            "useBizDate",
            "status",
            "triggerType"
        ]
    );
}

#[wasm_bindgen_test]
fn each_slot_is_read_as_the_field_input_fields_names_there() {
    // A Symbol is wrong for every field: placed in slot i alone, the refusal
    // must name the field at position i (config first, then request).
    for base in [Input::rerun(), Input::list()] {
        let (config, request) = fields_of(base.action);
        let good = base.values();
        assert!(Call::new(base.action, good.clone()).is_ok());
        for (i, name) in config.iter().chain(&request).enumerate() {
            let mut values = good.clone();
            values[i] = js("Symbol('wrong')");
            let err = record(Call::new(base.action, values).err().unwrap());
            assert_invalid(&err, name);
        }
    }
    // Missing slots are "not given"; extra ones are ignored.
    let err = record(Call::new(RERUN, Vec::new()).err().unwrap());
    assert_invalid(&err, "accessKeyId");
    let mut longer = Input::rerun().values();
    longer.push(js("Symbol('extra')"));
    assert!(Call::new(RERUN, longer).is_ok());
}

#[wasm_bindgen_test]
fn an_unknown_action_is_refused() {
    for action in [
        "DeleteEverything",
        "rerunTaskFlowInstance",
        "",
        "ListTaskFlowInstances",
    ] {
        // The config slots, and none of an operation's own: the entry copies
        // the config, and `Call::new` refuses the action.
        let (config, request) = fields_of(action);
        assert_eq!(config, CONFIG);
        assert!(request.is_empty(), "{request:?}");
        let err = record(Call::new(action, Input::rerun().values()).err().unwrap());
        assert_invalid(&err, "action");
        let values = Input::rerun().values();
        let err = dms_rerun::wasm::preview(action, values, TS.into(), NONCE.into())
            .map(parse_text)
            .map_err(record)
            .unwrap_err();
        assert_invalid(&err, "action");
    }
}

#[wasm_bindgen_test]
fn refuse_and_max_body_bytes() {
    let err = parsed_record(refuse("config", Refusal::NotAnObject));
    assert_invalid(&err, "config");
    assert_eq!(
        get_str(&err, "message").as_deref(),
        Some("config must be an object")
    );
    let err = parsed_record(refuse("query", Refusal::NotAnObject));
    assert_invalid(&err, "query");
    for field in ["dagId", "accessKeySecret", "signal", "overrides"] {
        let err = parsed_record(refuse(field, Refusal::Unreadable));
        assert_invalid(&err, field);
        assert!(
            get_str(&err, "message")
                .unwrap()
                .contains("could not be read"),
            "{err:?}"
        );
    }
    assert_eq!(max_body_bytes(), 1024 * 1024);
}

#[wasm_bindgen_test]
fn timeout_ms_is_validated_and_defaulted() {
    assert_eq!(Input::rerun().call().timeout_ms(), 10_000);
    for ms in [0.0, 1.0, 2_147_483_647.0] {
        assert_eq!(
            Input::rerun()
                .with("timeoutMs", num(ms))
                .call()
                .timeout_ms() as f64,
            ms
        );
    }
    assert_eq!(
        Input::list()
            .with("timeoutMs", JsValue::NULL)
            .call()
            .timeout_ms(),
        10_000
    );
}

/// A bad value for each field of a rerun (each refused with `code_for(field)`).
fn bad_inputs() -> Vec<(&'static str, JsValue)> {
    let no_listener = js("({ aborted: false })");
    vec![
        ("accessKeyId", JsValue::UNDEFINED),
        ("accessKeyId", JsValue::NULL),
        ("accessKeyId", "".into()),
        ("accessKeyId", num(42.0)),
        ("accessKeySecret", lone_surrogate("demo-")),
        ("accessKeySecret", Object::new().into()),
        ("securityToken", lone_surrogate("tok")),
        ("securityToken", JsValue::TRUE),
        ("securityToken", "".into()),
        ("endpoint", "ftp://127.0.0.1".into()),
        ("endpoint", "https://h.example/path".into()),
        ("endpoint", "https://u:p@h.example".into()),
        ("endpoint", "https://h.example:70000".into()),
        ("endpoint", "http://[1:2]".into()),
        ("regionId", "cn_hangzhou".into()),
        ("regionId", "cn-hangzhou.evil.com".into()),
        ("method", "PUT".into()),
        ("method", "post".into()),
        ("timeoutMs", num(-1.0)),
        ("timeoutMs", num(1.5)),
        ("timeoutMs", num(f64::NAN)),
        ("timeoutMs", "100".into()),
        ("timeoutMs", num(2_147_483_648.0)), // above what timers accept
        ("maxRetries", num(11.0)),
        ("maxRetries", num(-1.0)),
        ("maxRetries", big(1)),
        ("signal", no_listener),
        ("signal", JsValue::TRUE),
        ("signal", js("({ aborted: 'no', addEventListener() {} })")),
        ("fetch", num(42.0)),
        ("fetch", Object::new().into()),
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
        ("dagId", js("Symbol.for('7')")),
        ("dagInstanceId", lone_surrogate("4")),
        ("dagInstanceId", JsValue::NULL),
        ("dagVersion", "".into()),
        ("dagVersion", lone_surrogate("v-")),
        ("dagVersion", num(2.0)),
        ("dagVersion", JsValue::UNDEFINED),
    ]
}

#[wasm_bindgen_test]
fn bad_inputs_become_failure_records_and_the_instance_keeps_signing() {
    let good = Input::rerun();
    for round in 0..50 {
        for (field, value) in bad_inputs() {
            let err = good.clone().with(field, value).refused();
            if round == 0 {
                assert_invalid(&err, field);
            }
        }
    }
    // Still the exact official signature after ~2,800 refused calls.
    let out = good.with("method", "GET".into()).preview_fixed().unwrap();
    assert_eq!(out.signature, DEMO_GET_SIGNATURE);
}

#[wasm_bindgen_test]
fn a_bad_config_field_is_reported_before_a_bad_request_field() {
    // Config is judged before the request, every field of it: from 04be071
    // until its fix, `endpoint` and `regionId` were checked only after the
    // operation's own fields (a bad endpoint with a missing dagId was
    // refused as InvalidParameter.DagId).
    let mut wrong = Vec::new();
    for (field, value) in [
        ("accessKeyId", JsValue::from("")),
        ("accessKeySecret", JsValue::UNDEFINED),
        ("securityToken", "".into()),
        ("endpoint", "http://[1:2]".into()),
        ("regionId", "Bad_Region".into()),
        ("method", "PUT".into()),
        ("timeoutMs", num(-1.0)),
        ("maxRetries", num(11.0)),
        ("signal", JsValue::TRUE),
        ("fetch", num(1.0)),
    ] {
        for (input, request_field) in [(Input::rerun(), "dagId"), (Input::list(), "pageSize")] {
            let err = input
                .with(field, value.clone())
                .with(request_field, num(-1.0))
                .refused();
            let code = get_str(&err, "code").unwrap_or_default();
            if code != code_for(field) {
                wrong.push((field, request_field, code));
            }
        }
    }
    assert!(wrong.is_empty(), "request field reported first: {wrong:?}");
}

// ---------------------------------------------------------------- length caps

fn repeat(text: &str, times: usize) -> JsValue {
    js(&format!(
        "{}.repeat({times})",
        js_sys::JSON::stringify(&text.into()).unwrap()
    ))
}

#[wasm_bindgen_test]
fn strings_are_capped_at_4096_utf8_bytes_each() {
    assert_eq!((MAX_TEXT_BYTES, MAX_TOTAL_TEXT_BYTES), (4096, 16384));
    let version = |v: JsValue| Input::rerun().with("dagVersion", v);
    // (text, times, accepted): ASCII, 3-byte CJK (refused only after the
    // copy, by its UTF-8 length) and 4-byte astral characters.
    for (text, times, accepted) in [
        ("v", 4096, true),
        ("v", 4097, false),
        ("大", 1365, true),  // 4095 bytes
        ("大", 1366, false), // 4098 bytes in 1366 UTF-16 units
        ("🚀", 1024, true),  // 4096 bytes
        ("🚀", 1025, false),
    ] {
        let input = version(repeat(text, times));
        if accepted {
            let out = input.preview_fixed().unwrap();
            assert_eq!(
                query_param(&out.url, "DagVersion").unwrap(),
                text.repeat(times)
            );
        } else {
            let err = input.refused();
            assert_invalid(&err, "dagVersion");
            assert!(
                get_str(&err, "message").unwrap().contains("4096"),
                "{err:?}"
            );
        }
    }
    for field in ["accessKeyId", "accessKeySecret", "securityToken"] {
        assert!(
            Input::rerun().with(field, repeat("k", 4096)).open().is_ok(),
            "{field}"
        );
        assert_invalid(
            &Input::rerun().with(field, repeat("k", 4097)).refused(),
            field,
        );
    }
    for field in ["dagId", "tid"] {
        assert_invalid(
            &Input::list().with(field, repeat("7", 4097)).refused(),
            field,
        );
    }
}

#[wasm_bindgen_test]
fn strings_are_capped_at_16384_utf8_bytes_per_call() {
    // 3 × 4096 + the endpoint's 18 bytes: dagVersion may bring the call to
    // 16384 bytes exactly, not one more.
    assert_eq!(ENDPOINT.len(), 18);
    let full = Input::rerun()
        .with("accessKeyId", repeat("a", 4096))
        .with("accessKeySecret", repeat("s", 4096))
        .with("securityToken", repeat("t", 4096));
    let room = 16384 - 3 * 4096 - ENDPOINT.len();
    assert!(full
        .clone()
        .with("dagVersion", repeat("v", room))
        .open()
        .is_ok());
    let err = full
        .clone()
        .with("dagVersion", repeat("v", room + 1))
        .refused();
    assert_invalid(&err, "dagVersion");
    assert!(
        get_str(&err, "message").unwrap().contains("16384"),
        "{err:?}"
    );
    // An id given as a string counts too (tid is read before dagVersion).
    let err = full
        .clone()
        .with("dagVersion", repeat("v", room))
        .with("tid", "1".into())
        .refused();
    assert_invalid(&err, "dagVersion");
    // Numbers and bigints are not strings and cost nothing.
    assert!(full
        .clone()
        .with("dagVersion", repeat("v", room))
        .with("dagId", big(7))
        .with("tid", num(1.0))
        .open()
        .is_ok());
    // The field whose string crosses the total is the one named: four
    // strings of 4096 bytes fill the call, so a one-byte regionId is refused
    // by the total (before the 4096-byte endpoint is judged by its own rule).
    let four = full.with("endpoint", repeat("e", 4096));
    let err = four.with("regionId", "x".into()).refused();
    assert_invalid(&err, "regionId");
    assert!(
        get_str(&err, "message").unwrap().contains("16384"),
        "{err:?}"
    );
}

#[wasm_bindgen_test]
fn a_40_mib_string_never_reaches_wasm_memory() {
    // Issue 9, defect 4: one 40 MiB dagVersion grew memory to 851 MiB for
    // good (it never shrinks). Refused by its length before the copy now.
    let huge = js("'x'.repeat(40 * 1024 * 1024)");
    let before = memory_bytes();
    let mut codes = Vec::new();
    for (input, field) in [
        (Input::rerun(), "accessKeyId"),
        (Input::rerun(), "accessKeySecret"),
        (Input::rerun(), "securityToken"),
        (Input::rerun(), "endpoint"),
        (Input::rerun(), "regionId"),
        (Input::rerun(), "method"),
        (Input::rerun(), "tid"),
        (Input::rerun(), "dagId"),
        (Input::rerun(), "dagInstanceId"),
        (Input::rerun(), "dagVersion"),
        (Input::list(), "startTimeBegin"),
        (Input::list(), "startTimeEnd"),
        (Input::list(), "status"),
        (Input::list(), "triggerType"),
    ] {
        for _ in 0..3 {
            let err = input.clone().with(field, huge.clone()).refused();
            codes.push((field, get_str(&err, "code")));
        }
    }
    let input = Input::rerun();
    for _ in 0..3 {
        let err = input
            .preview_raw(huge.clone(), JsValue::UNDEFINED)
            .unwrap_err();
        codes.push(("timestamp", get_str(&err, "code")));
        let err = input
            .preview_raw(JsValue::UNDEFINED, huge.clone())
            .unwrap_err();
        codes.push(("nonce", get_str(&err, "code")));
    }
    let grown = memory_bytes() - before;
    for (field, code) in codes {
        assert_eq!(code, Some(code_for(field)), "{field}");
    }
    assert!(grown < 1024.0 * 1024.0, "wasm memory grew by {grown} bytes");
    // The measure can see a copy: bringing 8 MiB into wasm does grow it.
    let before = memory_bytes();
    let copied = js("'y'.repeat(8 * 1024 * 1024)").as_string().unwrap();
    assert!(
        memory_bytes() - before >= 8.0 * 1024.0 * 1024.0,
        "{}",
        copied.len()
    );
}

// ---------------------------------------------------------------- isWellFormed missing or throwing

/// What the reader makes of surrogates, while `isWellFormed` is as `descriptor` says.
fn surrogate_outcomes(
    descriptor: Option<JsValue>,
) -> Vec<(String, Result<String, Option<String>>)> {
    let cases = [
        ("lone high", js("'v-\\uD800'")),
        ("lone high then text", js("'\\uD800v'")),
        ("lone low", js("'v\\uDC00'")),
        ("reversed pair", js("'\\uDC00\\uD800'")),
        ("high high low", js("'\\uD800\\uD800\\uDC00'")),
        ("genuine U+FFFD", js("'v\\uFFFD'")),
        ("U+FFFD beside a pair", js("'\\uFFFD\\uD83D\\uDE80'")),
    ];
    with_property(&string_prototype(), "isWellFormed", descriptor, || {
        cases
            .into_iter()
            .map(|(name, value)| {
                let outcome = match Input::rerun().with("dagVersion", value).preview_fixed() {
                    Ok(out) => Ok(query_param(&out.url, "DagVersion").unwrap()),
                    Err(err) => {
                        let ok_record = get_str(&err, "kind").as_deref() == Some("InvalidInput");
                        Err(get_str(&err, "code").filter(|_| ok_record))
                    }
                };
                (name.to_string(), outcome)
            })
            .collect()
    })
}

fn assert_surrogate_outcomes(outcomes: Vec<(String, Result<String, Option<String>>)>) {
    for (name, outcome) in outcomes {
        match name.as_str() {
            "genuine U+FFFD" => assert_eq!(outcome, Ok("v\u{FFFD}".into()), "{name}"),
            "U+FFFD beside a pair" => assert_eq!(outcome, Ok("\u{FFFD}🚀".into()), "{name}"),
            _ => assert_eq!(
                outcome,
                Err(Some("InvalidParameter.DagVersion".into())),
                "{name}"
            ),
        }
    }
}

#[wasm_bindgen_test]
fn lone_surrogates_are_refused_where_is_well_formed_is_missing() {
    // Firefox < 119 and Safari < 16.4 have no String.prototype.isWellFormed.
    assert_surrogate_outcomes(surrogate_outcomes(None));
    assert!(
        js("typeof ''.isWellFormed === 'function'")
            .as_bool()
            .unwrap(),
        "restored"
    );
}

#[wasm_bindgen_test]
fn lone_surrogates_are_refused_when_is_well_formed_throws() {
    let thrower = js("function () { throw new TypeError('isWellFormed is broken') }");
    assert_surrogate_outcomes(surrogate_outcomes(Some(data(&thrower))));
    // And when it is a getter that throws before any call.
    let getter = js("({ get() { throw new Error('no such method') }, configurable: true })");
    assert_surrogate_outcomes(surrogate_outcomes(Some(getter)));
    assert!(
        js("''.isWellFormed.call('\\uD800') === false")
            .as_bool()
            .unwrap(),
        "restored"
    );
}

// ---------------------------------------------------------------- the caller's signal

#[wasm_bindgen_test]
fn a_signal_whose_getters_throw_is_invalid_input_not_an_exception() {
    for signal in [
        "({ get aborted() { throw new Error('aborted getter') }, addEventListener() {} })",
        "({ aborted: false, get addEventListener() { throw new Error('listener getter') } })",
        "new Proxy({}, { get() { throw new Error('get trap') } })",
        "new Proxy(new AbortController().signal, { get() { throw new Error('get trap') } })",
    ] {
        let err = Input::rerun().with("signal", js(signal)).refused();
        assert_invalid(&err, "signal");
    }
    // Any signal shape is accepted (Node, browsers and Workers each have
    // their own class), aborted or not: the entry, not Rust, listens to it.
    let (controller, signal) = abort_controller();
    assert!(Input::rerun()
        .with("signal", signal.clone().into())
        .open()
        .is_ok());
    get(&controller, "abort")
        .unchecked_into::<js_sys::Function>()
        .call0(&controller)
        .unwrap();
    assert!(Input::list().with("signal", signal.into()).open().is_ok());
    let duck = js("({ aborted: false, addEventListener() {} })");
    assert!(Input::rerun().with("signal", duck).open().is_ok());
}
