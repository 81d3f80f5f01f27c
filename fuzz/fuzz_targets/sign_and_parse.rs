//! Arbitrary bytes through every pure text function: nothing may panic, and
//! the cheap invariants of tests/properties.rs must hold.
//!
//!   cargo +nightly fuzz run sign_and_parse -- -max_total_time=60
#![no_main]

use dms_rerun::clock::is_valid_timestamp;
use dms_rerun::encode::percent_encode;
use dms_rerun::params::{is_valid_region_id, normalize_endpoint, parse_id};
use dms_rerun::response::retry_after_ms;
use dms_rerun::sign::{sign, Method};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Fields separated by 0xFF (never valid UTF-8, so it cannot hide inside a field).
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    let fields: Vec<String> = data.split(|&b| b == 0xff).map(text).collect();
    let field = |i: usize| fields.get(i).map(String::as_str).unwrap_or("");

    for f in &fields {
        let encoded = percent_encode(f);
        assert!(encoded
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.~%".contains(&b)));
        for (i, _) in encoded.match_indices('%') {
            let hex = &encoded.as_bytes()[i + 1..i + 3];
            assert!(hex
                .iter()
                .all(|h| h.is_ascii_digit() || (b'A'..=b'F').contains(h)));
        }

        let reference = f
            .parse::<u64>()
            .ok()
            .filter(|v| v.to_string() == *f && *v <= i64::MAX as u64);
        assert_eq!(parse_id(f), reference);

        if let Some(origin) = normalize_endpoint(f) {
            assert_eq!(
                normalize_endpoint(&origin).as_deref(),
                Some(origin.as_str())
            );
            let authority = origin
                .strip_prefix("https://")
                .or_else(|| origin.strip_prefix("http://"))
                .expect("an http(s) origin");
            assert!(!authority.is_empty() && !authority.contains(['/', '?', '#', '@', '\\', ' ']));
        }
        let _ = is_valid_region_id(f);
        let _ = is_valid_timestamp(f);
    }
    let _ = retry_after_ms(Some(field(0)), Some(field(1)));

    let mut params: Vec<(&str, &str)> = fields
        .chunks(2)
        .map(|kv| (kv[0].as_str(), kv.get(1).map(String::as_str).unwrap_or("")))
        .collect();
    let method = if data.first().is_some_and(|b| b & 1 == 1) {
        Method::Get
    } else {
        Method::Post
    };
    let a = sign(method, &mut params, field(2));
    let b = sign(method, &mut params, field(2));
    assert_eq!(a, b);
    assert_eq!(a.signature.len(), 28);
});
