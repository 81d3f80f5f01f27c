/**
 * HTTP control surface under /__admin/ for tests in other processes and the
 * demo: inspect state, queue faults, reset, shift the clock, drive reruns.
 *
 * It holds what an attacker wants (the request log has every signed query,
 * STS tokens included) and it can change what the gateway answers, so:
 * - every request needs `X-Emulator-Admin: <token>` (the token of this
 *   emulator: `emu.adminToken`, chosen at start), else 401 (absent) or 403
 *   (wrong), before anything else is read;
 * - no answer carries CORS headers and a preflight is refused, so a page on
 *   another origin can neither send the header nor read an answer;
 * - a body must be JSON (`Content-Type: application/json`), so a "simple"
 *   cross-site form or text/plain POST is refused even if it got through.
 *
 *   GET    /__admin/state     → {requests, reruns, nonces, pendingFaults, streams, log, clockSkewMs}
 *   POST   /__admin/faults    {"faults":[...]} → {queued, pending}
 *   GET    /__admin/faults    → {faults: [...pending]}
 *   DELETE /__admin/faults    → {pending: 0}
 *   POST   /__admin/reset     → {ok: true}  (records back to the seed too)
 *   POST   /__admin/clock     {"skewMs": N} → {clockSkewMs}
 *   GET    /__admin/runs[?dagId=7] → {seedAnchor, rerunOutcomeMs, running: [ids], runs: [record views]}
 *   POST   /__admin/outcomes  {"instanceId":"47","outcomes":["failed"]} → {instanceId, outcomes}
 *   POST   /__admin/settle    {"instanceId"?: "47"} → {settled: [ids]}
 *   POST   /__admin/config    {"rerunOutcomeMs": N | null} → {rerunOutcomeMs}
 */
import { send } from './responses.mjs';
import { safeEqual } from './signature.mjs';
import { statusName } from './runs.mjs';
import { formatTime } from './times.mjs';
import { ADMIN_HEADER } from './admin-client.mjs';

const BODY_LIMIT = 1024 * 1024;
const HEADER = ADMIN_HEADER.toLowerCase();

/** Admin answers: never CORS, never cached (they hold secrets). */
function reply(res, status, body) {
  send(res, status, body, { cors: false, headers: { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' } });
}

/** Why a request may not use the admin API, or null when it may. */
function refusal(req, token) {
  if (req.method === 'OPTIONS') return [403, 'the admin API does not answer cross-origin requests'];
  const given = req.headers[HEADER];
  if (given === undefined) return [401, `the admin API needs the ${ADMIN_HEADER} header (the token printed or returned at start)`];
  if (!safeEqual(given, token)) return [403, `wrong ${ADMIN_HEADER} token`];
  return null;
}

class BadRequest extends Error {
  constructor(message, status = 400) {
    super(message);
    this.status = status;
  }
}

async function readJson(req) {
  let size = 0;
  const chunks = [];
  for await (const chunk of req) {
    size += chunk.length;
    if (size > BODY_LIMIT) throw new BadRequest('body too large', 413);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/json') throw new BadRequest('an admin body must be application/json', 415);
  try {
    const value = JSON.parse(text);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new BadRequest('expected a JSON object');
    return value;
  } catch (error) {
    throw error instanceof BadRequest ? error : new BadRequest('body is not valid JSON');
  }
}

/** A record as the admin API shows it: ids as strings (plain JSON), names beside numbers. */
function recordView(r) {
  return {
    id: r.id.toString(),
    dagId: r.dagId,
    dagVersion: r.dagVersion,
    status: r.status,
    statusName: statusName(r.status),
    triggerType: r.triggerType,
    businessTime: formatTime(r.businessMs),
    startTime: r.startMs === null ? null : formatTime(r.startMs),
    endTime: r.endMs === null ? null : formatTime(r.endMs),
    message: r.message,
  };
}

function instanceIdOf(body, required) {
  const { instanceId } = body;
  if (instanceId === undefined && !required) return undefined;
  if (typeof instanceId !== 'string' || !/^(0|[1-9][0-9]*)$/.test(instanceId)) {
    throw new BadRequest('instanceId must be a decimal string (ids exceed JS numbers)');
  }
  return instanceId;
}

/**
 * Handles one admin request; `emu` is the emulator handle (state,
 * injectFaults, setClockSkewMs, clockSkewMs, adminToken).
 */
export async function handleAdmin(req, res, route, rawQuery, emu) {
  const refused = refusal(req, emu.adminToken);
  if (refused) return reply(res, refused[0], { error: refused[1] });
  const { runs } = emu.state;
  const key = `${req.method} ${route}`;
  try {
    switch (key) {
      case 'GET /__admin/state':
        return reply(res, 200, { ...emu.state.snapshot(), clockSkewMs: emu.clockSkewMs });
      case 'GET /__admin/faults':
        return reply(res, 200, { faults: emu.state.faults });
      case 'POST /__admin/faults': {
        const { faults } = await readJson(req);
        if (!Array.isArray(faults)) throw new BadRequest('expected {"faults": [...]}');
        const queued = emu.injectFaults(faults);
        return reply(res, 200, { queued, pending: emu.state.faults.length });
      }
      case 'DELETE /__admin/faults':
        emu.state.faults.length = 0;
        return reply(res, 200, { pending: 0 });
      case 'POST /__admin/reset':
        await readJson(req);
        emu.state.reset();
        return reply(res, 200, { ok: true });
      case 'POST /__admin/clock': {
        const { skewMs } = await readJson(req);
        if (!Number.isFinite(skewMs)) throw new BadRequest('expected {"skewMs": number}');
        emu.setClockSkewMs(skewMs);
        return reply(res, 200, { clockSkewMs: emu.clockSkewMs });
      }
      case 'GET /__admin/runs': {
        const dagId = new URLSearchParams(rawQuery).get('dagId');
        const shown = dagId === null ? runs.dagIds().flatMap((id) => runs.ofDag(id)) : runs.ofDag(dagId);
        return reply(res, 200, {
          seedAnchor: new Date(runs.anchorMs).toISOString(),
          rerunOutcomeMs: runs.outcomeMs,
          running: runs.pendingIds(),
          runs: shown.map(recordView),
        });
      }
      case 'POST /__admin/outcomes': {
        const body = await readJson(req);
        const instanceId = instanceIdOf(body, true);
        return reply(res, 200, { instanceId, outcomes: runs.script(instanceId, body.outcomes) });
      }
      case 'POST /__admin/settle': {
        const instanceId = instanceIdOf(await readJson(req), false);
        return reply(res, 200, { settled: runs.settle(instanceId) });
      }
      case 'POST /__admin/config': {
        const body = await readJson(req);
        if (!Object.hasOwn(body, 'rerunOutcomeMs')) throw new BadRequest('expected {"rerunOutcomeMs": number | null}');
        runs.setOutcomeMs(body.rerunOutcomeMs);
        return reply(res, 200, { rerunOutcomeMs: runs.outcomeMs });
      }
      default:
        return reply(res, 404, { error: `no admin route ${key}` });
    }
  } catch (error) {
    if (error instanceof BadRequest) return reply(res, error.status, { error: error.message });
    if (error instanceof TypeError) return reply(res, 400, { error: error.message });
    throw error;
  }
}
