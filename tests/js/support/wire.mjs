/**
 * Wire-level helpers: a pass-through proxy that records exactly what the
 * client put on the wire (method, target, headers, body bytes) before
 * forwarding it to the emulator, and a port nobody listens on.
 */
import http from 'node:http';
import net from 'node:net';
import { listenLoopback } from '../../support/listen.mjs';

/**
 * Starts a recording proxy on 127.0.0.1 in front of `targetUrl`.
 * @returns {Promise<{url:string, seen:Array<{method:string, url:string, headers:object, body:Buffer}>, close():Promise<void>}>}
 */
export async function startRecordingProxy(targetUrl) {
  const target = new URL(targetUrl);
  const seen = [];
  const server = http.createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const body = Buffer.concat(chunks);
    seen.push({ method: req.method, url: req.url, headers: { ...req.headers }, body });
    const upstream = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: target.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    upstream.end(body);
  });
  const { url, close } = await listenLoopback(server);
  return {
    url,
    seen,
    close,
  };
}

/** A 127.0.0.1 port that was free a moment ago and has no listener now. */
export async function closedPort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}
