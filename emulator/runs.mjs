/**
 * The execution records of task flows (what ListTaskFlowInstance lists) and
 * what a rerun does to them: a successful rerun moves the record to running
 * at once, then, after `outcomeMs`, to its scripted outcome (succeeded unless
 * a test or the admin API scripted otherwise). Records are rebuilt from the
 * seed on reset, so every test starts from the same data.
 */
import { STATUS, TRIGGER } from './data.mjs';
import { isLong } from './params.mjs';
import { DAY_MS, HOUR_MS } from './times.mjs';

/** Statuses a rerun can end in, by name. */
export const OUTCOMES = Object.freeze(['succeeded', 'failed', 'completed']);
const OUTCOME_MESSAGES = { failed: 'Rerun failed (outcome scripted in the DMS emulator)' };
const FINISHED = new Set([STATUS.failed, STATUS.succeeded, STATUS.completed]);
/** Longest outcome delay accepted: a day is plenty for any demo. */
const MAX_OUTCOME_MS = DAY_MS;

/** Status number → name (`'unknown'` past 5), for admin views. */
export function statusName(status) {
  return Object.keys(STATUS).find((name) => STATUS[name] === status) ?? 'unknown';
}

/**
 * The time the seed counts back from: `option` (ISO-8601 text or ms) when
 * given, else `nowMs` floored to the hour, so runs sit on round hours.
 */
export function seedAnchor(option, nowMs) {
  if (option === undefined || option === null) return Math.floor(nowMs / HOUR_MS) * HOUR_MS;
  const ms = typeof option === 'number' ? option : Date.parse(option);
  if (!Number.isFinite(ms)) throw new TypeError(`seedAnchor must be an ISO-8601 time or milliseconds, got ${JSON.stringify(option)}`);
  return ms;
}

/** `null` (settle only when told) or an integer 0..one day. */
export function checkOutcomeMs(ms) {
  if (ms === null || (Number.isInteger(ms) && ms >= 0 && ms <= MAX_OUTCOME_MS)) return ms;
  throw new TypeError(`rerunOutcomeMs must be null or an integer in 0..${MAX_OUTCOME_MS}`);
}

function checkOutcomes(list) {
  if (!Array.isArray(list) || !list.every((o) => OUTCOMES.includes(o))) {
    throw new TypeError(`outcomes must be an array of ${OUTCOMES.join(' | ')}`);
  }
  return [...list];
}

/** A seed row's status or trigger type: a name or its number. */
function code(table, value, what, id) {
  const number = typeof value === 'string' ? table[value] : value;
  if (!Object.values(table).includes(number)) throw new TypeError(`run ${id}: unknown ${what} ${JSON.stringify(value)}`);
  return number;
}

/** A fresh mutable record from a flow and one of its seed rows. */
function recordOf(flow, row, anchorMs) {
  if (!isLong(String(row.id))) throw new TypeError(`run id ${JSON.stringify(row.id)} is not a Long`);
  if (!Number.isFinite(row.hoursAgo)) throw new TypeError(`run ${row.id}: hoursAgo must be a number`);
  const id = BigInt(row.id);
  const status = code(STATUS, row.status, 'status', row.id);
  const scheduledMs = anchorMs - row.hoursAgo * HOUR_MS;
  const dagVersion = String(row.dagVersion ?? flow.dagVersion);
  const history = flow.historyDagIds?.[dagVersion];
  const minutes = 10 + Number(id % 23n); // a stable, varied run length
  return {
    id,
    dagId: String(flow.dagId),
    dagName: String(flow.dagName ?? `task-flow-${flow.dagId}`),
    dagVersion,
    ownerName: String(flow.ownerName ?? 'demo-owner'),
    historyDagId: history === undefined ? undefined : BigInt(history),
    status,
    triggerType: code(TRIGGER, row.triggerType ?? 'scheduled', 'trigger type', row.id),
    // Creation order is the list order and never changes, reruns included.
    scheduledMs,
    // The business date of a daily run is the day before it runs (DMS's bizdate).
    businessMs: scheduledMs - DAY_MS,
    startMs: status === STATUS.waiting ? null : scheduledMs,
    endMs: FINISHED.has(status) ? scheduledMs + minutes * 60_000 : null,
    message: String(row.message ?? ''),
  };
}

