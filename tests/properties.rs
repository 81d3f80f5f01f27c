//! Property tests of the pure modules: for arbitrary (and hostile) inputs
//! nothing panics, and each function agrees with a small reference written
//! here from the rule it implements.
//!
//! Cases per property: `PROPTEST_CASES` (default 2000). Each property counts
//! the cases it really ran and prints the count (`cargo test --test
//! properties -- --nocapture` shows them).
#![cfg(not(target_arch = "wasm32"))]

use std::sync::atomic::{AtomicU64, Ordering};

use dms_rerun::clock::{format_nonce, format_timestamp, is_valid_timestamp};
use dms_rerun::encode::{percent_encode, percent_encode_into};
use dms_rerun::error::{DmsError, Kind};
use dms_rerun::params::{
    id_from_f64, id_to_string, is_integer, is_valid_region_id, normalize_endpoint, parse_id,
    regional_endpoint, MAX_ID, MAX_SAFE_INTEGER,
};
use dms_rerun::request::{sign_rerun, Credentials, RerunRequest};
use dms_rerun::response::{classify, retry_after_ms, Body, Fields, MAX_BODY_BYTES};
use dms_rerun::retry::{backoff_ms, BASE_DELAY_MS, MAX_DELAY_MS, MAX_HINT_MS};
use dms_rerun::sign::{canonical_query, sign, string_to_sign, Method};
use hmac::{Hmac, KeyInit, Mac};
use proptest::prelude::*;
use proptest::test_runner::Config;

/// Cases per property: `PROPTEST_CASES`, else 2000.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000)
}

fn config() -> Config {
    Config {
        cases: cases(),
        // Failures are reported with their minimal input; no files are written.
        failure_persistence: None,
        ..Config::default()
    }
}

/// Runs one property and checks (and prints) how many cases really ran.
fn check<S: Strategy>(name: &str, strategy: S, body: impl Fn(S::Value) -> Result<(), TestCaseError>)
where
    S::Value: std::fmt::Debug,
{
    let ran = AtomicU64::new(0);
    let mut runner = proptest::test_runner::TestRunner::new(config());
    let result = runner.run(&strategy, |value| {
        ran.fetch_add(1, Ordering::Relaxed);
        body(value)
    });
    if let Err(err) = result {
        panic!("property {name} failed: {err}");
    }
    let ran = ran.load(Ordering::Relaxed);
    println!("property {name}: {ran} cases");
    assert!(ran >= u64::from(cases()), "{name}: only {ran} cases ran");
}

// ---------------------------------------------------------------------------
// Generators.

/// splitmix64: turns one generated seed into many cheap draws. (Generating
/// every character through proptest costs ~30 µs each in a debug build.)
fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// One character that stresses encoders: ASCII (reserved and unreserved),
/// controls, `%`, 2-, 3- and 4-byte UTF-8, or any scalar value at all.
fn hostile_char(state: &mut u64) -> char {
    const SPECIAL: &[char] = &[
        '%', '&', '=', '+', '/', '?', '#', '~', '*', ' ', '\x7f', '\u{fffd}',
    ];
    let draw = next(state);
    let pick = |lo: u32, hi: u32| char::from_u32(lo + (draw >> 8) as u32 % (hi - lo + 1));
    let c = match draw % 10 {
        0..=3 => pick(0x20, 0x7e),
        4 => pick(0x00, 0x1f),
        5 => SPECIAL.get((draw >> 8) as usize % SPECIAL.len()).copied(),
        6 => pick(0x80, 0x7ff),
        7 => pick(0x800, 0xffff), // surrogates map to None below
        8 => pick(0x1_0000, 0x10_ffff),
        _ => pick(0, 0x10_ffff),
    };
    c.unwrap_or('\u{d7ff}')
}

/// Strings of [`hostile_char`]s: mostly short, sometimes a few hundred;
/// shrinks towards shorter strings.
fn hostile_string() -> impl Strategy<Value = String> {
    let long = prop_oneof![9 => 0usize..24, 1 => 0usize..400];
    (long, any::<u64>())
        .prop_map(|(len, mut seed)| (0..len).map(|_| hostile_char(&mut seed)).collect())
}

