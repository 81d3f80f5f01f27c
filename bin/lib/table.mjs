// Columns of foreign text on a terminal: every cell escaped (print.mjs), measured in terminal
// cells (a CJK character or an emoji takes two), and cut with '…' to fit, so one long
// Message cannot wrap a row into the next and misalign what a user reads as "this run failed".
import { printable } from './print.mjs';

/**
 * East Asian Wide and Fullwidth blocks (Unicode's EastAsianWidth W/F, coarsely) and emoji
 * shown as emoji: two cells each in every terminal we know of. Combining and enclosing marks
 * take none. Everything else (after escaping, never a control) takes one.
 */
const WIDE = /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{1f300}-\u{1f64f}\u{1f900}-\u{1f9ff}\u{20000}-\u{3fffd}]|\p{Emoji_Presentation}/u;
const ZERO = /[\p{Mn}\p{Me}]/u;

/** Terminal cells `text` (already escaped) takes. */
export function displayWidth(text) {
  let width = 0;
  for (const ch of text) width += ZERO.test(ch) ? 0 : WIDE.test(ch) ? 2 : 1;
  return width;
}

/**
 * `value` escaped and cut to at most `width` cells, ending in '…' when cut. Cut between
 * characters of the original, never inside an escape (a half "\x1" would read as text).
 */
export function fit(value, width) {
  const whole = printable(value, Infinity);
  if (displayWidth(whole) <= width) return whole;
  let out = '';
  let used = 0;
  for (const ch of String(value)) {
    const piece = printable(ch, Infinity);
    const w = displayWidth(piece);
    if (used + w > width - 1) break;
    out += piece;
    used += w;
  }
  return `${out}…`;
}

const padTo = (text, width) => text + ' '.repeat(Math.max(0, width - displayWidth(text)));

/** Width of the terminal on stdout; $COLUMNS or `fallback` when it is not one. */
export function terminalWidth(env, fallback = 120) {
  if (process.stdout.isTTY && process.stdout.columns > 0) return process.stdout.columns;
  const columns = Number(env.COLUMNS);
  return Number.isInteger(columns) && columns >= 40 && columns <= 1000 ? columns : fallback;
}

/** Narrowest the last column gets, even on a narrow terminal (the line wraps instead). */
const MIN_LAST = 16;
const GAP = '  ';

/**
 * Lines of a table. `columns`: `[{title, max?}]`, the last one takes the width left;
 * `rows`: arrays of raw values (escaped here). `width`: the terminal's.
 */
export function renderTable(columns, rows, width) {
  const widths = columns.map((column, i) => {
    const widest = Math.max(displayWidth(column.title), ...rows.map((row) => displayWidth(printable(row[i], Infinity))));
    return Math.min(widest, column.max ?? Infinity);
  });
  const last = columns.length - 1;
  const fixed = widths.slice(0, last).reduce((sum, w) => sum + w + GAP.length, 0);
  widths[last] = Math.max(MIN_LAST, Math.min(widths[last], width - fixed));
  const lineOf = (cells) => cells.map((cell, i) => (i === last ? cell : padTo(cell, widths[i]))).join(GAP).trimEnd();
  return [
    lineOf(columns.map((column, i) => fit(column.title, widths[i]))),
    ...rows.map((row) => lineOf(row.map((value, i) => fit(value, widths[i])))),
  ];
}
