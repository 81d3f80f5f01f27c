// `npm start`: runs the local DMS emulator and one real rerun against it
// through the built package, so a newcomer sees the whole path work.
import { startEmulator } from '../tests/emulator/server.mjs';
import { DEMO_KEY } from '../tests/emulator/data.mjs';
import { rerunTaskFlowInstance, DmsError } from '../dist/node/index.mjs';

const emulator = await startEmulator({ port: Number(process.env.EMULATOR_PORT ?? 0) });
console.log(`DMS emulator listening on ${emulator.url}`);
const config = { accessKeyId: DEMO_KEY.accessKeyId, accessKeySecret: DEMO_KEY.accessKeySecret, endpoint: emulator.url };
try {
  const result = await rerunTaskFlowInstance(config, { dagId: 7, dagInstanceId: 47, dagVersion: '2' });
  console.log('rerun of DagId 7 / DagInstanceId 47:', result);
} catch (error) {
  console.error(error instanceof DmsError ? `${error.kind} ${error.code}: ${error.message}` : error);
  process.exitCode = 1;
}
await emulator.close();
