/**
 * The emulator in its own process, so a load test measures the client's
 * memory only (the emulator's request log grows with every call) and the
 * two sides use both cores.
 *
 *   const emu = await startEmulatorProcess();  // {url, state(), reset(), close()}
 *
 * Run with `--child` this file is that process: it answers IPC messages.
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

if (process.argv[2] === '--child') {
  const { startEmulator } = await import('../../../emulator/server.mjs');
  const emu = await startEmulator();
  const summary = () => {
    const statuses = {};
    for (const e of emu.state.log) statuses[e.status] = (statuses[e.status] ?? 0) + 1;
    return {
      requests: emu.state.requests,
      logged: emu.state.log.length,
      nonces: emu.state.log.map((e) => e.nonce),
      statuses,
      reruns: Object.fromEntries(emu.state.reruns),
    };
  };
  process.on('message', async ({ id, type }) => {
    if (type === 'state') process.send({ id, value: summary() });
    if (type === 'reset') {
      emu.state.reset();
      process.send({ id, value: true });
    }
    if (type === 'close') {
      await emu.close();
      process.send({ id, value: true }, () => process.exit(0));
    }
  });
  process.send({ type: 'ready', url: emu.url });
}

/** Forks the emulator; resolves once it listens. */
export async function startEmulatorProcess() {
  const child = fork(fileURLToPath(import.meta.url), ['--child'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const [ready] = await once(child, 'message');
  let next = 0;
  const ask = (type) =>
    new Promise((resolve, reject) => {
      const id = ++next;
      const onMessage = (msg) => {
        if (msg.id !== id) return;
        child.off('message', onMessage);
        resolve(msg.value);
      };
      child.on('message', onMessage);
      child.send({ id, type }, (err) => err && reject(err));
    });
  return {
    url: ready.url,
    pid: child.pid,
    state: () => ask('state'),
    reset: () => ask('reset'),
    close: async () => {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      await ask('close').catch(() => child.kill());
      await exited;
    },
  };
}
