/**
 * Dates and times as ListTaskFlowInstance speaks them. Every time is UTC:
 * the emulator has no tenant time zone, and one fixed zone keeps the day
 * boundaries of the date filters and the printed times in agreement.
 */

export const HOUR_MS = 60 * 60 * 1000;
export const DAY_MS = 24 * HOUR_MS;

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * `yyyy-MM-dd` → milliseconds of that day's 00:00 UTC, or null. Strict: a
 * real calendar date (no 2023-02-29, no month 13), exactly that shape.
 */
export function parseDay(text) {
  const match = DAY.exec(text);
  if (!match) return null;
  const [year, month, day] = match.slice(1).map(Number);
  const ms = Date.UTC(year, month - 1, day);
  // Date.UTC maps years 0..99 to 1900..1999; setUTCFullYear undoes that.
  const date = new Date(ms);
  date.setUTCFullYear(year);
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return date.getTime();
}

/** Milliseconds → `yyyy-MM-dd` (UTC). */
export function formatDay(ms) {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Milliseconds → `yyyy-MM-dd HH:mm:ss` (UTC), the style of DMS's time fields. */
export function formatTime(ms) {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}
