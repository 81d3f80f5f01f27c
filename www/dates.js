// Calendar days for the Find panel's range. The package and the API take
// `YYYY-MM-DD`; the defaults are the browser's own calendar days (what a
// date input shows), the range is whole days both ends included.

const pad = (n) => String(n).padStart(2, '0');

/** `YYYY-MM-DD` of `date` in the browser's time zone. */
export const calendarDay = (date) => `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;

/** The day `days` calendar days before today (setDate handles month ends and DST). */
export function daysAgo(days, now = new Date()) {
  const date = new Date(now.getFullYear(), now.getMonth(), now.getDate());
  date.setDate(date.getDate() - days);
  return calendarDay(date);
}
