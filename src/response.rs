//! What an answer means: success, an API or gateway error, or garbage.
//!
//! The JSON is read by `crate::json` (exact, own keys only); this module
//! judges the fields it found, so the rules are pure and tested natively.

use alloc::string::String;

use crate::error::{DmsError, Kind};
use crate::json::{Json, ObjectWriter};

/// Bodies above this are refused without being buffered whole.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The fields of a parsed body that matter; `None` when absent or not of the
/// expected JSON type.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Fields {
    /// `RequestId`.
    pub request_id: Option<String>,
    /// `Success` (API answers).
    pub success: Option<bool>,
    /// `ErrorCode` (API answers).
    pub error_code: Option<String>,
    /// `ErrorMessage` (API answers).
    pub error_message: Option<String>,
    /// `Code` (gateway errors).
    pub code: Option<String>,
    /// `Message` (gateway errors).
    pub message: Option<String>,
    /// `Recommend` (gateway errors).
    pub recommend: Option<String>,
}

/// The body as far as the transport could read it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Body {
    /// A JSON object.
    Object(Fields),
    /// Empty, not UTF-8, not JSON, or JSON that is not an object.
    NotJson,
    /// Longer than [`MAX_BODY_BYTES`].
    TooLarge,
}

/// A successful rerun.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rerun {
    /// `RequestId` (empty if the API left it out).
    pub request_id: String,
    /// `ErrorCode`, which the API may send even on success.
    pub error_code: Option<String>,
    /// `ErrorMessage`, likewise.
    pub error_message: Option<String>,
}

/// Judges an answer. `retry_after_ms` is the server's hint, kept on the error.
pub fn classify(status: u16, body: Body, retry_after_ms: Option<u32>) -> Result<Rerun, DmsError> {
    let ok = (200..300).contains(&status);
    let fields = match body {
        Body::Object(fields) => fields,
        Body::TooLarge => {
            return Err(http_error(
                Kind::InvalidResponse,
                "InvalidResponse.TooLarge",
                "response body is larger than 1 MiB",
                status,
                retry_after_ms,
            ))
        }
        Body::NotJson => {
            let message = if ok {
                "response body is not JSON"
            } else {
                "HTTP error with a body that is not JSON"
            };
            return Err(http_error(
                Kind::InvalidResponse,
                "InvalidResponse.NotJson",
                message,
                status,
                retry_after_ms,
            ));
        }
    };
    if ok {
        return match fields.success {
            Some(true) => Ok(Rerun {
                request_id: fields.request_id.unwrap_or_default(),
                error_code: fields.error_code.filter(|c| !c.is_empty()),
                error_message: fields.error_message.filter(|m| !m.is_empty()),
            }),
            Some(false) => {
                let code = fields
                    .error_code
                    .filter(|c| !c.is_empty())
                    .unwrap_or_else(|| String::from("UnknownError"));
                let message = fields
                    .error_message
                    .filter(|m| !m.is_empty())
                    .unwrap_or_else(|| String::from("the API answered Success: false"));
                let mut err = http_error(Kind::Api, code, message, status, retry_after_ms);
                err.request_id = fields.request_id;
                Err(err)
            }
            None => {
                let mut err = http_error(
                    Kind::InvalidResponse,
                    "InvalidResponse.MissingSuccess",
                    "response has no boolean Success field",
                    status,
                    retry_after_ms,
                );
                err.request_id = fields.request_id;
                Err(err)
            }
        };
    }
    let (kind, code, message) = match fields.code.filter(|c| !c.is_empty()) {
        Some(code) => {
            let message = fields
                .message
                .filter(|m| !m.is_empty())
                .unwrap_or_else(|| String::from("the gateway refused the request"));
            (Kind::Api, code, message)
        }
        None => (
            Kind::InvalidResponse,
            String::from("InvalidResponse.MissingCode"),
            String::from("HTTP error without a Code field"),
        ),
    };
    let mut err = http_error(kind, code, message, status, retry_after_ms);
    err.request_id = fields.request_id;
    err.recommend = fields.recommend;
    Err(err)
}

