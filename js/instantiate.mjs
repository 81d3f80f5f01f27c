// Instantiates the module synchronously against wasm-bindgen's `bundler`
// glue (the one target whose glue never locates the .wasm itself: no
// `import.meta.url`, no `fs`, no fetch). This is what its generated
// dms_rerun.js does with `import * as wasm from "./dms_rerun_bg.wasm"`;
// scripts/build.mjs checks that file still says exactly that.
import * as glue from './dms_rerun_bg.js';

/** @param {WebAssembly.Module} module  @returns the initialised glue module */
export function instantiate(module) {
  // The wasm imports every JS function from the glue, under the module name
  // wasm-bindgen gave it (also how tests/js/reliability/wasm-probe.mjs finds it).
  const { exports } = new WebAssembly.Instance(module, { './dms_rerun_bg.js': glue });
  glue.__wbg_set_wasm(exports);
  exports.__wbindgen_start();
  return glue;
}