/**
 * @param {object} options
 * @param {Array<{dagId, dagName?, dagVersion, ownerName?, historyDagIds?, runs?: object[]}>} options.flows
 * @param {number} options.anchorMs  seed anchor (see seedAnchor)
 * @param {() => number} options.now  the emulator's clock
 * @param {number|null} [options.outcomeMs=1500]  rerun → outcome delay; 0 = at once, null = only on settle()
 * @param {Record<string, string[]>} [options.outcomes]  scripted outcomes per instance id, restored on reset
 */
export function createRunStore({ flows, anchorMs, now, outcomeMs = 1500, outcomes = {} }) {
  const initialOutcomes = Object.entries(outcomes).map(([id, list]) => [id, checkOutcomes(list)]);
  let delayMs = checkOutcomeMs(outcomeMs);
  /** instance id text → record */
  const records = new Map();
  /** instance id text → outcomes still to play, oldest first */
  const scripted = new Map();
  /** instance id text → timer (null while waiting for settle()) of a rerun still running */
  const pending = new Map();

  function clearPending() {
    for (const timer of pending.values()) if (timer) clearTimeout(timer);
    pending.clear();
  }

  function build() {
    clearPending();
    records.clear();
    for (const flow of flows) {
      for (const row of flow.runs ?? []) {
        const record = recordOf(flow, row, anchorMs);
        const key = record.id.toString();
        if (records.has(key)) throw new TypeError(`run id ${key} is seeded twice`);
        records.set(key, record);
      }
    }
    scripted.clear();
    for (const [id, list] of initialOutcomes) scripted.set(id, [...list]);
  }

  /** Ends a running rerun with its next scripted outcome (default succeeded). */
  function finish(key) {
    const timer = pending.get(key);
    if (timer) clearTimeout(timer);
    pending.delete(key);
    const record = records.get(key);
    const outcome = scripted.get(key)?.shift() ?? 'succeeded';
    record.status = STATUS[outcome];
    record.endMs = Math.max(now(), record.startMs);
    record.message = OUTCOME_MESSAGES[outcome] ?? '';
  }

  build();
  return {
    anchorMs,
    get outcomeMs() {
      return delayMs;
    },
    /** Changes the delay for reruns from now on. */
    setOutcomeMs(ms) {
      delayMs = checkOutcomeMs(ms);
    },
    /** The record of an instance id (text), if it is a seeded record. */
    get(id) {
      return records.get(id);
    },
    /** Ids of the task flows that have records. */
    dagIds() {
      return [...new Set([...records.values()].map((r) => r.dagId))];
    },
    /** Every record of one task flow, in list order: newest first, then higher id first. */
    ofDag(dagId) {
      return [...records.values()]
        .filter((r) => r.dagId === dagId)
        .sort((a, b) => b.scheduledMs - a.scheduledMs || (b.id > a.id ? 1 : b.id < a.id ? -1 : 0));
    },
    /**
     * A successful rerun of `id` in task flow `dagId`: running from now,
     * outcome later. Returns false (and changes nothing) when that flow has
     * no record `id` (instances declared without runs are only counted).
     */
    rerunStarted(id, dagId) {
      const record = records.get(id);
      if (!record || record.dagId !== dagId) return false;
      const timer = pending.get(id);
      if (timer) clearTimeout(timer); // a second rerun restarts the wait
      Object.assign(record, { status: STATUS.running, startMs: now(), endMs: null, message: '' });
      if (delayMs === 0) {
        pending.set(id, null);
        finish(id);
      } else if (delayMs === null) {
        pending.set(id, null);
      } else {
        const handle = setTimeout(() => finish(id), delayMs);
        handle.unref?.(); // a demo delay must never keep a test process alive
        pending.set(id, handle);
      }
      return true;
    },
    /** Queues outcomes for the next reruns of `id`; returns all queued for it. */
    script(id, list) {
      if (!records.has(id)) throw new TypeError(`no seeded record ${JSON.stringify(id)}`);
      const queue = scripted.get(id) ?? [];
      queue.push(...checkOutcomes(list));
      scripted.set(id, queue);
      return [...queue];
    },
    /** Ends now the running rerun of `id`, or every running rerun; returns the ids ended. */
    settle(id) {
      const keys = id === undefined ? [...pending.keys()] : pending.has(id) ? [id] : [];
      for (const key of keys) finish(key);
      return keys;
    },
    /** Ids of reruns still running. */
    pendingIds() {
      return [...pending.keys()];
    },
    /** Back to the seed: statuses, times, scripts; running reruns are dropped. */
    reset: build,
    /** Stops the outcome timers (the emulator is closing). */
    close: clearPending,
  };
}
