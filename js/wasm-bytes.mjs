// Placeholder: scripts/build.mjs replaces this string literal, in the bundled
// entry, with the .wasm itself (one char per byte; see scripts/wasm-string.mjs).
export default 'DMS_RERUN_WASM_BYTES';
