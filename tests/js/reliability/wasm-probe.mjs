/**
 * Reaches the package's wasm instance from outside: the wasm-bindgen glue
 * keeps it in a module-private variable, so this wraps the global
 * `WebAssembly.Instance` constructor (which the glue calls for the Node and
 * the Workers builds alike) and remembers every instance made afterwards.
 *
 * Import it BEFORE the package. No Node APIs: the worker fixture bundles it too.
 */
const instances = [];
const Original = WebAssembly.Instance;

WebAssembly.Instance = new Proxy(Original, {
  construct(target, args, newTarget) {
    const instance = Reflect.construct(target, args, newTarget);
    instances.push({ instance, imports: Object.keys(args[1] ?? {}) });
    return instance;
  },
});

/**
 * The package's instance: the one whose import object is the glue's
 * `./dms_rerun_bg.js` module (export names change with the code; other wasm,
 * such as undici's HTTP parser in Node, imports something else).
 */
function packageInstance() {
  return instances.find((i) => i.imports.some((name) => name.includes('dms_rerun')))?.instance;
}

/**
 * `{memoryBytes, externrefs}` of the package's instance: linear memory size
 * (it only grows, so a leak shows as growth) and the length of wasm-bindgen's
 * externref table (JS values held by Rust; grows if handles leak). Null if
 * the package was loaded before this probe.
 */
export function wasmStats() {
  const instance = packageInstance();
  if (!instance) return null;
  const { memory, __wbindgen_externrefs: table } = instance.exports;
  return {
    memoryBytes: memory instanceof WebAssembly.Memory ? memory.buffer.byteLength : null,
    externrefs: table instanceof WebAssembly.Table ? table.length : null,
  };
}
