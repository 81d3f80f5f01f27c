//! Timestamp and nonce text for a signed request.
//!
//! The formatting is pure (epoch milliseconds in, text out); reading the JS
//! clock and the random source happens in the bindings, so tests can pin both.

use alloc::string::String;

/// Formats epoch milliseconds as UTC `YYYY-MM-DDThh:mm:ssZ` (no fraction).
///
/// Returns `None` outside years 1970–9999, where the gateway's format has no
/// four-digit year (and the JS clock would be broken anyway).
pub fn format_timestamp(epoch_ms: f64) -> Option<String> {
    if !epoch_ms.is_finite() || !(0.0..253_402_300_800_000.0).contains(&epoch_ms) {
        return None;
    }
    // In range, so the cast neither truncates nor saturates meaningfully.
    let secs = (epoch_ms / 1000.0) as u64;
    let days = secs / 86_400;
    let rem = secs % 86_400;
    let (year, month, day) = civil_from_days(days);
    let mut out = String::with_capacity(20);
    push_digits(&mut out, year, 4);
    out.push('-');
    push_digits(&mut out, month, 2);
    out.push('-');
    push_digits(&mut out, day, 2);
    out.push('T');
    push_digits(&mut out, rem / 3600, 2);
    out.push(':');
    push_digits(&mut out, rem / 60 % 60, 2);
    out.push(':');
    push_digits(&mut out, rem % 60, 2);
    out.push('Z');
    Some(out)
}

/// True for text shaped exactly like `YYYY-MM-DDThh:mm:ssZ` with plausible fields.
pub fn is_valid_timestamp(text: &str) -> bool {
    let b = text.as_bytes();
    let shape = b"dddd-dd-ddTdd:dd:ddZ";
    if b.len() != shape.len() {
        return false;
    }
    let shaped = b.iter().zip(shape.iter()).all(|(&c, &s)| {
        if s == b'd' {
            c.is_ascii_digit()
        } else {
            c == s
        }
    });
    if !shaped {
        return false;
    }
    let field = |from: usize, to: usize| {
        b.get(from..to).map_or(0, |d| {
            d.iter().fold(0u64, |n, &c| n * 10 + u64::from(c - b'0'))
        })
    };
    // Day-of-month is checked against 31 only: an impossible date such as
    // Feb 30 is left for the gateway to refuse (`InvalidTimeStamp.Format`);
    // the clock never produces one, only a caller's override could.
    (1..=12).contains(&field(5, 7))
        && (1..=31).contains(&field(8, 10))
        && field(11, 13) < 24
        && field(14, 16) < 60
        && field(17, 19) < 60
}

/// True for a real calendar date `YYYY-MM-DD` (leap years included), years 1000–9999.
pub fn is_valid_date(text: &str) -> bool {
    let b = text.as_bytes();
    if b.len() != 10 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return false;
    }
    let number = |from: usize, to: usize| {
        b.get(from..to).and_then(|d| {
            d.iter().try_fold(0u32, |n, &c| {
                c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
            })
        })
    };
    let (Some(year), Some(month), Some(day)) = (number(0, 4), number(5, 7), number(8, 10)) else {
        return false;
    };
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    year >= 1000 && (1..=days).contains(&day)
}

/// Formats 16 random bytes as a UUID-v4-shaped lowercase string.
pub fn format_nonce(mut bytes: [u8; 16]) -> String {
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let mut out = String::with_capacity(36);
    for (i, byte) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        out.push(lower_hex(byte >> 4));
        out.push(lower_hex(byte & 0x0f));
    }
    out
}

fn lower_hex(nibble: u8) -> char {
    char::from(if nibble < 10 {
        b'0' + nibble
    } else {
        b'a' + nibble - 10
    })
}

/// Appends `value` zero-padded to `width` digits.
fn push_digits(out: &mut String, value: u64, width: u32) {
    let mut div = 10u64.pow(width.saturating_sub(1));
    while div > 0 {
        out.push(char::from(b'0' + (value / div % 10) as u8));
        div /= 10;
    }
}

/// Days since 1970-01-01 to (year, month, day), Howard Hinnant's algorithm.
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(
            format_timestamp(0.0).as_deref(),
            Some("1970-01-01T00:00:00Z")
        );
        assert_eq!(
            format_timestamp(1_456_231_584_999.0).as_deref(),
            Some("2016-02-23T12:46:24Z")
        );
        assert_eq!(
            format_timestamp(951_782_400_000.0).as_deref(),
            Some("2000-02-29T00:00:00Z")
        );
        assert_eq!(
            format_timestamp(4_107_542_399_000.0).as_deref(),
            Some("2100-02-28T23:59:59Z")
        );
        assert_eq!(
            format_timestamp(253_402_300_799_000.0).as_deref(),
            Some("9999-12-31T23:59:59Z")
        );
        assert_eq!(format_timestamp(-1.0), None);
        assert_eq!(format_timestamp(f64::NAN), None);
    }

    #[test]
    fn every_day_roundtrips_through_validation() {
        for day in 0..200_000u64 {
            let text = format_timestamp((day * 86_400_000 + 3_723_000) as f64).unwrap_or_default();
            assert!(is_valid_timestamp(&text), "{text}");
        }
    }

    #[test]
    fn rejects_malformed_timestamps() {
        for bad in [
            "",
            "2016-02-23T12:46:24",
            "2016-02-23T12:46:24.000Z",
            "2016-13-01T00:00:00Z",
            "2016-02-23 12:46:24Z",
            "２016-02-23T12:46:24Z",
        ] {
            assert!(!is_valid_timestamp(bad), "{bad}");
        }
    }

    #[test]
    fn nonce_is_uuid_shaped() {
        let nonce = format_nonce([0xff; 16]);
        assert_eq!(nonce, "ffffffff-ffff-4fff-bfff-ffffffffffff");
    }
}
