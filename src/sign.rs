//! RPC signature 1.0 (HMAC-SHA1): canonical query, string to sign, signature.
//!
//! Pure functions of their inputs: no clock, no randomness, no transport, so
//! every byte can be checked natively against published vectors and the
//! official signer.

use alloc::string::String;
use alloc::vec::Vec;

use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;

use crate::encode::percent_encode_into;

/// HTTP method the request is signed for (it is part of the string to sign).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// Alibaba's definition of the operation: parameters in the query, empty body.
    Post,
    /// Same query, no body.
    Get,
}

impl Method {
    /// The method as it appears on the wire and in the string to sign.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Post => "POST",
            Method::Get => "GET",
        }
    }
}

/// Everything signing produced; the query already ends with `&Signature=…`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature {
    /// Sorted, encoded `k=v` pairs joined by `&` (without `Signature`).
    pub canonical_query: String,
    /// `METHOD&%2F&` + enc(canonical query).
    pub string_to_sign: String,
    /// base64(HMAC-SHA1(secret + "&", string to sign)).
    pub signature: String,
    /// The canonical query followed by the encoded `Signature` pair.
    pub query: String,
}

/// Builds the canonical query: pairs sorted by key bytes, each side encoded.
///
/// Keys are sorted before encoding; for the unreserved ASCII keys Alibaba
/// uses the two orders agree.
pub fn canonical_query(params: &mut [(&str, &str)]) -> String {
    sort_by_key(params);
    canonical_query_sorted(params)
}

/// Sorts pairs by the bytes of their keys (the canonical order), stably.
///
/// An insertion sort: a call has at most ~20 parameters, and the standard
/// library's sort costs ~2.5 KB of wasm.
fn sort_by_key(params: &mut [(&str, &str)]) {
    for i in 1..params.len() {
        let mut j = i;
        while j > 0 {
            let (Some(a), Some(b)) = (params.get(j - 1), params.get(j)) else {
                break;
            };
            if a.0.as_bytes() <= b.0.as_bytes() {
                break;
            }
            params.swap(j - 1, j);
            j -= 1;
        }
    }
}

/// [`canonical_query`] for pairs already in key order.
pub fn canonical_query_sorted(params: &[(&str, &str)]) -> String {
    let mut out =
        String::with_capacity(params.iter().map(|(k, v)| k.len() + v.len() * 2 + 2).sum());
    for (i, (key, value)) in params.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        percent_encode_into(&mut out, key);
        out.push('=');
        percent_encode_into(&mut out, value);
    }
    out
}

/// `METHOD&%2F&` + enc(canonical query): the path is always `/`.
pub fn string_to_sign(method: Method, canonical_query: &str) -> String {
    let mut out = String::with_capacity(canonical_query.len() * 5 / 4 + 8);
    out.push_str(method.as_str());
    out.push_str("&%2F&");
    percent_encode_into(&mut out, canonical_query);
    out
}

/// base64(HMAC-SHA1(key = `secret` + "&", `string_to_sign`)).
pub fn hmac_sha1_base64(secret: &str, string_to_sign: &str) -> String {
    let mut key = Vec::with_capacity(secret.len() + 1);
    key.extend_from_slice(secret.as_bytes());
    key.push(b'&');
    // HMAC accepts keys of any length, so `new_from_slice` cannot fail; the
    // empty-key fallback only exists to avoid a panic path.
    let mut mac = match Hmac::<Sha1>::new_from_slice(&key) {
        Ok(mac) => mac,
        Err(_) => return String::new(),
    };
    mac.update(string_to_sign.as_bytes());
    base64(&mac.finalize().into_bytes())
}

/// Standard base64 with padding. A 20-byte digest needs a dozen lines, not a
/// crate: the `base64` crate's engine cost ~3 KB of wasm (tables and panic
/// paths); this is checked against the official signer on thousands of inputs.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let sextet = |v: u32| char::from(ALPHABET.get((v & 63) as usize).copied().unwrap_or(b'='));
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = |i: usize| u32::from(chunk.get(i).copied().unwrap_or(0));
        let n = (b(0) << 16) | (b(1) << 8) | b(2);
        out.push(sextet(n >> 18));
        out.push(sextet(n >> 12));
        out.push(if chunk.len() > 1 { sextet(n >> 6) } else { '=' });
        out.push(if chunk.len() > 2 { sextet(n) } else { '=' });
    }
    out
}

/// Signs `params` (every parameter except `Signature`) for `method`.
pub fn sign(method: Method, params: &mut [(&str, &str)], secret: &str) -> Signature {
    sort_by_key(params);
    sign_sorted(method, params, secret)
}

/// [`sign`] for pairs already sorted by key bytes.
pub fn sign_sorted(method: Method, params: &[(&str, &str)], secret: &str) -> Signature {
    let canonical_query = canonical_query_sorted(params);
    let string_to_sign = string_to_sign(method, &canonical_query);
    let signature = hmac_sha1_base64(secret, &string_to_sign);
    let mut query = String::with_capacity(canonical_query.len() + 11 + signature.len() * 2);
    query.push_str(&canonical_query);
    query.push_str("&Signature=");
    percent_encode_into(&mut query, &signature);
    Signature {
        canonical_query,
        string_to_sign,
        signature,
        query,
    }
}

#[cfg(test)]
mod tests {
    use super::base64;

    #[test]
    fn base64_matches_rfc4648_vectors() {
        for (input, expected) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(input.as_bytes()), expected);
        }
        assert_eq!(base64(&[0xfb, 0xff, 0xfe]), "+//+");
    }
}
