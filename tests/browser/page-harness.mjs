/**
 * Runs `node scripts/start.mjs` (the real `npm start` server) as a child
 * process on free ports, for tests/browser/page.test.mjs. Not a test file.
 */
import { spawn } from 'node:child_process';
import net from 'node:net';
import { once } from 'node:events';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { repoRoot } from '../support/consumer.mjs';
import { ADMIN_TOKEN_ENV, admin } from '../../emulator/admin-client.mjs';

/** The emulator inside start.mjs takes its admin token from the environment we give it. */
export const ADMIN_TOKEN = randomUUID();

/** A port that was free a moment ago (the OS picks it). */
export async function freePort() {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  await new Promise((done) => server.close(done));
  return port;
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function isListening(port) {
  return new Promise((done) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

/**
 * Spawns start.mjs and resolves once it printed the page URL.
 * @returns {Promise<{child, pageUrl:string, emulatorUrl:string, output():string, exited:Promise<{code,signal}>, stop(signal?):Promise<{code,signal}>}>}
 */
export async function startDemo({ port, emulatorPort, timeoutMs = 30_000 }) {
  const child = spawn(process.execPath, [join(repoRoot, 'scripts', 'start.mjs')], {
    cwd: repoRoot,
    env: { ...process.env, PORT: String(port), EMULATOR_PORT: String(emulatorPort), [ADMIN_TOKEN_ENV]: ADMIN_TOKEN },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => (text += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk) => (text += chunk));
  const exited = new Promise((done) => child.once('exit', (code, signal) => done({ code, signal })));

  const urls = await new Promise((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`start.mjs printed no URL in ${timeoutMs} ms:\n${text}`)), timeoutMs);
    const check = () => {
      const page = text.match(/Open this page:\s+(http:\/\/127\.0\.0\.1:\d+\/)/);
      const emulator = text.match(/DMS emulator:\s+(http:\/\/127\.0\.0\.1:\d+)/);
      if (page && emulator) {
        clearTimeout(timer);
        done({ pageUrl: page[1], emulatorUrl: emulator[1] });
      }
    };
    child.stdout.on('data', check);
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      fail(new Error(`start.mjs exited early (code ${code}, signal ${signal}):\n${text}`));
    });
  }).catch(async (error) => {
    child.kill('SIGKILL');
    throw error;
  });

  /** Sends `signal`; SIGKILLs if the child is still alive after `graceMs`. */
  async function stop(signal = 'SIGTERM', graceMs = 5000) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    }
    return exited;
  }

  return { child, ...urls, output: () => text, exited, stop };
}

/** The emulator's admin view (it runs inside the child, so only HTTP reaches it). */
export function emulatorState(emulatorUrl) {
  return admin(emulatorUrl, ADMIN_TOKEN, '/state');
}

/** Any admin route of start.mjs's emulator: `emulatorAdmin(url, '/runs?dagId=7')`, `(url, '/faults', {faults})`. */
export function emulatorAdmin(emulatorUrl, path, body, options) {
  return admin(emulatorUrl, ADMIN_TOKEN, path, body, options);
}

/** The label → value rows of a <dl> the demo page rendered. */
export function readList(page, selector) {
  return page.$eval(selector, (root) => {
    const out = {};
    for (const dt of root.querySelectorAll('dt')) out[dt.textContent] = dt.nextElementSibling.textContent;
    return out;
  });
}

/** Everything the page could have persisted: web storage, cookies, IndexedDB, Cache Storage. */
export function storedState(page) {
  return page.evaluate(async () => ({
    local: localStorage.length,
    session: sessionStorage.length,
    cookie: document.cookie,
    idb: (await indexedDB.databases()).length,
    caches: (await caches.keys()).length,
  }));
}
