// A raw HTTP/1.1 client for what fetch clients hide: a chunked upload left open, to see
// whether the server answers before the body ends, and how much more it accepts after.
// (undici, behind Miniflare's dispatchFetch, reports a server that answers mid-upload
// as "fetch failed".)
import net from 'node:net';

const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * POSTs /rerun to `origin` with Transfer-Encoding: chunked (no Content-Length): one chunk
 * of `first` spaces, then no terminating chunk, waiting up to `answerMs` for an answer.
 * Sending exactly what the server will read keeps its receive buffer empty, so closing
 * after the answer is a clean FIN; unread bytes would make it a reset that can destroy
 * the answer before the client reads it.
 *
 * Then keeps writing `more` bytes (64 KiB chunks) as long as the connection takes them.
 * Resolves `{head, body, moreWritten, closed}`; `head` is '' if no answer came in time.
 */
export async function openUpload(origin, { host, headers, first, more, answerMs = 3_000 }) {
  const { hostname, port } = new URL(origin);
  const socket = net.connect(Number(port), hostname);
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let received = '';
  let closed = false;
  socket.setEncoding('utf8').on('data', (data) => (received += data));
  socket.on('error', () => {}); // a reset once the server gave up on the body is expected
  socket.once('close', () => (closed = true));

  const lines = ['POST /rerun HTTP/1.1', `Host: ${host}`, 'Transfer-Encoding: chunked', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  socket.write(`${lines.join('\r\n')}\r\n\r\n${first.toString(16)}\r\n${' '.repeat(first)}\r\n`);
  for (const started = performance.now(); !complete(received) && !closed && performance.now() - started < answerMs; ) await wait(10);
  const split = received.indexOf('\r\n\r\n');
  const answer = { head: split === -1 ? received : received.slice(0, split), body: split === -1 ? '' : received.slice(split + 4) };

  const chunk = 64 * 1024;
  const piece = Buffer.concat([Buffer.from(`${chunk.toString(16)}\r\n`), Buffer.alloc(chunk, 0x20), Buffer.from('\r\n')]);
  let moreWritten = 0;
  while (moreWritten < more && !closed && !socket.destroyed) {
    moreWritten += chunk;
    // A server that stopped reading never drains: give up on it after a second.
    if (!socket.write(piece)) await Promise.race([new Promise((resolve) => socket.once('drain', resolve)), wait(1_000)]);
    if (socket.writableLength > 8 * 1024 * 1024) break;
  }
  await wait(50);
  const result = { ...answer, moreWritten, closed: closed || socket.destroyed };
  socket.destroy();
  return result;
}

/** A whole answer is in: its head and Content-Length bytes of body. */
function complete(received) {
  const split = received.indexOf('\r\n\r\n');
  const length = /\r\ncontent-length: *(\d+)/i.exec(received)?.[1];
  return split !== -1 && length !== undefined && Buffer.byteLength(received.slice(split + 4)) >= Number(length);
}
