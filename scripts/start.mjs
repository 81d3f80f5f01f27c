// `npm start`: the local DMS emulator plus the demo page (www/) that finds
// failed runs and reruns them through the package's browser build. No
// Alibaba account needed. Runs until Ctrl-C.
//
//   PORT=8080 EMULATOR_PORT=8081 node scripts/start.mjs
//
// The emulator's admin token (for /__admin/, e.g. to watch a rerun move to
// running) is $DMS_EMULATOR_ADMIN_TOKEN when set, else a random one; it is
// printed, since only the person at this terminal needs it.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startEmulator } from '../emulator/server.mjs';
import { DEMO_KEY } from '../emulator/data.mjs';
import { ADMIN_HEADER } from '../emulator/admin-client.mjs';
import { startSite } from './serve.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkgDir = `${root}dist/web`;
const wwwDir = `${root}www`;

function port(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) fail(`${name}=${raw} is not a port number`);
  return value;
}

function fail(message) {
  console.error(`npm start: ${message}`);
  process.exit(1);
}

if (!existsSync(`${pkgDir}/index.mjs`)) fail('dist/web/ is missing: run `node scripts/build.mjs` first');

const pagePort = port('PORT', 8080);
// Port 0 means "any free port" for both; otherwise the emulator sits next door.
const emulatorPort = port('EMULATOR_PORT', pagePort === 0 ? 0 : pagePort + 1);

const inUse = (error, name, value) =>
  error?.code === 'EADDRINUSE' ? `port ${value} is already in use: set ${name} to another port` : String(error?.message ?? error);

let emulator;
let site;
try {
  emulator = await startEmulator({ port: emulatorPort });
} catch (error) {
  fail(inUse(error, 'EMULATOR_PORT', emulatorPort));
}
try {
  site = await startSite({
    wwwDir,
    pkgDir,
    port: pagePort,
    // What the page prefills: the emulator and its public demo key. Served
    // as JSON (never in the page's URL) so the page works against any endpoint.
    config: {
      emulatorUrl: emulator.url,
      demo: {
        AccessKeyId: DEMO_KEY.accessKeyId,
        AccessKeySecret: DEMO_KEY.accessKeySecret,
        Endpoint: emulator.url,
        DagId: '7',
        DagInstanceId: '47',
        DagVersion: '2',
        FindDagId: '7', // its seeded runs include failed ones in the last 3 days
      },
    },
  });
} catch (error) {
  await emulator.close();
  fail(inUse(error, 'PORT', pagePort));
}

console.log(`
  dms-rerun demo is running

    Open this page:   ${site.url}
    DMS emulator:     ${emulator.url}  (local stand-in for Alibaba's gateway, demo key ${DEMO_KEY.accessKeyId})
    Emulator admin:   ${ADMIN_HEADER}: ${emulator.adminToken}
                      e.g. curl -H '${ADMIN_HEADER}: ${emulator.adminToken}' '${emulator.url}/__admin/runs?dagId=7'

  The page is prefilled for the emulator: press "Find" to list the failed runs
  of task flow 7, then "Rerun" on a row (or "Rerun" in the form above it).
  Press Ctrl-C to stop.
`);

let stopping = false;
async function stop(signal) {
  if (stopping) process.exit(1); // a second Ctrl-C: don't wait any longer
  stopping = true;
  console.log(`\n  ${signal}: stopping the page server and the emulator…`);
  // close() destroys open sockets, so this is quick; the timer is a safety net.
  setTimeout(() => process.exit(1), 3000).unref();
  await Promise.all([site.close(), emulator.close()]);
  console.log('  stopped.');
  process.exit(0);
}
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
