//! Signing through `Call.preview`: the official signer's vectors and
//! constants, the pure Rust signer, ids in every JS type, the JS clock and
//! `crypto.getRandomValues`.

use std::collections::HashSet;

use dms_rerun::operation::{by_action, Type, MAX_TEXT_BYTES, MAX_TOTAL_TEXT_BYTES};
use dms_rerun::request::{sign_rerun, Credentials, RerunRequest};
use dms_rerun::sign::Method;
use js_sys::BigInt;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

use crate::support::*;

/// The official signer's vectors (scripts/gen-vectors.mjs, `@alicloud/openapi-util`),
/// one file per operation.
const VECTORS: [&str; 2] = [
    include_str!("../vectors/official-generated.json"),
    include_str!("../vectors/official-list-generated.json"),
];

/// The JS value a caller passes for a parameter of type `ty` whose wire text is `wire`.
fn js_value_for(ty: Type, wire: &str) -> JsValue {
    match ty {
        Type::Integer { .. } | Type::Choice(_) => num(wire.parse::<f64>().unwrap()),
        Type::Flag => JsValue::from_bool(wire == "true"),
        Type::Id | Type::Text | Type::Date | Type::Word(_) => wire.into(),
    }
}

#[wasm_bindgen_test]
fn every_official_vector_signs_exactly_or_is_refused_by_the_length_caps() {
    let vectors: Vec<serde_json::Value> = VECTORS
        .iter()
        .flat_map(|file| {
            let cases: serde_json::Value = serde_json::from_str(file).unwrap();
            cases.as_array().unwrap().clone()
        })
        .collect();
    let (mut signed, mut capped, mut lists) = (0, 0, 0);
    for case in &vectors {
        let params = case["params"].as_object().unwrap();
        let param = |k: &str| params.get(k).and_then(|v| v.as_str());
        let Some(op) = param("Action").and_then(by_action) else {
            continue;
        };
        assert_eq!(param("Version"), Some("2018-11-01"));
        assert_eq!(param("Format"), Some("JSON"));
        let method = case["method"].as_str().unwrap();
        let secret = case["secret"].as_str().unwrap();
        let mut input = Input::new(op.action)
            .with("endpoint", ENDPOINT.into())
            .with("accessKeyId", param("AccessKeyId").unwrap().into())
            .with("accessKeySecret", secret.into())
            .with("method", method.into());
        // What the caps see, in slot order (config, then request).
        let mut texts: Vec<(&str, &str)> = vec![
            ("accessKeyId", param("AccessKeyId").unwrap()),
            ("accessKeySecret", secret),
        ];
        if let Some(token) = param("SecurityToken") {
            input = input.with("securityToken", token.into());
            texts.push(("securityToken", token));
        }
        texts.extend([("endpoint", ENDPOINT), ("method", method)]);
        for p in op.params {
            let value = param(p.wire);
            input = input.with(
                p.field,
                value.map_or(JsValue::UNDEFINED, |v| js_value_for(p.ty, v)),
            );
            if let (Some(v), Type::Id | Type::Text | Type::Date) = (value, p.ty) {
                texts.push((p.field, v));
            }
        }
        let mut total = 0;
        let over = texts.iter().find(|(_, t)| {
            total += t.len();
            t.len() > MAX_TEXT_BYTES || total > MAX_TOTAL_TEXT_BYTES
        });
        match (input.open(), over) {
            (Ok(_), None) => {}
            (Err(err), Some((field, _))) => {
                assert_invalid(&err, field);
                capped += 1;
                continue;
            }
            (result, over) => panic!("{}: {over:?} vs {:?}", case["source"], result.err()),
        }
        let out = input
            .preview(
                param("Timestamp").unwrap().into(),
                param("SignatureNonce").unwrap().into(),
            )
            .unwrap();
        assert_eq!(
            out.signature,
            case["signature"].as_str().unwrap(),
            "{}",
            case["source"]
        );
        if let Some(expected) = case["string_to_sign"].as_str() {
            assert_eq!(out.string_to_sign, expected, "{}", case["source"]);
        }
        assert_eq!(out.method, method);
        assert_eq!(
            query_param(&out.url, "Signature").as_deref(),
            Some(out.signature.as_str())
        );
        assert_eq!(
            out.url,
            format!(
                "{ENDPOINT}/?{}&Signature={}",
                out.canonical_query,
                js_sys::encode_uri_component(&out.signature)
            )
        );
        signed += 1;
        lists += usize::from(op.action == LIST);
    }
    // None of today's vectors reaches the caps (the longest string is the
    // 3000-character DagVersion, 3150 bytes); the loop judges any that would.
    assert_eq!(signed + capped, vectors.len(), "every vector was checked");
    assert!(
        signed >= 70 && lists >= 30,
        "{signed} signed, {lists} lists"
    );
}

