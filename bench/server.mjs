// A stand-in gateway for the call-overhead bench: answers every request at
// once with the success JSON, no signature check, keep-alive on. Runs in its
// own process (bench/run.mjs forks it) so it never shares the client's event
// loop. Prints `{"port":N}` on stdout when listening; exits on SIGTERM or
// when its parent's stdin closes.
import { createServer } from 'node:http';

const BODY = Buffer.from('{"RequestId":"x","Success":true}');
const HEADERS = { 'content-type': 'application/json;charset=utf-8', 'content-length': String(BODY.length) };

const server = createServer((req, res) => {
  req.resume(); // drain any body (there is none for our POSTs)
  req.on('end', () => {
    res.writeHead(200, HEADERS);
    res.end(BODY);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ port: server.address().port }) + '\n');
});
function stop() {
  server.close(() => process.exit(0));
  server.closeAllConnections(); // keep-alive sockets would hold close() open
}
process.on('SIGTERM', stop);
process.stdin.on('end', stop).resume();
