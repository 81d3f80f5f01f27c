//! Validation rules for the operation's inputs, independent of JS.
//!
//! Each check answers "is this exactly what the gateway expects?" so bad input
//! is refused before anything is signed or sent.

use alloc::string::String;

/// Largest id the API's `Long` parameters accept (2^63 − 1).
pub const MAX_ID: u64 = i64::MAX as u64;

/// Largest integer a JS `number` holds exactly (2^53 − 1).
pub const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// Parses a canonical decimal id: digits only, no sign, no leading zeros
/// (except `0` itself), at most 2^63 − 1.
pub fn parse_id(text: &str) -> Option<u64> {
    if text.len() > 1 && text.as_bytes().first() == Some(&b'0') {
        return None;
    }
    parse_digits(text).filter(|&value| value <= MAX_ID)
}

/// Parses ASCII digits (no sign, no spaces) into a `u64`, `None` on overflow.
/// Hand-rolled because `str::parse` drags error formatting into the wasm.
pub fn parse_digits(text: &str) -> Option<u64> {
    if text.is_empty() {
        return None;
    }
    text.bytes().try_fold(0u64, |value, b| {
        if b.is_ascii_digit() {
            value.checked_mul(10)?.checked_add(u64::from(b - b'0'))
        } else {
            None
        }
    })
}

/// Accepts a JS `number` id only if it is a safe, non-negative integer.
pub fn id_from_f64(value: f64) -> Option<u64> {
    if (0.0..=MAX_SAFE_INTEGER).contains(&value) && is_integer(value) {
        // Exact: a safe integer converts without rounding.
        Some(value as u64)
    } else {
        None
    }
}

/// True for finite integral values (`f64::trunc` is not in `core`).
pub fn is_integer(value: f64) -> bool {
    // From 2^52 up every finite f64 is an integer; below, the i64 round trip is exact.
    value.is_finite() && (value.abs() >= 4_503_599_627_370_496.0 || (value as i64) as f64 == value)
}

/// Decimal text of `value` (no `core::fmt`).
pub fn id_to_string(mut value: u64) -> String {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    loop {
        start -= 1;
        if let Some(slot) = digits.get_mut(start) {
            *slot = b'0' + (value % 10) as u8;
        }
        value /= 10;
        if value == 0 || start == 0 {
            break;
        }
    }
    digits
        .get(start..)
        .map(|d| d.iter().map(|&b| char::from(b)).collect())
        .unwrap_or_default()
}

/// A region id is put into a host name, so only `[a-z0-9-]` is allowed.
pub fn is_valid_region_id(region: &str) -> bool {
    !region.is_empty()
        && region.len() <= 63
        && region.as_bytes().first() != Some(&b'-')
        && region.as_bytes().last() != Some(&b'-')
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// The default endpoint, or the regional one for `region`.
pub fn regional_endpoint(region: Option<&str>) -> String {
    match region {
        None => String::from("https://dms-enterprise.aliyuncs.com"),
        Some(region) => {
            let mut out = String::with_capacity(40 + region.len());
            out.push_str("https://dms-enterprise.");
            out.push_str(region);
            out.push_str(".aliyuncs.com");
            out
        }
    }
}

/// Normalises an `http(s)://host[:port]` origin (one trailing `/` allowed).
///
/// Anything else — paths, queries, fragments, credentials, other schemes,
/// spaces or control characters — is refused rather than guessed at.
pub fn normalize_endpoint(endpoint: &str) -> Option<String> {
    let lower_scheme_len = if starts_with_ignore_case(endpoint, "https://") {
        8
    } else if starts_with_ignore_case(endpoint, "http://") {
        7
    } else {
        return None;
    };
    let (scheme, rest) = endpoint.split_at_checked(lower_scheme_len)?;
    let authority = match rest.as_bytes().last() {
        Some(b'/') => rest.get(..rest.len() - 1)?,
        _ => rest,
    };
    let (host, port) = split_host_port(authority)?;
    if !is_valid_host(host) {
        return None;
    }
    if let Some(port) = port {
        parse_digits(port).filter(|p| (1..=65_535).contains(p))?;
    }
    let mut out = scheme.to_ascii_lowercase();
    out.push_str(&host.to_ascii_lowercase());
    if let Some(port) = port {
        out.push(':');
        out.push_str(port);
    }
    Some(out)
}

fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    text.get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}