#[wasm_bindgen_test]
fn sts_post_matches_pure_signer_and_official_sdk() {
    let out = Input::rerun()
        .with("accessKeyId", "STS.demo-temporary".into())
        .with("accessKeySecret", "sts-secret".into())
        .with("securityToken", TOKEN.into())
        .with("endpoint", JsValue::UNDEFINED)
        .with("method", "POST".into())
        .with("tid", BigInt::from(i64::MAX).into())
        .with("dagId", "9223372036854775807".into())
        .with(
            "dagInstanceId",
            BigInt::from(9_223_372_036_854_775_806_i64).into(),
        )
        .with("dagVersion", "v-大数据-🚀".into())
        .preview_fixed()
        .unwrap();
    let pure = sign_rerun(
        "https://dms-enterprise.aliyuncs.com",
        Method::Post,
        &Credentials {
            access_key_id: "STS.demo-temporary".into(),
            access_key_secret: "sts-secret".into(),
            security_token: Some(TOKEN.into()),
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
    assert_eq!(out, Preview::from(pure));
    // Computed once with the official signer, from the repo root:
    // node -e "const U=require('@alicloud/openapi-util').default;console.log(U.getRPCSignature({Action:'ReRunTaskFlowInstance',Version:'2018-11-01',Format:'JSON',SignatureMethod:'HMAC-SHA1',SignatureVersion:'1.0',SignatureNonce:'c0ffee00-0000-4000-8000-000000000001',Timestamp:'2026-01-02T03:04:05Z',AccessKeyId:'STS.demo-temporary',SecurityToken:'CAIS+demo/token==',Tid:'9223372036854775807',DagId:'9223372036854775807',DagInstanceId:'9223372036854775806',DagVersion:'v-大数据-🚀'},'POST','sts-secret'))"
    assert_eq!(out.signature, "o8MWgVzfkMw8B9iMCQq/nSrde4Y=");
    assert!(out.url.starts_with("https://dms-enterprise.aliyuncs.com/?"));
    assert_eq!(
        query_param(&out.url, "Signature").as_deref(),
        Some("o8MWgVzfkMw8B9iMCQq/nSrde4Y=")
    );
    assert_eq!(
        query_param(&out.url, "Tid").as_deref(),
        Some("9223372036854775807")
    );
    assert_eq!(
        query_param(&out.url, "DagVersion").as_deref(),
        Some("v-大数据-🚀")
    );
    assert_eq!(
        query_param(&out.url, "SecurityToken").as_deref(),
        Some(TOKEN)
    );
}

/// The demo rerun signed with GET by the official signer:
/// node -e "const U=require('@alicloud/openapi-util').default;console.log(U.getRPCSignature({Action:'ReRunTaskFlowInstance',Version:'2018-11-01',Format:'JSON',SignatureMethod:'HMAC-SHA1',SignatureVersion:'1.0',SignatureNonce:'c0ffee00-0000-4000-8000-000000000001',Timestamp:'2026-01-02T03:04:05Z',AccessKeyId:'LTAI-demo-key',DagId:'7',DagInstanceId:'47',DagVersion:'2'},'GET','demo-secret-do-not-use'))"
pub const DEMO_GET_SIGNATURE: &str = "ZX+MMncEsB7fZFp/54AFbs3WN1I=";

pub fn demo_rerun_params() -> [(&'static str, &'static str); 3] {
    [("DagId", "7"), ("DagInstanceId", "47"), ("DagVersion", "2")]
}

#[wasm_bindgen_test]
fn demo_get_matches_pure_signer_and_official_sdk() {
    let out = Input::rerun()
        .with("method", "GET".into())
        .preview_fixed()
        .unwrap();
    assert_eq!(
        out,
        pure(RERUN, Method::Get, &demo_rerun_params(), TS, NONCE)
    );
    assert!(out.string_to_sign.starts_with("GET&%2F&"));
    assert_eq!(out.signature, DEMO_GET_SIGNATURE);
    // POST is the default.
    let post = Input::rerun().preview_fixed().unwrap();
    assert_eq!(
        post,
        pure(RERUN, Method::Post, &demo_rerun_params(), TS, NONCE)
    );
}

#[wasm_bindgen_test]
fn ids_as_number_bigint_and_decimal_string_sign_identically() {
    let base = Input::rerun().with("tid", num(1.0));
    let expected = base.preview_fixed().unwrap();
    let same = [
        base.clone().with("dagInstanceId", big(47)),
        base.clone().with("dagInstanceId", "47".into()),
        base.clone().with("dagId", big(7)),
        base.clone().with("tid", "1".into()),
        base.clone().with("tid", big(1)),
    ];
    for input in same {
        assert_eq!(input.preview_fixed().unwrap(), expected);
    }
    // 2^53−1 is the largest number accepted; 2^63−1 needs a bigint or a string.
    let safe = base.clone().with("dagId", num(9_007_199_254_740_991.0));
    assert_eq!(
        query_param(&safe.preview_fixed().unwrap().url, "DagId").as_deref(),
        Some("9007199254740991")
    );
    let max_big = base
        .clone()
        .with("dagId", big(i64::MAX.into()))
        .preview_fixed();
    let max_str = base
        .clone()
        .with("dagId", "9223372036854775807".into())
        .preview_fixed();
    assert_eq!(max_big.unwrap(), max_str.unwrap());
    let zero = base.with("dagId", "0".into()).preview_fixed().unwrap();
    assert_eq!(query_param(&zero.url, "DagId").as_deref(), Some("0"));
}

#[wasm_bindgen_test]
fn a_genuine_replacement_character_is_signed_and_a_lone_surrogate_refused() {
    // U+FFFD typed by the caller is valid text; only lone surrogates are refused.
    let out = Input::rerun()
        .with("dagVersion", "v\u{FFFD}".into())
        .preview_fixed()
        .unwrap();
    assert_eq!(
        query_param(&out.url, "DagVersion").as_deref(),
        Some("v\u{FFFD}")
    );
    for field in [
        "accessKeyId",
        "accessKeySecret",
        "securityToken",
        "dagVersion",
    ] {
        let err = Input::rerun()
            .with(field, lone_surrogate("v\u{FFFD}"))
            .refused();
        assert_invalid(&err, field);
        assert!(
            get_str(&err, "message").unwrap().contains("surrogate"),
            "{err:?}"
        );
    }
}

#[wasm_bindgen_test]
fn region_id_picks_the_regional_endpoint_and_endpoint_wins() {
    let out = Input::rerun()
        .with("endpoint", JsValue::UNDEFINED)
        .with("regionId", "cn-hangzhou".into())
        .preview_fixed()
        .unwrap();
    assert!(out
        .url
        .starts_with("https://dms-enterprise.cn-hangzhou.aliyuncs.com/?"));
    let out = Input::rerun()
        .with("endpoint", "HTTP://LocalHost:8787/".into())
        .with("regionId", "cn-hangzhou".into())
        .preview_fixed()
        .unwrap();
    assert!(
        out.url.starts_with("http://localhost:8787/?"),
        "{}",
        out.url
    );
    let out = Input::rerun()
        .with("endpoint", "http://[::1]:9".into())
        .preview_fixed()
        .unwrap();
    assert!(out.url.starts_with("http://[::1]:9/?"), "{}", out.url);
}

#[wasm_bindgen_test]
fn endpoint_hosts_fetch_would_refuse_are_invalid_input() {
    // As the WHATWG URL parser judges them (issue 9, defect 6): reported as
    // InvalidParameter.Endpoint, never as a Network failure after sending.
    for bad in [
        "http://[1:2]",
        "http://256.1.1.1",
        "http://1.2.3.4.5",
        "http://127.1",
        "http://0x7f.0.0.1",
        "http://example.123",
        "http://[fe80::1%25eth0]",
    ] {
        let err = Input::rerun().with("endpoint", bad.into()).refused();
        assert_invalid(&err, "endpoint");
    }
}

#[wasm_bindgen_test]
fn timestamp_comes_from_the_js_clock() {
    let before = js_sys::Date::now();
    let out = Input::rerun()
        .preview(JsValue::UNDEFINED, NONCE.into())
        .unwrap();
    let ts = query_param(&out.canonical_query, "Timestamp").unwrap();
    let shape = "dddd-dd-ddTdd:dd:ddZ";
    assert_eq!(ts.len(), shape.len(), "{ts}");
    for (c, s) in ts.chars().zip(shape.chars()) {
        assert!(if s == 'd' { c.is_ascii_digit() } else { c == s }, "{ts}");
    }
    let signed_at = js_sys::Date::parse(&ts);
    assert!((signed_at - before).abs() < 60_000.0, "{ts} vs {before}");
    // The stringToSign carries that same timestamp, and the pure signer agrees.
    assert!(
        out.string_to_sign.contains(&ts.replace(':', "%253A")),
        "{}",
        out.string_to_sign
    );
    assert_eq!(
        out,
        pure(RERUN, Method::Post, &demo_rerun_params(), &ts, NONCE)
    );
}

#[wasm_bindgen_test]
fn nonces_from_getrandom_are_unique_uuid_v4() {
    let input = Input::rerun();
    let mut seen = HashSet::new();
    for _ in 0..1000 {
        let out = input.preview(TS.into(), JsValue::UNDEFINED).unwrap();
        let nonce = query_param(&out.url, "SignatureNonce").unwrap();
        let b = nonce.as_bytes();
        assert_eq!(b.len(), 36, "{nonce}");
        assert_eq!(
            (b[8], b[13], b[14], b[18], b[23]),
            (b'-', b'-', b'4', b'-', b'-'),
            "{nonce}"
        );
        assert!(matches!(b[19], b'8' | b'9' | b'a' | b'b'), "{nonce}");
        assert!(
            nonce
                .bytes()
                .all(|c| c == b'-' || c.is_ascii_digit() || (b'a'..=b'f').contains(&c)),
            "{nonce}"
        );
        seen.insert(nonce);
    }
    assert_eq!(seen.len(), 1000);
}

#[wasm_bindgen_test]
fn bad_preview_overrides_are_refused_by_name() {
    let input = Input::rerun();
    let cases = [
        (
            JsValue::from("2026-01-02 03:04:05Z"),
            JsValue::UNDEFINED,
            "timestamp",
        ),
        (
            "2026-13-02T03:04:05Z".into(),
            JsValue::UNDEFINED,
            "timestamp",
        ),
        ("".into(), JsValue::UNDEFINED, "timestamp"),
        (num(0.0), JsValue::UNDEFINED, "timestamp"),
        (lone_surrogate("2026"), JsValue::UNDEFINED, "timestamp"),
        (JsValue::UNDEFINED, num(42.0), "nonce"),
        (JsValue::UNDEFINED, "".into(), "nonce"),
        (JsValue::UNDEFINED, lone_surrogate("n"), "nonce"),
        (JsValue::UNDEFINED, js("'n'.repeat(4097)"), "nonce"),
    ];
    for (timestamp, nonce, field) in cases {
        let err = input.preview_raw(timestamp, nonce).unwrap_err();
        assert_invalid(&err, field);
    }
    // null is "not given", like undefined; the call still previews exactly.
    let out = input.preview_fixed().unwrap();
    assert_eq!(
        out,
        pure(RERUN, Method::Post, &demo_rerun_params(), TS, NONCE)
    );
    let fresh = input.preview(JsValue::NULL, JsValue::NULL).unwrap();
    assert_ne!(
        query_param(&fresh.url, "SignatureNonce").as_deref(),
        Some(NONCE)
    );
}
