#!/usr/bin/env bash
# Every test layer, in order; the first failing layer fails `npm test`.
# Assumes scripts/setup.sh and scripts/build.mjs already ran (npm test does both).
set -euo pipefail
cd "$(dirname "$0")/.."

layer() { printf '\n=== %s ===\n' "$*"; }

layer "lint: cargo fmt --check, cargo clippy -D warnings (native and wasm32)"
cargo fmt --check
cargo clippy --quiet --all-targets -- -D warnings
cargo clippy --quiet --target wasm32-unknown-unknown --all-targets -- -D warnings

layer "native cargo test (signing vectors, encoding, validation)"
cargo test --quiet

layer "wasm-bindgen-test in Node"
cargo test --target wasm32-unknown-unknown --test wasm

layer "wasm-bindgen-test in headless Chromium"
bash scripts/setup.sh --browser
WASM_BINDGEN_USE_BROWSER=1 CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown --test wasm

layer "pack the npm package and install it into a consumer project"
node scripts/pack.mjs

layer "Node: emulator, signing oracle, ESM/CJS end to end, types"
node --test tests/emulator/*.test.mjs tests/js/*.test.mjs

layer "Chromium: pages through Playwright"
node --test tests/browser/*.test.mjs

layer "workerd: Worker through Miniflare"
node --test tests/worker/*.test.mjs

layer "Anywhere: publint + attw on the tarball, runtime × bundler matrix (Node, bundled servers, Chromium × 6, workerd, Vercel Edge, Deno, Bun)"
node --test tests/matrix/*.test.mjs
