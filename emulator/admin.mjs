/**
 * HTTP control surface under /__admin/ for tests in other processes and the
 * demo page: inspect state, queue faults, reset, shift the clock.
 *
 *   GET    /__admin/state   → {requests, reruns, nonces, pendingFaults, streams, log, clockSkewMs}
 *   POST   /__admin/faults  {"faults":[...]} → {queued, pending}
 *   GET    /__admin/faults  → {faults: [...pending]}
 *   DELETE /__admin/faults  → {pending: 0}
 *   POST   /__admin/reset   → {ok: true}
 *   POST   /__admin/clock   {"skewMs": N} → {clockSkewMs}
 */
import { send } from './responses.mjs';

const BODY_LIMIT = 1024 * 1024;

async function readJson(req) {
  let size = 0;
  const chunks = [];
  for await (const chunk of req) {
    size += chunk.length;
    if (size > BODY_LIMIT) throw new TypeError('body too large');
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new TypeError('body is not valid JSON');
  }
}

/**
 * Handles one admin request; `emu` is the emulator handle (state,
 * injectFaults, setClockSkewMs, clockSkewMs).
 */
export async function handleAdmin(req, res, route, emu) {
  const reply = (status, body) => send(res, status, body);
  const key = `${req.method} ${route}`;
  try {
    switch (key) {
      case 'GET /__admin/state':
        return reply(200, { ...emu.state.snapshot(), clockSkewMs: emu.clockSkewMs });
      case 'GET /__admin/faults':
        return reply(200, { faults: emu.state.faults });
      case 'POST /__admin/faults': {
        const { faults } = await readJson(req);
        if (!Array.isArray(faults)) throw new TypeError('expected {"faults": [...]}');
        const queued = emu.injectFaults(faults);
        return reply(200, { queued, pending: emu.state.faults.length });
      }
      case 'DELETE /__admin/faults':
        emu.state.faults.length = 0;
        return reply(200, { pending: 0 });
      case 'POST /__admin/reset':
        emu.state.reset();
        return reply(200, { ok: true });
      case 'POST /__admin/clock': {
        const { skewMs } = await readJson(req);
        if (!Number.isFinite(skewMs)) throw new TypeError('expected {"skewMs": number}');
        emu.setClockSkewMs(skewMs);
        return reply(200, { clockSkewMs: emu.clockSkewMs });
      }
      default:
        return reply(404, { error: `no admin route ${key}` });
    }
  } catch (error) {
    if (error instanceof TypeError) return reply(400, { error: error.message });
    throw error;
  }
}
