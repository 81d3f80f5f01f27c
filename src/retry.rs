//! When and how long to wait before re-sending.
//!
//! A rerun is not idempotent, so only answers that prove the request was
//! refused before it ran (throttling, 503) are retried; the decision lives on
//! the error (`retryable`), the timing here.

/// First backoff ceiling; doubles each retry.
pub const BASE_DELAY_MS: f64 = 200.0;
/// No single wait is longer than this unless the server asks for it.
pub const MAX_DELAY_MS: f64 = 5_000.0;
/// A server hint above this is not honoured (the call fails instead).
pub const MAX_HINT_MS: f64 = 60_000.0;

/// Full-jitter backoff before retry number `retry` (1-based): a uniform draw
/// in `[0, min(cap, base·2^(retry-1)))`, or the server's hint when it gave one.
///
/// `unit` is a random number in `[0, 1)`.
pub fn backoff_ms(retry: u32, unit: f64, hint_ms: Option<u32>) -> f64 {
    if let Some(hint) = hint_ms {
        return f64::from(hint).min(MAX_HINT_MS);
    }
    let ceiling =
        (BASE_DELAY_MS * f64::from(1u32 << retry.clamp(1, 16).saturating_sub(1))).min(MAX_DELAY_MS);
    ceiling * unit.clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jitter_is_bounded_and_capped() {
        assert_eq!(backoff_ms(1, 0.0, None), 0.0);
        assert!(backoff_ms(1, 0.999, None) < 200.0);
        assert!(backoff_ms(3, 0.999, None) < 800.0);
        assert!(backoff_ms(30, 0.999, None) <= MAX_DELAY_MS);
        assert_eq!(backoff_ms(2, 0.5, Some(1500)), 1500.0);
        assert_eq!(backoff_ms(2, 0.5, Some(900_000)), MAX_HINT_MS);
    }
}
