// What the CLI tests expect of the seeded records, computed from emulator/data.mjs and the
// emulator's seed anchor, not from the emulator's list code: the rows a date window and a
// status select, and dates a few hours back as the API takes them.
import { BIG_ID_FLOW, LIST_FLOW, STATUS } from '../../../emulator/data.mjs';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** `YYYY-MM-DD` (UTC, as the emulator counts days) of the time `hours` before `anchorMs`. */
export const dayBefore = (anchorMs, hours) => new Date(anchorMs - hours * HOUR).toISOString().slice(0, 10);

/**
 * The seeded runs of `flow` (LIST_FLOW or BIG_ID_FLOW) in list order (newest first) that a
 * status and an inclusive UTC day range select: `{id, dagVersion, status, hoursAgo, startMs}`.
 */
export function seededRuns(flow, anchorMs, { status, since, until } = {}) {
  const from = since === undefined ? -Infinity : Date.parse(`${since}T00:00:00Z`);
  const to = until === undefined ? Infinity : Date.parse(`${until}T00:00:00Z`) + DAY;
  return flow.runs
    .map((r) => ({ id: r.id, dagVersion: r.dagVersion, status: r.status, hoursAgo: r.hoursAgo, startMs: r.status === STATUS.waiting ? null : anchorMs - r.hoursAgo * HOUR }))
    .filter((r) => status === undefined || r.status === STATUS[status])
    .filter((r) => (since === undefined && until === undefined) || (r.startMs !== null && r.startMs >= from && r.startMs < to))
    .sort((a, b) => a.hoursAgo - b.hoursAgo); // the most recently scheduled first
}

export { BIG_ID_FLOW, LIST_FLOW, STATUS };