/// An error from an answer: status kept, retryability decided here.
fn http_error(
    kind: Kind,
    code: impl Into<String>,
    message: impl Into<String>,
    status: u16,
    retry_after_ms: Option<u32>,
) -> DmsError {
    let mut err = DmsError::new(kind, code, message);
    err.http_status = Some(status);
    err.retryable = status == 503 || err.code.starts_with("Throttling");
    err.retry_after_ms = retry_after_ms;
    err
}

/// Replaces every occurrence of `secret` in `message` — verbatim, encoded
/// once and encoded twice (the gateway quotes its string to sign, where the
/// STS token appears double-encoded) — with `[redacted]`.
pub fn redact(message: &str, secret: &str) -> String {
    let once = crate::encode::percent_encode(secret);
    let twice = crate::encode::percent_encode(&once);
    let mut out = String::from(message);
    for form in [twice.as_str(), once.as_str(), secret] {
        out = replace_all(&out, form, "[redacted]");
    }
    out
}

/// Whether `needle` occurs in `text` (byte comparison: `str::contains`'s
/// two-way searcher costs kilobytes of wasm).
pub fn contains(text: &str, needle: &str) -> bool {
    let needle = needle.as_bytes();
    !needle.is_empty() && text.as_bytes().windows(needle.len()).any(|w| w == needle)
}

/// Naive substring replacement: messages are short, and `str::replace`'s
/// two-way searcher costs kilobytes of wasm.
fn replace_all(text: &str, needle: &str, with: &str) -> String {
    let (hay, pat) = (text.as_bytes(), needle.as_bytes());
    if pat.is_empty() || pat.len() > hay.len() {
        return String::from(text);
    }
    let mut out = String::with_capacity(text.len());
    let (mut start, mut i) = (0, 0);
    while i + pat.len() <= hay.len() {
        if hay.get(i..i + pat.len()) == Some(pat) {
            out.push_str(text.get(start..i).unwrap_or_default());
            out.push_str(with);
            i += pat.len();
            start = i;
        } else {
            i += 1;
        }
    }
    out.push_str(text.get(start..).unwrap_or_default());
    out
}

/// Reads the server's wait hint: `x-acs-retry-after` in milliseconds (what
/// Alibaba's gateway sends), else `Retry-After` in seconds.
pub fn retry_after_ms(acs_retry_after: Option<&str>, retry_after: Option<&str>) -> Option<u32> {
    let parse = |text: &str| -> Option<u32> {
        let text = text.trim_ascii();
        (text.len() <= 9)
            .then(|| crate::params::parse_digits(text))
            .flatten()
            .and_then(|value| u32::try_from(value).ok())
    };
    acs_retry_after.and_then(parse).or_else(|| {
        retry_after
            .and_then(parse)
            .map(|secs| secs.saturating_mul(1000))
    })
}

/// The fields [`classify`] judges, from a parsed answer: each present only
/// when it has the expected JSON type.
pub fn fields_of(answer: &Json<'_>) -> Fields {
    let text = |key| answer.get(key).and_then(Json::text);
    Fields {
        request_id: text("RequestId"),
        success: answer.get("Success").and_then(Json::flag),
        error_code: text("ErrorCode"),
        error_message: text("ErrorMessage"),
        code: text("Code"),
        message: text("Message"),
        recommend: text("Recommend"),
    }
}