/// Splits `host:port`, keeping bracketed IPv6 literals whole.
///
/// Byte searches rather than `char` patterns: the char searcher costs more
/// wasm than this whole function.
fn split_host_port(authority: &str) -> Option<(&str, Option<&str>)> {
    let bytes = authority.as_bytes();
    let search_from = if bytes.first() == Some(&b'[') {
        bytes.iter().position(|&b| b == b']')? + 1
    } else {
        0
    };
    let colon = bytes
        .iter()
        .skip(search_from)
        .position(|&b| b == b':')
        .map(|at| at + search_from);
    match colon {
        None if search_from > 0 && search_from < bytes.len() => None,
        None => Some((authority, None)),
        Some(at) if search_from > 0 && at != search_from => None,
        Some(at) => Some((authority.get(..at)?, Some(authority.get(at + 1..)?))),
    }
}

/// A host `fetch` will accept, judged as the WHATWG URL parser does: a
/// bracketed IPv6 literal, a dotted-quad IPv4 address, or a DNS name. A name
/// whose last label is a number is an IPv4 address to that parser
/// (`256.1.1.1`, `1.2.3.4.5` fail there), so it must be a valid dotted quad.
fn is_valid_host(host: &str) -> bool {
    let bytes = host.as_bytes();
    if let [b'[', inner @ .., b']'] = bytes {
        return is_ipv6(inner);
    }
    let labels_ok = !bytes.is_empty()
        && bytes.len() <= 253
        && bytes.split(|&b| b == b'.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label.first() != Some(&b'-')
                && label.last() != Some(&b'-')
                && label
                    .iter()
                    .all(|&b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                // An IDNA A-label must be valid Punycode of valid Unicode to
                // the URL parser (Node's and workerd's refuse `xn--a`);
                // rather than carry that check, A-labels are refused.
                && !label.get(..4).is_some_and(|p| p.eq_ignore_ascii_case(b"xn--"))
        });
    let last_is_numeric = bytes.rsplit(|&b| b == b'.').next().is_some_and(|last| {
        last.first().is_some_and(u8::is_ascii_digit)
            && last.iter().all(u8::is_ascii_alphanumeric)
            && (last.iter().all(u8::is_ascii_digit)
                || last.starts_with(b"0x")
                || last.starts_with(b"0X"))
    });
    labels_ok && (!last_is_numeric || is_ipv4(bytes))
}

/// Exactly four decimal parts 0–255 without leading zeros (other IPv4
/// spellings such as `127.1` or `0x7f.1` are refused rather than guessed at).
fn is_ipv4(bytes: &[u8]) -> bool {
    let mut parts = 0;
    for part in bytes.split(|&b| b == b'.') {
        parts += 1;
        let digits = part.iter().all(u8::is_ascii_digit);
        let canonical =
            part == b"0" || (part.first() != Some(&b'0') && (1..=3).contains(&part.len()));
        // Only read when at most 3 bytes long (`canonical`), so it cannot overflow.
        let value = part
            .iter()
            .take(3)
            .fold(0u32, |n, &b| n * 10 + u32::from(b.wrapping_sub(b'0')));
        if !(digits && canonical && value <= 255) {
            return false;
        }
    }
    parts == 4
}

