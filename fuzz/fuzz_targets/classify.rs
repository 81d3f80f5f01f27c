//! Arbitrary answers through `response::classify`: never panics, and the
//! retry rule (503 or Throttling*) and the success rule (2xx + Success true)
//! hold for every status and body.
//!
//!   cargo +nightly fuzz run classify -- -max_total_time=60
#![no_main]

use dms_rerun::response::{classify, Body, Fields};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((head, rest)) = data.split_first_chunk::<4>() else {
        return;
    };
    let status = u16::from_le_bytes([head[0], head[1]]);
    let kind = head[2] % 8;
    let hint = (head[3] & 1 == 1).then(|| u32::from(head[3]) * 1000);
    let mut parts = rest
        .split(|&b| b == 0xff)
        .map(|p| String::from_utf8_lossy(p).into_owned());
    let mut next = |present: bool| if present { parts.next() } else { None };
    let flags = head[3];
    let fields = Fields {
        request_id: next(flags & 2 != 0),
        success: match head[2] >> 3 & 3 {
            0 => None,
            1 => Some(false),
            _ => Some(true),
        },
        error_code: next(flags & 4 != 0),
        error_message: next(flags & 8 != 0),
        code: next(flags & 16 != 0),
        message: next(flags & 32 != 0),
        recommend: next(flags & 64 != 0),
    };
    let body = match kind {
        0 => Body::NotJson,
        1 => Body::TooLarge,
        _ => Body::Object(fields.clone()),
    };
    match classify(status, body, hint) {
        Ok(_) => assert!((200..300).contains(&status) && kind >= 2 && fields.success == Some(true)),
        Err(err) => {
            assert_eq!(
                err.retryable,
                status == 503 || err.code.starts_with("Throttling")
            );
            assert_eq!(err.http_status, Some(status));
            assert!(!err.code.is_empty());
            assert!(!err.message.is_empty());
        }
    }
});