fn method() -> impl Strategy<Value = Method> {
    prop_oneof![Just(Method::Post), Just(Method::Get)]
}

// ---------------------------------------------------------------------------
// References.

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~')
}

/// Decodes `%XX` (uppercase only) and literal unreserved bytes; anything else is an error.
fn strict_decode(text: &str) -> Result<Vec<u8>, String> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .ok_or_else(|| format!("truncated escape at {i}"))?;
            if !hex
                .iter()
                .all(|h| h.is_ascii_digit() || (b'A'..=b'F').contains(h))
            {
                return Err(format!("escape {hex:?} at {i} is not uppercase hex"));
            }
            let hex = std::str::from_utf8(hex).map_err(|e| e.to_string())?;
            out.push(u8::from_str_radix(hex, 16).map_err(|e| e.to_string())?);
            i += 3;
        } else if is_unreserved(b) {
            out.push(b);
            i += 1;
        } else {
            return Err(format!(
                "literal {:?} at {i} is not unreserved",
                char::from(b)
            ));
        }
    }
    Ok(out)
}

/// RFC 4648 base64 with padding, bit by bit.
fn reference_base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let bits: Vec<bool> = bytes
        .iter()
        .flat_map(|b| (0..8).rev().map(move |i| b >> i & 1 == 1))
        .collect();
    let mut out: String = bits
        .chunks(6)
        .map(|six| {
            let value = (0..6).fold(0usize, |v, i| {
                v << 1 | usize::from(six.get(i) == Some(&true))
            });
            char::from(ALPHABET[value])
        })
        .collect();
    while out.len() % 4 != 0 {
        out.push('=');
    }
    out
}

/// `parse_id` from its definition: u64 parse, canonical text, at most 2^63 − 1.
fn reference_id(text: &str) -> Option<u64> {
    let value: u64 = text.parse().ok()?;
    (value.to_string() == text && value <= i64::MAX as u64).then_some(value)
}

