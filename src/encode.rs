//! Alibaba's RPC percent-encoding.
//!
//! The gateway rebuilds the string to sign from the bytes it received, so one
//! differently-encoded byte is a `SignatureDoesNotMatch`. Only the RFC 3986
//! unreserved set stays literal; everything else (space, `*`, `~`'s neighbours,
//! every non-ASCII UTF-8 byte) becomes `%XX` with uppercase hex.

use alloc::string::String;

/// Appends the percent-encoding of `input` to `out`.
///
/// The hot loop of signing: runs of unreserved bytes are copied whole, so
/// even at `opt-level = "z"` the work is a scan plus a few `memcpy`s, not a
/// function call per byte.
pub fn percent_encode_into(out: &mut String, input: &str) {
    // SAFETY: only ASCII bytes are appended (unreserved bytes and `%XX`), so
    // `out` stays valid UTF-8.
    let out = unsafe { out.as_mut_vec() };
    let mut rest = input.as_bytes();
    while !rest.is_empty() {
        let run = rest.iter().take_while(|&&b| is_unreserved(b)).count();
        let (literal, tail) = rest.split_at_checked(run).unwrap_or((rest, &[]));
        out.extend_from_slice(literal);
        let Some((&byte, tail)) = tail.split_first() else {
            break;
        };
        out.extend_from_slice(&[b'%', hex_digit(byte >> 4), hex_digit(byte & 0x0f)]);
        rest = tail;
    }
}

/// RFC 3986 unreserved: the only bytes Alibaba leaves literal.
#[inline(always)]
fn is_unreserved(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~')
}

/// Uppercase ASCII hex digit of a nibble (arithmetic, so no table index can panic).
#[inline(always)]
fn hex_digit(nibble: u8) -> u8 {
    if nibble < 10 {
        b'0' + nibble
    } else {
        b'A' + nibble - 10
    }
}

/// Returns the percent-encoding of `input`.
pub fn percent_encode(input: &str) -> String {
    let mut out = String::with_capacity(input.len() * 3 / 2);
    percent_encode_into(&mut out, input);
    out
}

#[cfg(test)]
mod tests {
    use super::percent_encode;

    #[test]
    fn keeps_only_unreserved() {
        assert_eq!(percent_encode("AZaz09-_.~"), "AZaz09-_.~");
        assert_eq!(percent_encode(" "), "%20");
        assert_eq!(percent_encode("*"), "%2A");
        assert_eq!(percent_encode("+/="), "%2B%2F%3D");
        assert_eq!(percent_encode("&"), "%26");
        assert_eq!(percent_encode("%"), "%25");
    }

    #[test]
    fn encodes_utf8_bytes() {
        assert_eq!(percent_encode("é"), "%C3%A9");
        assert_eq!(percent_encode("大"), "%E5%A4%A7");
        assert_eq!(percent_encode("🚀"), "%F0%9F%9A%80");
    }
}
