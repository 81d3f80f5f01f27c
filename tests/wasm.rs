//! The wasm boundary, called with real JS values: `inputFields`, `refuse`,
//! `maxBodyBytes` and one `Call` per call (read and validate once → preview
//! or send → judge → stopped → retryDelay), exactly as `js/api.mjs` drives it.
//!
//! No `wasm_bindgen_test_configure!` on purpose: without it the runner uses
//! Node, and `WASM_BINDGEN_USE_BROWSER=1` runs the very same tests in headless
//! Chromium. `fetch` is a test double that returns real `Response` objects:
//! this layer checks what crosses the boundary; the awaiting, the timer and
//! real HTTP live in `js/api.mjs` and are tested by the JS layers.
#![cfg(target_arch = "wasm32")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "wasm/support.rs"]
mod support;

#[path = "wasm/input.rs"]
mod input;
#[path = "wasm/judge.rs"]
mod judge;
#[path = "wasm/list.rs"]
mod list;
#[path = "wasm/retry.rs"]
mod retry;
#[path = "wasm/send.rs"]
mod send;
#[path = "wasm/signing.rs"]
mod signing;
#[path = "wasm/stopped.rs"]
mod stopped;
#[path = "wasm/stress.rs"]
mod stress;
