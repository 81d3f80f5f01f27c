// Browser entry (plain ESM and bundlers): fetches and instantiates the wasm
// once at import, so callers need no init step.
import init, * as glue from './dms_rerun.js';
import { bind, DmsError, ErrorKind, ErrorCode } from './api.mjs';

await init({ module_or_path: new URL('./dms_rerun_bg.wasm', import.meta.url) });

export { DmsError, ErrorKind, ErrorCode };
export const {
  rerunTaskFlowInstance, signRerunTaskFlowInstance, listTaskFlowInstances, iterateTaskFlowInstances, signListTaskFlowInstances,
} = bind(glue);