/// Days since 1970-01-01 of a civil date, by counting (not Hinnant's algorithm).
fn days_from_civil(year: u64, month: u64, day: u64) -> u64 {
    let leap = |y: u64| (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let year_days = |y: u64| if leap(y) { 366 } else { 365 };
    // Whole 400-year cycles first (146097 days each) so 9999 stays fast.
    let cycles = (year - 1970) / 400;
    let mut days = cycles * 146_097;
    for y in (1970 + cycles * 400)..year {
        days += year_days(y);
    }
    const MONTH_DAYS: [u64; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    for (m, len) in MONTH_DAYS.iter().enumerate().take((month - 1) as usize) {
        days += len + u64::from(m == 1 && leap(year));
    }
    days + day - 1
}

fn digits(text: &str, from: usize, to: usize) -> u64 {
    text[from..to].parse().unwrap_or(u64::MAX)
}

/// `retry_after_ms`' documented rule, for one header.
fn reference_hint(text: Option<&str>) -> Option<u32> {
    let t = text?.trim();
    if t.is_empty() || t.len() > 9 || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.parse().ok()
}

// ---------------------------------------------------------------------------
// encode

#[test]
fn percent_encoding_keeps_only_unreserved_and_round_trips() {
    check("percent_encode", hostile_string(), |input| {
        let out = percent_encode(&input);
        let decoded = strict_decode(&out).map_err(TestCaseError::fail)?;
        prop_assert_eq!(decoded, input.as_bytes());
        // One output unit per input byte: literal for unreserved, %XX otherwise.
        let expected_len: usize = input
            .bytes()
            .map(|b| if is_unreserved(b) { 1 } else { 3 })
            .sum();
        prop_assert_eq!(out.len(), expected_len);
        // Appending form: same bytes after any prefix.
        let mut appended = String::from("prefix&");
        percent_encode_into(&mut appended, &input);
        prop_assert_eq!(appended, format!("prefix&{out}"));
        Ok(())
    });
}

#[test]
fn percent_encoding_matches_every_single_byte_rule() {
    check("percent_encode single char", any::<char>(), |c| {
        let text = c.to_string();
        let expected: String = text
            .bytes()
            .map(|b| {
                if is_unreserved(b) {
                    char::from(b).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect();
        prop_assert_eq!(percent_encode(&text), expected);
        Ok(())
    });
}

// ---------------------------------------------------------------------------
// sign

#[test]
fn canonical_query_is_sorted_by_key_and_round_trips() {
    let pairs = prop::collection::vec((hostile_string(), hostile_string()), 0..12);
    check("canonical_query", pairs, |pairs| {
        let mut params: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let query = canonical_query(&mut params);
        if pairs.is_empty() {
            prop_assert_eq!(query, "");
            return Ok(());
        }
        let mut decoded = Vec::new();
        for segment in query.split('&') {
            let (k, v) = segment
                .split_once('=')
                .ok_or_else(|| TestCaseError::fail(format!("segment without '=': {segment}")))?;
            let k = strict_decode(k).map_err(TestCaseError::fail)?;
            let v = strict_decode(v).map_err(TestCaseError::fail)?;
            decoded.push((k, v));
        }
        // Sorted by key bytes (a stable order among equal keys is not promised).
        prop_assert!(decoded.windows(2).all(|w| w[0].0 <= w[1].0));
        // The same multiset of pairs.
        let mut want: Vec<(Vec<u8>, Vec<u8>)> = pairs
            .iter()
            .map(|(k, v)| (k.clone().into_bytes(), v.clone().into_bytes()))
            .collect();
        want.sort();
        decoded.sort();
        prop_assert_eq!(decoded, want);
        Ok(())
    });
}

#[test]
fn canonical_query_ignores_input_order() {
    let pairs = prop::collection::btree_map(hostile_string(), hostile_string(), 0..12);
    check(
        "canonical_query order",
        (pairs, any::<prop::sample::Index>()),
        |(map, rotate)| {
            let mut sorted: Vec<(&str, &str)> =
                map.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let mut rotated = sorted.clone();
            if !rotated.is_empty() {
                let by = rotate.index(rotated.len());
                rotated.rotate_left(by);
                rotated.reverse();
            }
            prop_assert_eq!(canonical_query(&mut sorted), canonical_query(&mut rotated));
            Ok(())
        },
    );
}

#[test]
fn sign_never_panics_is_deterministic_and_is_hmac_sha1() {
    let strategy = (
        method(),
        prop::collection::vec((hostile_string(), hostile_string()), 0..12),
        hostile_string(),
    );
    check("sign", strategy, |(method, pairs, secret)| {
        let params = || -> Vec<(&str, &str)> {
            pairs
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect()
        };
        let first = sign(method, &mut params(), &secret);
        let second = sign(method, &mut params(), &secret);
        prop_assert_eq!(&first, &second);

        prop_assert_eq!(&first.canonical_query, &canonical_query(&mut params()));
        prop_assert_eq!(
            &first.string_to_sign,
            &format!(
                "{}&%2F&{}",
                method.as_str(),
                percent_encode(&first.canonical_query)
            )
        );
        prop_assert_eq!(
            string_to_sign(method, &first.canonical_query),
            first.string_to_sign.clone()
        );
        // base64 (standard, padded) of HMAC-SHA1 keyed with secret + "&".
        let mut mac =
            <Hmac<sha1::Sha1> as KeyInit>::new_from_slice(format!("{secret}&").as_bytes())
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
        mac.update(first.string_to_sign.as_bytes());
        prop_assert_eq!(
            &first.signature,
            &reference_base64(&mac.finalize().into_bytes())
        );
        prop_assert_eq!(first.signature.len(), 28);
        let expected_query = if first.canonical_query.is_empty() {
            format!("&Signature={}", percent_encode(&first.signature))
        } else {
            format!(
                "{}&Signature={}",
                first.canonical_query,
                percent_encode(&first.signature)
            )
        };
        prop_assert_eq!(first.query, expected_query);
        Ok(())
    });
}

#[test]
fn sign_rerun_sends_exactly_the_operation_parameters() {
    let strategy = (
        method(),
        (
            hostile_string(),
            hostile_string(),
            prop::option::of(hostile_string()),
        ),
        (
            prop::option::of(0..=MAX_ID),
            0..=MAX_ID,
            0..=MAX_ID,
            hostile_string(),
        ),
        (
            "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z",
            hostile_string(),
        ),
    );
    check(
        "sign_rerun",
        strategy,
        |(method, (id, secret, token), (tid, dag, instance, version), (ts, nonce))| {
            let credentials = Credentials {
                access_key_id: id.clone(),
                access_key_secret: secret.clone(),
                security_token: token.clone(),
            };
            let request = RerunRequest {
                tid,
                dag_id: dag,
                dag_instance_id: instance,
                dag_version: version.clone(),
            };
            let signed = sign_rerun("http://h:1", method, &credentials, &request, &ts, &nonce);
            let mut want = vec![
                ("AccessKeyId".to_string(), id),
                ("Action".into(), "ReRunTaskFlowInstance".into()),
                ("DagId".into(), dag.to_string()),
                ("DagInstanceId".into(), instance.to_string()),
                ("DagVersion".into(), version),
                ("Format".into(), "JSON".into()),
                ("SignatureMethod".into(), "HMAC-SHA1".into()),
                ("SignatureNonce".into(), nonce),
                ("SignatureVersion".into(), "1.0".into()),
                ("Timestamp".into(), ts),
                ("Version".into(), "2018-11-01".into()),
            ];
            if let Some(token) = token {
                want.push(("SecurityToken".into(), token));
            }
            if let Some(tid) = tid {
                want.push(("Tid".into(), tid.to_string()));
            }
            let mut pairs: Vec<(&str, &str)> =
                want.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let reference = sign(method, &mut pairs, &secret);
            prop_assert_eq!(signed.method, method);
            prop_assert_eq!(&signed.canonical_query, &reference.canonical_query);
            prop_assert_eq!(&signed.signature, &reference.signature);
            prop_assert_eq!(&signed.url, &format!("http://h:1/?{}", reference.query));
            Ok(())
        },
    );
}

// ---------------------------------------------------------------------------
// params

#[test]
fn parse_id_agrees_with_the_reference() {
    let text = prop_oneof![
        hostile_string(),
        "[0-9]{1,25}",
        "0[0-9]{0,5}",
        "[+-]?[0-9]{1,20}",
        "[ \t]?[0-9]{1,19}[ \t]?",
        // Around 2^63 − 1 and u64::MAX.
        (0u64..2000).prop_map(|d| (i64::MAX as u64 - 1000 + d).to_string()),
        (0u64..1000).prop_map(|d| (u64::MAX - d).to_string()),
        "[\u{660}-\u{669}\u{ff10}-\u{ff19}]{1,4}",
    ];
    check("parse_id", text, |text| {
        prop_assert_eq!(parse_id(&text), reference_id(&text), "{:?}", text);
        Ok(())
    });
}

#[test]
fn id_text_round_trips() {
    check("id_to_string", any::<u64>(), |value| {
        let text = id_to_string(value);
        prop_assert_eq!(&text, &value.to_string());
        prop_assert_eq!(
            parse_id(&text),
            (value <= MAX_ID).then_some(value),
            "{}",
            text
        );
        Ok(())
    });
}

#[test]
fn ids_from_js_numbers_are_exactly_the_safe_integers() {
    let number = prop_oneof![
        any::<f64>(),
        (0u64..=(1 << 53) + 10).prop_map(|n| n as f64),
        (-1000i64..1000).prop_map(|n| n as f64 / 4.0),
        Just(-0.0),
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(MAX_SAFE_INTEGER),
        Just(MAX_SAFE_INTEGER + 1.0),
        Just(f64::MAX),
        Just(f64::MIN_POSITIVE),
    ];
    check("id_from_f64", number, |n| {
        let integral = n.is_finite() && n.fract() == 0.0;
        prop_assert_eq!(is_integer(n), integral, "{}", n);
        let safe = integral && (0.0..=9_007_199_254_740_991.0).contains(&n);
        prop_assert_eq!(id_from_f64(n), safe.then_some(n as u64), "{}", n);
        Ok(())
    });
}

#[test]
fn region_ids_only_ever_make_a_host_name() {
    let region = prop_oneof![
        hostile_string(),
        "[a-z0-9-]{0,70}",
        "[a-zA-Z0-9.:/@ -]{1,20}"
    ];
    check("is_valid_region_id", region, |region| {
        let reference = !region.is_empty()
            && region.len() <= 63
            && !region.starts_with('-')
            && !region.ends_with('-')
            && region
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        prop_assert_eq!(is_valid_region_id(&region), reference, "{:?}", region);
        if reference {
            let endpoint = regional_endpoint(Some(&region));
            prop_assert_eq!(normalize_endpoint(&endpoint), Some(endpoint.clone()));
        }
        Ok(())
    });
}

/// Pieces of an endpoint: scheme in any case, a host (valid or not), a port, a tail.
fn endpoint_text() -> impl Strategy<Value = String> {
    let scheme = prop_oneof![
        Just("http://"),
        Just("https://"),
        Just("HTTP://"),
        Just("HtTpS://"),
        Just("ftp://"),
        Just("http:/"),
        Just("//"),
        Just(""),
    ];
    let host = prop_oneof![
        "[a-zA-Z0-9_-]{1,12}(\\.[a-zA-Z0-9_-]{1,12}){0,3}",
        "[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}",
        "\\[[0-9a-fA-F:.]{0,16}\\]",
        "[^/?#]{0,12}",
        hostile_string(),
    ];
    let port = prop_oneof![
        Just(String::new()),
        (0u32..70_000).prop_map(|p| format!(":{p}")),
        ":[0-9]{0,7}",
        ":[^/]{0,3}",
    ];
    let tail = prop_oneof![
        Just(""),
        Just(""),
        Just("/"),
        Just("//"),
        Just("/path"),
        Just("?q=1"),
        Just("#f"),
        Just("@evil.com"),
        Just(" "),
        Just("\n"),
        Just("\\"),
    ];
    prop_oneof![
        (scheme, host, port, tail).prop_map(|(s, h, p, t)| format!("{s}{h}{p}{t}")),
        hostile_string(),
    ]
}

#[test]
fn normalize_endpoint_gives_a_prefix_safe_origin() {
    check("normalize_endpoint", endpoint_text(), |text| {
        let Some(origin) = normalize_endpoint(&text) else {
            return Ok(());
        };
        // Scheme, then an authority that cannot end early or smuggle anything.
        let rest = origin
            .strip_prefix("https://")
            .or_else(|| origin.strip_prefix("http://"))
            .ok_or_else(|| TestCaseError::fail(format!("scheme of {origin:?}")))?;
        prop_assert!(!rest.is_empty());
        prop_assert!(
            rest.bytes()
                .all(|b| b.is_ascii_graphic() && !b"/?#@\\%".contains(&b)),
            "{:?} → {:?}",
            text,
            origin
        );
        prop_assert_eq!(&origin, &origin.to_ascii_lowercase());
        // The input, case-folded, minus at most one trailing '/'.
        let folded = text.to_ascii_lowercase();
        prop_assert!(
            folded == origin || folded == format!("{origin}/"),
            "{:?}",
            text
        );
        // Idempotent: an origin normalises to itself.
        prop_assert_eq!(normalize_endpoint(&origin), Some(origin.clone()));
        // Port, when given, is 1..=65535 in plain digits.
        let port = if rest.starts_with('[') {
            rest.rsplit_once("]:").map(|(_, p)| p)
        } else {
            rest.split_once(':').map(|(_, p)| p)
        };
        if let Some(port) = port {
            let n: u32 = port
                .parse()
                .map_err(|_| TestCaseError::fail(format!("port {port:?}")))?;
            prop_assert!((1..=65_535).contains(&n));
        }
        // Appending the query keeps the same authority.
        let url = format!("{origin}/?a=b");
        prop_assert_eq!(url.find("/?"), Some(origin.len()));
        Ok(())
    });
}

#[test]
fn well_formed_endpoints_are_accepted() {
    let strategy = (
        prop_oneof![Just("http://"), Just("https://"), Just("HTTPS://")],
        // The last label starts with a letter: one that is a number makes the
        // whole host an IPv4 address to the WHATWG URL parser (unit-tested).
        "([a-zA-Z0-9]([a-zA-Z0-9_-]{0,10}[a-zA-Z0-9])?\\.){0,3}[a-zA-Z]([a-zA-Z0-9-]{0,10}[a-zA-Z0-9])?",
        prop::option::of(1u32..=65_535),
        any::<bool>(),
    );
    check(
        "normalize_endpoint accepts",
        strategy,
        |(scheme, host, port, slash)| {
            let port = port.map(|p| format!(":{p}")).unwrap_or_default();
            let text = format!("{scheme}{host}{port}{}", if slash { "/" } else { "" });
            let origin = format!("{scheme}{host}").to_ascii_lowercase();
            let want = format!("{origin}{port}");
            prop_assert_eq!(normalize_endpoint(&text), Some(want));
            Ok(())
        },
    );
}

// ---------------------------------------------------------------------------
// response

fn fields() -> impl Strategy<Value = Fields> {
    let text = || {
        prop::option::of(prop_oneof![
            Just(String::new()),
            "Throttling(\\.[A-Za-z]{1,8})?",
            "[A-Za-z.]{1,20}",
            hostile_string(),
        ])
    };
    (
        text(),
        prop::option::of(any::<bool>()),
        text(),
        text(),
        text(),
        text(),
        text(),
    )
        .prop_map(
            |(request_id, success, error_code, error_message, code, message, recommend)| Fields {
                request_id,
                success,
                error_code,
                error_message,
                code,
                message,
                recommend,
            },
        )
}

fn body() -> impl Strategy<Value = Body> {
    prop_oneof![
        6 => fields().prop_map(Body::Object),
        1 => Just(Body::NotJson),
        1 => Just(Body::TooLarge),
    ]
}

fn status() -> impl Strategy<Value = u16> {
    prop_oneof![
        any::<u16>(),
        100u16..600,
        prop::sample::select(vec![
            200u16, 201, 204, 299, 300, 400, 404, 429, 500, 502, 503, 504
        ]),
    ]
}

/// Invariants of `classify` that hold for every input.
fn classify_invariants(status: u16, body: Body, hint: Option<u32>) -> Result<(), TestCaseError> {
    let ok_status = (200..300).contains(&status);
    let result = classify(status, body.clone(), hint);
    match (&body, result) {
        (Body::Object(f), Ok(rerun)) => {
            prop_assert!(ok_status && f.success == Some(true));
            prop_assert_eq!(rerun.request_id, f.request_id.clone().unwrap_or_default());
            prop_assert_eq!(
                rerun.error_code,
                f.error_code.clone().filter(|c| !c.is_empty())
            );
            Ok(())
        }
        (_, Ok(_)) => Err(TestCaseError::fail("Ok without a JSON object")),
        (body, Err(err)) => {
            prop_assert_eq!(err.http_status, Some(status));
            prop_assert_eq!(err.retry_after_ms, hint);
            prop_assert_eq!(
                err.retryable,
                status == 503 || err.code.starts_with("Throttling")
            );
            prop_assert_eq!(err.attempts, None);
            prop_assert!(!err.code.is_empty());
            let (kind, code) = match body {
                Body::TooLarge => (
                    Kind::InvalidResponse,
                    "InvalidResponse.TooLarge".to_string(),
                ),
                Body::NotJson => (Kind::InvalidResponse, "InvalidResponse.NotJson".to_string()),
                Body::Object(f) if ok_status => match f.success {
                    Some(true) => return Err(TestCaseError::fail("Success: true refused")),
                    Some(false) => (
                        Kind::Api,
                        f.error_code
                            .clone()
                            .filter(|c| !c.is_empty())
                            .unwrap_or_else(|| "UnknownError".into()),
                    ),
                    None => (
                        Kind::InvalidResponse,
                        "InvalidResponse.MissingSuccess".to_string(),
                    ),
                },
                Body::Object(f) => match f.code.clone().filter(|c| !c.is_empty()) {
                    Some(code) => (Kind::Api, code),
                    None => (Kind::InvalidResponse, "InvalidResponse.MissingCode".into()),
                },
            };
            prop_assert_eq!(err.kind, kind);
            prop_assert_eq!(&err.code, &code);
            if let Body::Object(f) = body {
                prop_assert_eq!(&err.request_id, &f.request_id);
                if !ok_status {
                    prop_assert_eq!(&err.recommend, &f.recommend);
                }
            } else {
                prop_assert_eq!(&err.request_id, &None);
            }
            Ok(())
        }
    }
}

#[test]
fn classify_never_panics_and_obeys_its_rules() {
    let strategy = (status(), body(), prop::option::of(any::<u32>()));
    check("classify", strategy, |(status, body, hint)| {
        classify_invariants(status, body, hint)
    });
}

#[test]
fn classify_success_true_on_2xx_is_always_ok() {
    check(
        "classify 2xx success",
        (200u16..300, fields()),
        |(status, mut f)| {
            f.success = Some(true);
            prop_assert!(classify(status, Body::Object(f), None).is_ok());
            Ok(())
        },
    );
}

/// Every error has a readable message, even when the gateway sends
/// `Message: ""` or the API `ErrorMessage: ""`.
#[test]
fn classify_messages_are_never_empty() {
    check("classify message", (status(), body()), |(status, body)| {
        if let Err(err) = classify(status, body, None) {
            prop_assert!(!err.message.is_empty(), "{} {}", status, err.code);
        }
        Ok(())
    });
}

#[test]
fn retry_after_follows_the_header_rules() {
    let header = || {
        prop::option::of(prop_oneof![
            hostile_string(),
            "[0-9]{0,12}",
            "[ \t]{0,2}[0-9]{1,10}[ \t]{0,2}",
            "-?[0-9]{1,4}(\\.[0-9])?",
            Just("Wed, 21 Oct 2015 07:28:00 GMT".to_string()),
        ])
    };
    check("retry_after_ms", (header(), header()), |(acs, retry)| {
        let got = retry_after_ms(acs.as_deref(), retry.as_deref());
        let want = reference_hint(acs.as_deref())
            .or_else(|| reference_hint(retry.as_deref()).map(|s| s.saturating_mul(1000)));
        prop_assert_eq!(got, want);
        Ok(())
    });
}

#[test]
fn body_limit_is_one_mebibyte() {
    assert_eq!(MAX_BODY_BYTES, 1 << 20);
}

// ---------------------------------------------------------------------------
// retry

#[test]
fn backoff_is_bounded() {
    let hint = prop_oneof![
        any::<u32>(),
        0u32..=70_000,
        Just(60_000u32),
        Just(60_001u32)
    ];
    let strategy = (any::<u32>(), any::<f64>(), prop::option::of(hint));
    check("backoff_ms", strategy, |(retry, unit, hint)| {
        let wait = backoff_ms(retry, unit, hint);
        match hint {
            // A hint is obeyed exactly, or refused (the call then fails) above the cap.
            Some(h) => prop_assert_eq!(wait, (f64::from(h) <= MAX_HINT_MS).then_some(f64::from(h))),
            None => {
                let wait = wait.ok_or_else(|| TestCaseError::fail("no wait without a hint"))?;
                prop_assert!(wait.is_finite() && wait >= 0.0, "{}", wait);
                let exp = retry.clamp(1, 16) - 1;
                let ceiling = (BASE_DELAY_MS * f64::from(1u32 << exp)).min(MAX_DELAY_MS);
                prop_assert!(wait <= ceiling);
                if (0.0..1.0).contains(&unit) {
                    prop_assert!(wait < ceiling || ceiling == 0.0);
                }
            }
        }
        Ok(())
    });
}

// ---------------------------------------------------------------------------
// clock

#[test]
fn timestamps_format_validate_and_round_trip() {
    const END: f64 = 253_402_300_800_000.0; // 10000-01-01T00:00:00Z
    let ms = prop_oneof![
        (0u64..253_402_300_800_000).prop_map(|m| m as f64),
        (0u64..4_102_444_800_000).prop_map(|m| m as f64), // 1970..2100, the realistic range
        Just(0.0),
        Just(END - 1.0),
        Just(END - 0.5),
    ];
    check("format_timestamp", ms, |ms| {
        let text =
            format_timestamp(ms).ok_or_else(|| TestCaseError::fail(format!("None for {ms}")))?;
        prop_assert!(is_valid_timestamp(&text), "{}", text);
        let (y, mo, d) = (
            digits(&text, 0, 4),
            digits(&text, 5, 7),
            digits(&text, 8, 10),
        );
        let (h, mi, s) = (
            digits(&text, 11, 13),
            digits(&text, 14, 16),
            digits(&text, 17, 19),
        );
        let secs = days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s;
        prop_assert_eq!(secs, (ms / 1000.0) as u64, "{} for {}", text, ms);
        Ok(())
    });
}

#[test]
fn timestamps_outside_1970_to_9999_are_refused() {
    let ms = prop_oneof![
        (-1e300f64..0.0),
        (253_402_300_800_000.0f64..1e300),
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(-0.5),
    ];
    check("format_timestamp out of range", ms, |ms| {
        prop_assert_eq!(format_timestamp(ms), None);
        Ok(())
    });
}

#[test]
fn timestamp_validation_agrees_with_the_shape_rule() {
    let text = prop_oneof![
        hostile_string(),
        "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z",
        "[0-9]{4}-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z",
        "[0-9 ]{4}.[0-9]{2}.[0-9]{2}.[0-9]{2}.[0-9]{2}.[0-9]{2}.{0,2}",
    ];
    check("is_valid_timestamp", text, |text| {
        let b = text.as_bytes();
        let shaped = b.len() == 20
            && b.iter().enumerate().all(|(i, &c)| match i {
                4 | 7 => c == b'-',
                10 => c == b'T',
                13 | 16 => c == b':',
                19 => c == b'Z',
                _ => c.is_ascii_digit(),
            });
        let want = shaped && {
            let (mo, d) = (digits(&text, 5, 7), digits(&text, 8, 10));
            let (h, mi, s) = (
                digits(&text, 11, 13),
                digits(&text, 14, 16),
                digits(&text, 17, 19),
            );
            // Seconds stop at 59; day-of-month is bounded by 31 only (see clock.rs).
            (1..=12).contains(&mo) && (1..=31).contains(&d) && h < 24 && mi < 60 && s < 60
        };
        prop_assert_eq!(is_valid_timestamp(&text), want, "{:?}", text);
        Ok(())
    });
}

#[test]
fn nonces_are_uuid_v4_shaped() {
    check("format_nonce", any::<[u8; 16]>(), |bytes| {
        let nonce = format_nonce(bytes);
        prop_assert_eq!(nonce.len(), 36);
        for (i, c) in nonce.chars().enumerate() {
            if matches!(i, 8 | 13 | 18 | 23) {
                prop_assert_eq!(c, '-');
            } else {
                prop_assert!(c.is_ascii_digit() || ('a'..='f').contains(&c), "{}", nonce);
            }
        }
        prop_assert_eq!(&nonce[14..15], "4");
        prop_assert!("89ab".contains(&nonce[19..20]), "{}", nonce);
        // Every random bit except the 6 fixed ones survives.
        let hex: String = nonce.chars().filter(|c| *c != '-').collect();
        let mut want = bytes;
        want[6] = (want[6] & 0x0f) | 0x40;
        want[8] = (want[8] & 0x3f) | 0x80;
        let want: String = want.iter().map(|b| format!("{b:02x}")).collect();
        prop_assert_eq!(hex, want);
        Ok(())
    });
}

// ---------------------------------------------------------------------------
// error

#[test]
fn invalid_input_codes_name_the_field() {
    check(
        "DmsError::invalid",
        ("[a-z][a-zA-Z]{0,15}", hostile_string()),
        |(field, problem)| {
            let err = DmsError::invalid(&field, &problem);
            prop_assert_eq!(err.kind, Kind::InvalidInput);
            let mut chars = field.chars();
            let first = chars.next().map(|c| c.to_ascii_uppercase());
            let want = format!(
                "InvalidParameter.{}{}",
                first.unwrap_or_default(),
                chars.as_str()
            );
            prop_assert_eq!(&err.code, &want);
            prop_assert_eq!(err.message, format!("{field} {problem}"));
            prop_assert!(!err.retryable);
            Ok(())
        },
    );
}
