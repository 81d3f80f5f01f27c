// Cloudflare Workers entry: wrangler/Miniflare hand the imported .wasm over as
// a compiled WebAssembly.Module (compiling bytes at runtime is forbidden there).
import * as glue from '../web/dms_rerun.js';
import wasmModule from '../web/dms_rerun_bg.wasm';
import { bind, DmsError, ErrorKind, ErrorCode } from '../web/api.mjs';

glue.initSync({ module: wasmModule });

export { DmsError, ErrorKind, ErrorCode };
export const {
  rerunTaskFlowInstance, signRerunTaskFlowInstance, listTaskFlowInstances, iterateTaskFlowInstances, signListTaskFlowInstances,
} = bind(glue);
