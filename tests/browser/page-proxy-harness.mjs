/**
 * The Worker proxy (examples/worker), bundled by wrangler and run in workerd
 * through Miniflare on real 127.0.0.1 ports, so a browser page can call it
 * cross-origin. For tests/browser/page-proxy.test.mjs. Not a test file.
 */
import { Miniflare } from 'miniflare';
import { DEMO_KEY } from '../../emulator/data.mjs';
import { buildProxy, bundleModules } from '../worker/proxy-build.mjs';

/**
 * Two Workers running the same bundle with the emulator's demo key:
 * `proxy` (Miniflare's main port) allows `allowedOrigin`; `foreign` (its own
 * socket) allows only another origin, so a browser on `allowedOrigin` is
 * blocked by CORS there.
 * @returns {Promise<{url:string, foreignUrl:string, dispose():Promise<void>}>}  urls without a trailing slash
 */
export async function startProxy({ emulatorUrl, token, allowedOrigin }) {
  const build = await buildProxy();
  const modules = bundleModules(build);
  const worker = (name, origin) => ({
    name,
    compatibilityDate: '2025-09-01',
    modulesRoot: build.outDir,
    modules,
    // What `wrangler secret put` and [vars] give the deployed Worker.
    bindings: {
      ALIBABA_CLOUD_ACCESS_KEY_ID: DEMO_KEY.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: DEMO_KEY.accessKeySecret,
      PROXY_TOKEN: token,
      DMS_ENDPOINT: emulatorUrl,
      ALLOWED_ORIGIN: origin,
    },
  });
  const mf = new Miniflare({
    host: '127.0.0.1',
    port: 0, // any free port; `ready` tells which
    workers: [
      worker('proxy', allowedOrigin),
      { ...worker('foreign', 'https://ops.example.com'), unsafeDirectSockets: [{ host: '127.0.0.1', port: 0 }] },
    ],
  });
  try {
    const url = await mf.ready;
    const foreign = await mf.unsafeGetDirectURL('foreign');
    return {
      url: url.origin,
      foreignUrl: foreign.origin,
      dispose: () => mf.dispose(),
    };
  } catch (error) {
    await mf.dispose().catch(() => {});
    throw error;
  }
}
