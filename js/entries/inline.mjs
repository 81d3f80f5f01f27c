// The entry for every runtime but workerd (browsers, bundlers, Node, Deno,
// Bun, Vercel Edge): the .wasm travels inside this file as a string with one
// char per byte, and is compiled synchronously at import. No top-level await,
// no `import.meta.url`, no file next to the bundle to find, so any bundler
// (or none) and any output format work with zero configuration. Chromium
// allows synchronous compilation on the main thread up to 8 MB (measured in
// Chromium 156); this module is tens of KB.
//
// Built twice by scripts/build.mjs: dist/web/index.mjs (ESM) and
// dist/node/index.cjs (CommonJS).
import wasm from '../wasm-bytes.mjs';
import { instantiate } from '../instantiate.mjs';
import { bind, DmsError, ErrorKind, ErrorCode } from '../api.mjs';

function bytesOf(text) {
  const bytes = new Uint8Array(text.length);
  let all = 0;
  for (let i = 0; i < text.length; i++) all |= bytes[i] = text.charCodeAt(i);
  // A char above U+00FF means the script was decoded with another charset
  // than UTF-8 (a classic <script> on a non-UTF-8 page, served without
  // `charset`). Say so, rather than fail with an obscure CompileError. (A
  // check on the string's length would not do: minifiers fold it away.)
  if (all > 0xff) throw new Error('dms-rerun: this script was not decoded as UTF-8, which corrupts the wasm in it; serve it with charset=utf-8');
  return bytes;
}

export { DmsError, ErrorKind, ErrorCode };
export const {
  rerunTaskFlowInstance,
  signRerunTaskFlowInstance,
  listTaskFlowInstances,
  iterateTaskFlowInstances,
  signListTaskFlowInstances,
} = bind(instantiate(new WebAssembly.Module(bytesOf(wasm))));
