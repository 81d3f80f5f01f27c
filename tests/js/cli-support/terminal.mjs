// What a terminal must never receive from text the CLI did not write: checked on the
// raw bytes, with its own list (not the CLI's), so a gap in the CLI's escaping shows.

/** Code points a terminal or a bidi-aware viewer acts on, with a name for the report. */
const UNSAFE = [
  [0x00, 0x09, 'C0 control'],
  [0x0b, 0x1f, 'C0 control'], // \n (0x0a) separates the CLI's own lines
  [0x7f, 0x7f, 'DEL'],
  [0x80, 0x9f, 'C1 control'], // U+009B is an 8-bit CSI: ESC [ in one character
  [0x061c, 0x061c, 'Arabic letter mark'],
  [0x200b, 0x200f, 'zero-width / bidi mark'],
  [0x2028, 0x2029, 'line / paragraph separator'],
  [0x202a, 0x202e, 'bidi embedding / override'],
  [0x2066, 0x2069, 'bidi isolate'],
  [0xfeff, 0xfeff, 'BOM / zero-width no-break space'],
  [0xfffd, 0xfffd, 'U+FFFD: a lone surrogate or bad bytes were written'],
];

/**
 * The unsafe characters in `bytes` as `['U+001B C0 control at 12', …]`; [] when clean.
 * Bytes that are not UTF-8 count as unsafe too (a raw 0x9B byte is a CSI to some terminals).
 */
export function unsafeCharacters(bytes) {
  let text;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return ['output is not valid UTF-8'];
  }
  const found = [];
  let at = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0);
    const hit = UNSAFE.find(([lo, hi]) => cp >= lo && cp <= hi);
    if (hit) found.push(`U+${cp.toString(16).toUpperCase().padStart(4, '0')} ${hit[2]} at ${at}`);
    at += ch.length;
  }
  return found;
}