/// An IPv6 address as RFC 4291 writes it (`::` once at most, an IPv4 tail
/// allowed); no zone id, which URLs do not allow. Byte loops, not `str`
/// searches: those cost kilobytes of wasm.
fn is_ipv6(inner: &[u8]) -> bool {
    let mut groups = 0;
    let mut compressed = false;
    let mut rest = inner;
    if rest.starts_with(b"::") {
        compressed = true;
        rest = rest.get(2..).unwrap_or_default();
        if rest.is_empty() {
            return true;
        }
    }
    loop {
        let end = rest.iter().position(|&b| b == b':').unwrap_or(rest.len());
        let piece = rest.get(..end).unwrap_or_default();
        let last = end == rest.len();
        if last && piece.contains(&b'.') {
            if !is_ipv4(piece) {
                return false;
            }
            groups += 2;
        } else if (1..=4).contains(&piece.len()) && piece.iter().all(u8::is_ascii_hexdigit) {
            groups += 1;
        } else {
            return false;
        }
        if last {
            break;
        }
        rest = rest.get(end + 1..).unwrap_or_default();
        if rest.first() == Some(&b':') {
            if compressed {
                return false;
            }
            compressed = true;
            rest = rest.get(1..).unwrap_or_default();
            if rest.is_empty() {
                break;
            }
        } else if rest.is_empty() {
            return false;
        }
    }
    if compressed {
        groups < 8
    } else {
        groups == 8
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_as_the_whatwg_parser_sees_them() {
        for good in [
            "http://127.0.0.1:8787",
            "https://dms-enterprise.cn-hangzhou.aliyuncs.com",
            "http://[::1]:80",
            "http://[1:2:3:4:5:6:7:8]",
            "http://[::ffff:1.2.3.4]",
            "http://[2001:db8::1]",
            "http://[1::]",
            "http://[::]",
            "http://a1.b2",
            "http://localhost",
        ] {
            assert!(normalize_endpoint(good).is_some(), "{good}");
        }
        for bad in [
            "http://[1:2]",
            "http://[1:2:3:4:5:6:7:8:9]",
            "http://[::1::2]",
            "http://[1:]",
            "http://[:1]",
            "http://[1:2:3:4:5:6:7::8]",
            "http://[12345::]",
            "http://[fe80::1%25eth0]",
            "http://256.1.1.1",
            "http://1.2.3.4.5",
            "http://1.2.3",
            "http://127.1",
            "http://0x7f.0.0.1",
            "http://01.2.3.4",
            "http://example.123",
            "http://xn--a.example",
            "http://a.XN--nxasmq6b",
        ] {
            assert!(normalize_endpoint(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn ids() {
        assert_eq!(parse_id("0"), Some(0));
        assert_eq!(parse_id("7"), Some(7));
        assert_eq!(parse_id("9223372036854775807"), Some(MAX_ID));
        for bad in [
            "",
            "00",
            "07",
            "+7",
            "-1",
            "0x1f",
            "1e3",
            " 7",
            "7 ",
            "9223372036854775808",
            "99999999999999999999999",
            "１",
        ] {
            assert_eq!(parse_id(bad), None, "{bad}");
        }
        assert_eq!(id_from_f64(47.0), Some(47));
        assert_eq!(id_from_f64(MAX_SAFE_INTEGER), Some(9_007_199_254_740_991));
        for bad in [
            -1.0,
            1.5,
            f64::NAN,
            f64::INFINITY,
            MAX_SAFE_INTEGER + 1.0,
            -0.5,
        ] {
            assert_eq!(id_from_f64(bad), None, "{bad}");
        }
        assert_eq!(id_to_string(0), "0");
        assert_eq!(id_to_string(MAX_ID), "9223372036854775807");
        assert_eq!(id_to_string(u64::MAX), "18446744073709551615");
    }

    #[test]
    fn regions() {
        assert!(is_valid_region_id("cn-hangzhou"));
        assert!(is_valid_region_id("ap-southeast-1"));
        for bad in [
            "",
            "CN-hangzhou",
            "cn.hangzhou",
            "evil.com/",
            "a b",
            "-cn",
            "cn-",
            "x@y",
        ] {
            assert!(!is_valid_region_id(bad), "{bad}");
        }
        assert_eq!(
            regional_endpoint(Some("cn-hangzhou")),
            "https://dms-enterprise.cn-hangzhou.aliyuncs.com"
        );
    }

    #[test]
    fn endpoints() {
        assert_eq!(
            normalize_endpoint("http://127.0.0.1:8080").as_deref(),
            Some("http://127.0.0.1:8080")
        );
        assert_eq!(
            normalize_endpoint("HTTPS://Example.com/").as_deref(),
            Some("https://example.com")
        );
        assert_eq!(
            normalize_endpoint("http://[::1]:9000").as_deref(),
            Some("http://[::1]:9000")
        );
        for bad in [
            "",
            "ftp://x",
            "javascript:alert(1)",
            "http://",
            "http://a/b",
            "http://a?x",
            "http://a#x",
            "http://u:p@a",
            "http://a:0",
            "http://a:65536",
            "http://a:",
            "http://a b",
            "//a",
            "http://a..b",
            "http://[::1",
            "http://a:80:80",
        ] {
            assert_eq!(normalize_endpoint(bad), None, "{bad}");
        }
    }
}
