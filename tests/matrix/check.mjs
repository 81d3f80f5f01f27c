/**
 * What every matrix cell's consumer code runs, in the runtime under test,
 * with the package as that runtime's tool resolved it. Its source text is
 * pasted into each cell's entry file (so it must stay self-contained: no
 * imports, no closures, no top-level await), and its input and output are
 * plain JSON so they cross into pages, isolates and child processes.
 *
 * input:  { vectors: [{config, request, overrides}], config, request }
 * output: { types: {name: typeof}, signatures: [...], rerun: {ok, result|error}, invalid: {...} }
 */
export function check(dms, input) {
  const names = [
    'rerunTaskFlowInstance', 'signRerunTaskFlowInstance', 'listTaskFlowInstances', 'iterateTaskFlowInstances',
    'signListTaskFlowInstances', 'DmsError', 'ErrorKind', 'ErrorCode',
  ];
  const out = { types: {}, signatures: [], rerun: null, invalid: null };
  for (const name of names) out.types[name] = name in dms ? typeof dms[name] : 'missing';
  for (const v of input.vectors) out.signatures.push(dms.signRerunTaskFlowInstance(v.config, v.request, v.overrides).signature);
  try {
    dms.signRerunTaskFlowInstance(input.config, { dagId: 'abc', dagInstanceId: '1', dagVersion: '1' });
    out.invalid = { threw: false };
  } catch (e) {
    out.invalid = { threw: true, isDmsError: e instanceof dms.DmsError, kind: e.kind, code: e.code };
  }
  const describe = (e) => ({ name: e && e.name, kind: e && e.kind, code: e && e.code, message: String(e && e.message), isDmsError: e instanceof dms.DmsError });
  return dms.rerunTaskFlowInstance(input.config, input.request).then(
    (result) => Object.assign(out, { rerun: { ok: true, result } }),
    (error) => Object.assign(out, { rerun: { ok: false, error: describe(error) } }),
  );
}
