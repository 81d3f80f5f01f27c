/**
 * A local HTTP server that answers each request as a test scripts it, for
 * answers the emulator does not make (unknown status numbers, malformed
 * lists, a connection reset on the first request only). It records what
 * each request asked for.
 *
 *   const server = await startCannedServer((req, i) => i === 0 ? 'reset' : { body: '{...}' });
 *   ... server.url, server.requests ...; await server.close();
 */
import http from 'node:http';
import { listenLoopback } from '../../support/listen.mjs';

/**
 * @param {(request: {method: string, params: Record<string, string>}, index: number) =>
 *   'reset' | {status?: number, headers?: Record<string, string>, body?: string | object}} answer
 *   what to do with the index-th request (from 0): `'reset'` destroys the
 *   connection before any answer; an object body is sent as JSON.
 */
export async function startCannedServer(answer) {
  const requests = [];
  const server = http.createServer((req, res) => {
    req.resume();
    const url = new URL(req.url, 'http://localhost');
    const request = { method: req.method, params: Object.fromEntries(url.searchParams) };
    const index = requests.push(request) - 1;
    const reply = answer(request, index);
    if (reply === 'reset') {
      req.socket.destroy();
      return;
    }
    const body = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body ?? {});
    res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
    res.end(body);
  });
  const { url, close } = await listenLoopback(server);
  return {
    url,
    requests,
    close,
  };
}

/** A ListTaskFlowInstance answer with `instances` written as given (strings are spliced raw, so bare big numbers survive). */
export function listAnswer(instances, { totalCount = instances.length, requestId = 'CANNED-LIST' } = {}) {
  const items = instances.map((i) => (typeof i === 'string' ? i : JSON.stringify(i)));
  return `{"RequestId":"${requestId}","Success":true,"TotalCount":${totalCount},"DAGInstanceList":{"DAGInstance":[${items.join(',')}]}}`;
}