/// The rerun's result `{requestId, success: true, errorCode?, errorMessage?}` as JSON text.
pub fn rerun_result(rerun: &Rerun) -> String {
    let mut out = ObjectWriter::default();
    out.string("requestId", &rerun.request_id);
    out.raw("success", "true");
    if let Some(code) = &rerun.error_code {
        out.string("errorCode", code);
    }
    if let Some(message) = &rerun.error_message {
        out.string("errorMessage", message);
    }
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(json: &[(&str, &str)]) -> Fields {
        let get = |k: &str| {
            json.iter()
                .find(|(key, _)| *key == k)
                .map(|(_, v)| String::from(*v))
        };
        Fields {
            request_id: get("RequestId"),
            success: get("Success").map(|s| s == "true"),
            error_code: get("ErrorCode"),
            error_message: get("ErrorMessage"),
            code: get("Code"),
            message: get("Message"),
            recommend: get("Recommend"),
        }
    }

    #[test]
    fn success_keeps_request_id_and_codes() {
        let rerun = classify(
            200,
            Body::Object(fields(&[
                ("RequestId", "R1"),
                ("Success", "true"),
                ("ErrorCode", "UnknownError"),
            ])),
            None,
        );
        assert_eq!(
            rerun,
            Ok(Rerun {
                request_id: "R1".into(),
                error_code: Some("UnknownError".into()),
                error_message: None
            })
        );
    }

    #[test]
    fn success_false_is_an_api_error() {
        let err = classify(
            200,
            Body::Object(fields(&[
                ("RequestId", "R2"),
                ("Success", "false"),
                ("ErrorCode", "InstanceNotExist"),
            ])),
            None,
        )
        .err()
        .unwrap_or_else(|| DmsError::new(Kind::Network, "", ""));
        assert_eq!(
            (
                err.kind,
                err.code.as_str(),
                err.http_status,
                err.request_id.as_deref()
            ),
            (Kind::Api, "InstanceNotExist", Some(200), Some("R2"))
        );
        assert!(!err.retryable);
    }

    #[test]
    fn gateway_errors() {
        let body = Body::Object(fields(&[
            ("RequestId", "R3"),
            ("Code", "Throttling.User"),
            ("Message", "m"),
            ("Recommend", "https://r"),
        ]));
        let err = classify(400, body, Some(1500))
            .err()
            .unwrap_or_else(|| DmsError::new(Kind::Network, "", ""));
        assert_eq!(
            (
                err.kind,
                err.code.as_str(),
                err.retryable,
                err.retry_after_ms
            ),
            (Kind::Api, "Throttling.User", true, Some(1500))
        );
        assert_eq!(err.recommend.as_deref(), Some("https://r"));
        let err = classify(503, Body::NotJson, None)
            .err()
            .unwrap_or_else(|| DmsError::new(Kind::Network, "", ""));
        assert_eq!(
            (err.kind, err.retryable, err.http_status),
            (Kind::InvalidResponse, true, Some(503))
        );
        let err = classify(500, Body::NotJson, None)
            .err()
            .unwrap_or_else(|| DmsError::new(Kind::Network, "", ""));
        assert!(!err.retryable);
        let err = classify(200, Body::Object(Fields::default()), None)
            .err()
            .unwrap_or_else(|| DmsError::new(Kind::Network, "", ""));
        assert_eq!(err.code, "InvalidResponse.MissingSuccess");
        let err = classify(200, Body::TooLarge, None)
            .err()
            .unwrap_or_else(|| DmsError::new(Kind::Network, "", ""));
        assert_eq!(err.code, "InvalidResponse.TooLarge");
    }

    #[test]
    fn redacts_every_encoding_of_a_token() {
        let token = "CAIS+demo/token==";
        let message = "server string to sign is:POST&%2F&SecurityToken%3DCAIS%252Bdemo%252Ftoken%253D%253D%26X";
        assert_eq!(
            redact(message, token),
            "server string to sign is:POST&%2F&SecurityToken%3D[redacted]%26X"
        );
        assert_eq!(
            redact("raw CAIS+demo/token== and CAIS%2Bdemo%2Ftoken%3D%3D", token),
            "raw [redacted] and [redacted]"
        );
        assert_eq!(redact("nothing here", token), "nothing here");
    }

    #[test]
    fn retry_after_header_units() {
        assert_eq!(retry_after_ms(Some("1500"), Some("9")), Some(1500));
        assert_eq!(retry_after_ms(None, Some("2")), Some(2000));
        assert_eq!(retry_after_ms(Some("soon"), Some(" 3 ")), Some(3000));
        assert_eq!(
            retry_after_ms(None, Some("Wed, 21 Oct 2015 07:28:00 GMT")),
            None
        );
        assert_eq!(retry_after_ms(Some("-1"), None), None);
    }
}
