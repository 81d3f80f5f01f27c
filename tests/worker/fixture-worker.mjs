// The fixture Worker (tests/worker/fixture/) bundled by wrangler into its own
// build directory and started in Miniflare, for test files that only call
// its routes (worker.test.mjs also inspects the bundle, so it builds itself).
//
//   const worker = await startFixtureWorker('worker-build-list'); // {call(route, body), runtimeLog(), dispose()}
//
// workerd's own stdout/stderr (it logs the details of "internal error"
// fetch failures there) is collected rather than printed, so tests can read it.
import { Miniflare } from 'miniflare';
import { COMPATIBILITY_DATE, buildWithWrangler, bundleModules } from './wrangler-build.mjs';

export async function startFixtureWorker(name) {
  const build = await buildWithWrangler({ name });
  let log = '';
  const collect = (stream) => stream.setEncoding('utf8').on('data', (text) => (log += text));
  const mf = new Miniflare({
    compatibilityDate: COMPATIBILITY_DATE,
    modulesRoot: build.outDir,
    modules: bundleModules(build),
    handleRuntimeStdio(stdout, stderr) {
      collect(stdout);
      collect(stderr);
    },
  });
  await mf.ready;
  return {
    build,
    /** POSTs `body` as JSON to `route`; the route's `{ok, result | error}` (it always answers 200). */
    async call(route, body = {}) {
      const res = await mf.dispatchFetch(`http://worker.test${route}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (res.status !== 200) throw new Error(`${route} answered ${res.status}: ${await res.text()}`);
      return res.json();
    },
    /** Everything workerd printed so far. */
    runtimeLog: () => log,
    dispose: () => mf.dispose(),
  };
}
