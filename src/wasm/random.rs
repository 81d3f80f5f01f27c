//! Random bytes for nonces and backoff jitter, from `getrandom` in batches.
//!
//! Each `crypto.getRandomValues` call costs ~4 µs in Node (more than
//! signing's whole HMAC), so bytes are drawn 256 at a time and handed out 16
//! per nonce. They are still straight CSPRNG output, each byte used once.

use core::cell::UnsafeCell;

const POOL_BYTES: usize = 256;

struct Pool {
    bytes: [u8; POOL_BYTES],
    /// Bytes already handed out; `POOL_BYTES` means empty.
    used: usize,
}

/// The pool, touched only by [`fill`].
struct Shared(UnsafeCell<Pool>);

// SAFETY: wasm32-unknown-unknown without the `atomics` target feature is
// single-threaded, and `fill` never re-enters itself (getrandom calls JS, which
// cannot call back into this module synchronously).
unsafe impl Sync for Shared {}

static POOL: Shared = Shared(UnsafeCell::new(Pool {
    bytes: [0; POOL_BYTES],
    used: POOL_BYTES,
}));

/// Fills `out` (at most `POOL_BYTES` long) with random bytes.
pub(crate) fn fill(out: &mut [u8]) -> Result<(), getrandom::Error> {
    // SAFETY: see `Shared`; this is the only place the pool is borrowed.
    let pool = unsafe { &mut *POOL.0.get() };
    if POOL_BYTES - pool.used < out.len() {
        getrandom::fill(&mut pool.bytes)?;
        pool.used = 0;
    }
    let end = pool.used + out.len();
    let Some(chunk) = pool.bytes.get_mut(pool.used..end) else {
        return getrandom::fill(out);
    };
    for (to, from) in out.iter_mut().zip(chunk.iter_mut()) {
        *to = *from;
        // Never hand the same bytes out twice.
        *from = 0;
    }
    pool.used = end;
    Ok(())
}
