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
/// in `[0, min(cap, base·2^(retry-1)))`, or the server's hint when it gave
/// one. `None` when the hint is above [`MAX_HINT_MS`]: the call fails with
/// the server's answer instead of hanging for minutes.
///
/// `unit` is a random number in `[0, 1)`.
pub fn backoff_ms(retry: u32, unit: f64, hint_ms: Option<u32>) -> Option<f64> {
    if let Some(hint) = hint_ms {
        let hint = f64::from(hint);
        return (hint <= MAX_HINT_MS).then_some(hint);
    }
    let ceiling =
        (BASE_DELAY_MS * f64::from(1u32 << retry.clamp(1, 16).saturating_sub(1))).min(MAX_DELAY_MS);
    Some(ceiling * unit.clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jitter_is_bounded_and_capped() {
        assert_eq!(backoff_ms(1, 0.0, None), Some(0.0));
        assert!(backoff_ms(1, 0.999, None).is_some_and(|d| d < 200.0));
        assert!(backoff_ms(3, 0.999, None).is_some_and(|d| d < 800.0));
        assert!(backoff_ms(30, 0.999, None).is_some_and(|d| d <= MAX_DELAY_MS));
        assert_eq!(backoff_ms(2, 0.5, Some(1500)), Some(1500.0));
        assert_eq!(backoff_ms(2, 0.5, Some(60_000)), Some(MAX_HINT_MS));
        assert_eq!(backoff_ms(2, 0.5, Some(60_001)), None);
    }
}
