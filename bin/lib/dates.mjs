// --since / --until: a date as the API takes it (YYYY-MM-DD, checked by the library, not
// here) or a count of days back from today, which a cron line or shell history can keep
// ("rerun what failed in the last 3 days") where a fixed date would go stale.
import { UsageError } from './errors.mjs';

/** `3d`: three days before today. Up to ten years: a longer look-back is a typo. */
const RELATIVE = /^(\d{1,4})d$/;
const MAX_DAYS = 3660;

const pad = (n, width = 2) => String(n).padStart(width, '0');

/**
 * The date the API gets for a flag's value: `Nd` → the calendar date N days before today on
 * this machine's clock and time zone (the user's "today", as `date` shows it); anything else
 * unchanged, for the library to accept or refuse (InvalidParameter.StartTimeBegin, …).
 */
export function dateFlag(values, name, now = new Date()) {
  const value = values[name];
  if (value === undefined) return undefined;
  const relative = RELATIVE.exec(value);
  if (!relative) return value;
  const days = Number(relative[1]);
  if (days > MAX_DAYS) throw new UsageError('InvalidArguments', `--${name} ${value}: at most ${MAX_DAYS}d`);
  // Local calendar arithmetic: setDate() crosses months, years and DST changes correctly.
  const day = new Date(now.getFullYear(), now.getMonth(), now.getDate() - days);
  return `${pad(day.getFullYear(), 4)}-${pad(day.getMonth() + 1)}-${pad(day.getDate())}`;
}

/**
 * UsageError when both ends are dates and the range is empty: the API would answer
 * "nothing", and `failed` would report success having looked at no day at all.
 */
export function checkRange(since, until) {
  const isDay = (d) => typeof d === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(d);
  if (isDay(since) && isDay(until) && since > until) {
    throw new UsageError('InvalidArguments', `--since ${since} is after --until ${until}`);
  }
}
