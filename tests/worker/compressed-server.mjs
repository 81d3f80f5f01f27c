// A gateway stand-in for issue 9 defect 5: every answer is HTTP 200 with a
// valid JSON success body, compressed (Content-Encoding gzip or br), so that
// Content-Length states the small compressed size while the runtime's fetch
// decodes it to `inflatedBytes`. The emulator only sends identity bodies.
import http from 'node:http';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { listenLoopback } from '../support/listen.mjs';

const MiB = 1024 * 1024;

/** `{"RequestId":"…","Success":true,"Padding":"aaa…"}`, exactly `bytes` long. */
function successBody(requestId, bytes) {
  const head = `{"RequestId":"${requestId}","Success":true,"Padding":"`;
  const tail = '"}';
  return Buffer.concat([Buffer.from(head), Buffer.alloc(bytes - head.length - tail.length, 'a'), Buffer.from(tail)]);
}

/**
 * @param {{inflatedBytes?: number}} [options]  decoded size (default 64 MiB)
 * @returns {Promise<{url: string, requestId: string, bodies: {gzip: number, br: number}, requests: Array<{encoding: string, url: string}>, encoding: string, close(): Promise<void>}>}
 *   set `encoding` ('gzip' | 'br') before a call; `requests` logs what reached it.
 */
export async function startCompressedServer({ inflatedBytes = 64 * MiB } = {}) {
  const requestId = '0C0C0C0C-0000-4000-8000-00000000B0B0';
  const plain = successBody(requestId, inflatedBytes);
  const bodies = {
    gzip: gzipSync(plain, { level: 9 }),
    br: brotliCompressSync(plain, { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } }),
  };
  const requests = [];
  const served = {
    url: '',
    requestId,
    bodies: { gzip: bodies.gzip.length, br: bodies.br.length },
    inflatedBytes,
    requests,
    encoding: 'gzip',
    close: undefined,
  };
  const server = http.createServer((req, res) => {
    requests.push({ encoding: served.encoding, url: req.url });
    const body = bodies[served.encoding];
    res.writeHead(200, {
      'content-type': 'application/json;charset=utf-8',
      'content-encoding': served.encoding,
      'content-length': body.length,
      'x-acs-request-id': requestId,
    });
    res.end(body);
  });
  Object.assign(served, await listenLoopback(server));
  return served;
}
