//! The one error type every failure becomes.
//!
//! Messages are built by concatenation, never `format!`: `core::fmt` costs
//! kilobytes of wasm. No constructor here takes the secret, the signature or
//! the signed URL, so none can leak into a message.

use alloc::string::String;

/// What went wrong, from the caller's point of view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Bad config or request; nothing was sent.
    InvalidInput,
    /// The request could not be sent or the answer could not be read.
    Network,
    /// `timeoutMs` ran out (the rerun may still have happened).
    Timeout,
    /// The caller's `AbortSignal` fired.
    Aborted,
    /// The gateway or the API said no.
    Api,
    /// An answer that is not the expected JSON.
    InvalidResponse,
}

impl Kind {
    /// The name JS callers see in `err.kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::InvalidInput => "InvalidInput",
            Kind::Network => "Network",
            Kind::Timeout => "Timeout",
            Kind::Aborted => "Aborted",
            Kind::Api => "Api",
            Kind::InvalidResponse => "InvalidResponse",
        }
    }
}

/// A failure with everything a caller needs to decide what to do next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DmsError {
    /// Broad category.
    pub kind: Kind,
    /// Precise code: `InvalidParameter.DagId`, the gateway's `Code`, the API's `ErrorCode`…
    pub code: String,
    /// Human-readable explanation, free of secrets.
    pub message: String,
    /// The gateway's `RequestId`, when an answer carried one.
    pub request_id: Option<String>,
    /// HTTP status of the answer, when there was one.
    pub http_status: Option<u16>,
    /// The gateway's `Recommend` troubleshooting link.
    pub recommend: Option<String>,
    /// Whether the same request may succeed if sent again (throttling, 503).
    pub retryable: bool,
    /// How many requests were sent, when any were.
    pub attempts: Option<u32>,
    /// Milliseconds the server asked us to wait before retrying.
    pub retry_after_ms: Option<u32>,
}

impl DmsError {
    /// An error of `kind` with `code` and `message`, nothing else set.
    pub fn new(kind: Kind, code: impl Into<String>, message: impl Into<String>) -> Self {
        DmsError {
            kind,
            code: code.into(),
            message: message.into(),
            request_id: None,
            http_status: None,
            recommend: None,
            retryable: false,
            attempts: None,
            retry_after_ms: None,
        }
    }

    /// Bad input in `field`: code `InvalidParameter.<Field>`, message `<field> <problem>`.
    pub fn invalid(field: &str, problem: &str) -> Self {
        let mut code = String::with_capacity(17 + field.len());
        code.push_str("InvalidParameter.");
        let mut chars = field.chars();
        if let Some(first) = chars.next() {
            code.push(first.to_ascii_uppercase());
            code.push_str(chars.as_str());
        }
        let mut message = String::with_capacity(field.len() + problem.len() + 1);
        message.push_str(field);
        message.push(' ');
        message.push_str(problem);
        DmsError::new(Kind::InvalidInput, code, message)
    }
}
