//! Signed client for Alibaba Cloud DMS Enterprise `ReRunTaskFlowInstance` and
//! `ListTaskFlowInstance` (API version 2018-11-01), built for WebAssembly.
//!
//! Layers, arrows pointing one way:
//! [`encode`] → [`sign`] (pure RPC signature 1.0) → [`params`] and
//! [`operation`] (each operation's parameters as a table, and their
//! validation) and [`request`] (the signed request) → [`json`], [`response`]
//! and [`list`] (what an answer means) → `wasm` (the JS bindings: reading the
//! caller's input, issuing `fetch`, judging, the retry decision; only on
//! `wasm32`). Everything but `wasm` builds and tests natively.
#![cfg_attr(all(target_arch = "wasm32", not(feature = "std")), no_std)]
#![warn(missing_docs, unreachable_pub)]
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

extern crate alloc;

pub mod clock;
pub mod encode;
pub mod error;
pub mod json;
pub mod list;
pub mod operation;
pub mod params;
pub mod request;
pub mod response;
pub mod retry;
pub mod sign;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

/// The shipped wasm has no std, so no panic formatting: a panic (there are
/// none on purpose — every path returns `DmsError`) traps instead.
#[cfg(all(target_arch = "wasm32", not(feature = "std")))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}

/// Without std an allocator has to be named; talc is a few KB smaller than
/// std's dlmalloc and faster on wasm.
#[cfg(all(target_arch = "wasm32", not(feature = "std")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
