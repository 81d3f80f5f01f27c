// Static server for the `npm start` demo page: `www/` at `/`, the package's
// browser build (dist/web/) at `/pkg/`, and `/config.json` telling the page
// where the emulator is. Read-only, GET/HEAD only, 127.0.0.1 by default.
import http from 'node:http';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
};

/**
 * CSP for a page that holds a secret: only our own scripts (plus the inline
 * import map, allowed by hash), wasm compilation, and fetch to any http(s)
 * endpoint the user types. no-referrer so a signed URL never leaks onwards.
 */
async function securityHeaders(indexFile) {
  const html = await readFile(indexFile, 'utf8');
  const hashes = [...html.matchAll(/<script type="importmap">([\s\S]*?)<\/script>/g)].map(
    ([, body]) => `'sha256-${createHash('sha256').update(body).digest('base64')}'`,
  );
  const csp = [
    "default-src 'self'",
    `script-src 'self' 'wasm-unsafe-eval' ${hashes.join(' ')}`.trim(),
    "connect-src 'self' http: https:",
    "img-src 'self' data:",
    "style-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return {
    'content-security-policy': csp,
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
  };
}

/**
 * @param {object} options
 * @param {string} options.wwwDir   the page
 * @param {string} options.pkgDir   the package's browser build, served at /pkg/
 * @param {object} options.config   JSON answered at /config.json
 * @param {number} [options.port=0]
 * @param {string} [options.host='127.0.0.1']
 * @returns {Promise<{url:string, port:number, close():Promise<void>}>}
 */
export async function startSite({ wwwDir, pkgDir, config, port = 0, host = '127.0.0.1' }) {
  const mounts = [
    ['/pkg/', resolve(pkgDir)],
    ['/', resolve(wwwDir)],
  ];
  const headers = await securityHeaders(resolve(wwwDir, 'index.html'));
  const configBody = JSON.stringify(config);
  const sockets = new Set();

  async function handle(req, res) {
    const answer = (status, type, body) => {
      res.writeHead(status, { ...headers, 'content-type': type });
      res.end(body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return answer(405, 'text/plain', 'method not allowed\n');
    let path;
    try {
      path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    } catch {
      return answer(400, 'text/plain', 'bad path\n');
    }
    if (path === '/config.json') return answer(200, TYPES['.json'], configBody);
    const [prefix, dir] = mounts.find(([p]) => path.startsWith(p));
    const file = resolve(dir, path.slice(prefix.length) || 'index.html');
    // resolve() folds '..': anything outside the mount is refused.
    if (!file.startsWith(dir + sep)) return answer(403, 'text/plain', 'forbidden\n');
    const info = await stat(file).catch(() => null);
    if (!info?.isFile()) return answer(404, 'text/plain', 'not found\n');
    res.writeHead(200, {
      ...headers,
      'content-type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
      'content-length': info.size,
    });
    if (req.method === 'HEAD') return res.end();
    createReadStream(file).pipe(res);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`internal error: ${error.message}\n`);
    });
  });
  // Tracked so close() does not wait for idle keep-alive connections.
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise((done, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      done();
    });
  });
  const actual = server.address().port;
  let closed;
  return {
    url: `http://${host}:${actual}/`,
    port: actual,
    close() {
      closed ??= new Promise((done) => {
        server.close(() => done());
        for (const socket of sockets) socket.destroy();
      });
      return closed;
    },
  };
}
