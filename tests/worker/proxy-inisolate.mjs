// A Worker (not a test file) that imports the proxy's wrangler bundle and calls its fetch
// handler directly, as a router Worker or a unit test would: the request body is then the
// caller's own ReadableStream, not one workerd made.
import proxy from './index.js'; // the bundle of examples/worker, placed beside this module
import { sendCounted } from './proxy-sender.mjs';

export default {
  fetch: (request, env, ctx) => sendCounted(request, env.PROXY_TOKEN, (direct) => proxy.fetch(direct, env, ctx)),
};
