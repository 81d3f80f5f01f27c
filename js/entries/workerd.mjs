// Cloudflare Workers entry: wrangler (and Miniflare) hand an imported .wasm
// over as a compiled WebAssembly.Module, the only way Workers accept wasm
// (compiling bytes at runtime is forbidden there). Instantiating a compiled
// module synchronously is allowed.
import wasmModule from './dms_rerun_bg.wasm';
import { instantiate } from '../instantiate.mjs';
import { bind, DmsError, ErrorKind, ErrorCode } from '../api.mjs';

export { DmsError, ErrorKind, ErrorCode };
export const {
  rerunTaskFlowInstance,
  signRerunTaskFlowInstance,
  listTaskFlowInstances,
  iterateTaskFlowInstances,
  signListTaskFlowInstances,
} = bind(instantiate(wasmModule));
