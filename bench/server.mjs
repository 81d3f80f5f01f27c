// A stand-in gateway for the call bench: answers every request with the
// success JSON and validates nothing (bench/calls.mjs checks separately that
// the calls compared are accepted by the emulator). Two listeners: one
// answers at once ("instant"), one after DELAY_MS ("slow", a nearby
// region's round trip). Keep-alive on. Runs in its own process so it never
// shares the client's event loop. Prints `{"port":N,"slowPort":M,"delayMs":D}`
// on stdout when listening; exits on SIGTERM or when its parent's stdin closes.
import { createServer } from 'node:http';

const DELAY_MS = Number(process.env.BENCH_DELAY_MS ?? 20);
const BODY = Buffer.from('{"RequestId":"x","Success":true}');
const HEADERS = { 'content-type': 'application/json;charset=utf-8', 'content-length': String(BODY.length) };

const answer = (delayMs) => (req, res) => {
  req.resume(); // drain any body (there is none for our POSTs)
  req.on('end', () => {
    const reply = () => {
      res.writeHead(200, HEADERS);
      res.end(BODY);
    };
    if (delayMs > 0) setTimeout(reply, delayMs);
    else reply();
  });
};

const servers = [createServer(answer(0)), createServer(answer(DELAY_MS))];
for (const s of servers) s.keepAliveTimeout = 60_000;
const listen = (s) => new Promise((resolve) => s.listen(0, '127.0.0.1', resolve));
await Promise.all(servers.map(listen));
process.stdout.write(JSON.stringify({ port: servers[0].address().port, slowPort: servers[1].address().port, delayMs: DELAY_MS }) + '\n');

function stop() {
  let open = servers.length;
  for (const s of servers) {
    s.close(() => {
      if (--open === 0) process.exit(0);
    });
    s.closeAllConnections(); // keep-alive sockets would hold close() open
  }
}
process.on('SIGTERM', stop);
process.stdin.on('end', stop).resume();
