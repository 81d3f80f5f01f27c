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
    let mut rest = input;
    while !rest.is_empty() {
        let run = rest.bytes().take_while(|&b| is_unreserved(b)).count();
        let (literal, tail) = rest.split_at_checked(run).unwrap_or((rest, ""));
        out.push_str(literal);
        let mut chars = tail.chars();
        if let Some(c) = chars.next() {
            let mut utf8 = [0u8; 4];
            for &byte in c.encode_utf8(&mut utf8).as_bytes() {
                let escape = [b'%', hex_digit(byte >> 4), hex_digit(byte & 0x0f)];
                out.push_str(core::str::from_utf8(&escape).unwrap_or_default());
            }
        }
        rest = chars.as_str();
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
