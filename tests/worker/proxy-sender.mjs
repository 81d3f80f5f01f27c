// A Worker (not a test file) that runs beside the proxy in the same workerd and calls it
// with a streamed body, counting what the proxy pulled: the only place the bytes a Worker
// reads can be seen from outside it.
//
// POST {prefix, total, chunk, contentLength?} → sends `prefix` then spaces up to `total`
// bytes, `chunk` bytes per pull, with no Content-Length (or the given, possibly false, one).
// Answers {status, json, atAnswer: {pulls, bytes}, later: {pulls, bytes}}: `later` is
// counted 200 ms after the answer, to see whether anything kept reading.

/**
 * Streams a body to `send(request)` and reports what was pulled. The stream is a plain
 * JS ReadableStream (not a byte stream): through a service binding workerd turns it into
 * a byte stream; handed to the proxy's fetch in the same isolate it stays what it is.
 */
export async function sendCounted(request, token, send) {
  const { prefix = '', total, chunk, contentLength } = await request.json();
  const head = new TextEncoder().encode(prefix);
  let pulls = 0;
  let bytes = 0;
  const body = new ReadableStream(
    {
      pull(controller) {
        if (bytes >= total) return controller.close();
        const piece = new Uint8Array(Math.min(chunk, total - bytes)).fill(0x20);
        piece.set(head.subarray(bytes, bytes + piece.length));
        pulls += 1;
        bytes += piece.length;
        controller.enqueue(piece);
      },
    },
    { highWaterMark: 0 }, // produce only when asked: pulls are the reader's demand
  );
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  if (contentLength !== undefined) headers['content-length'] = contentLength;
  const res = await send(new Request('https://proxy/rerun', { method: 'POST', headers, body }));
  const json = await res.json();
  const atAnswer = { pulls, bytes };
  await new Promise((resolve) => setTimeout(resolve, 200));
  return Response.json({ status: res.status, json, atAnswer, later: { pulls, bytes } });
}

/** Through the service binding PROXY: the proxy gets the body as workerd delivers requests. */
export default {
  fetch: (request, env) => sendCounted(request, env.TOKEN, (proxied) => env.PROXY.fetch(proxied)),
};
