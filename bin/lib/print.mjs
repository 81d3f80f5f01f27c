// Everything the CLI prints goes through here. Text the CLI did not write itself (gateway
// Code/Message/RequestId/Recommend, DMS ErrorCode/ErrorMessage, library messages that echo
// input, argv) may hold terminal escape sequences or bidi controls: printed raw, an answer
// could clear the screen and draw a fake "Rerun accepted", or reorder a line so it reads
// differently from what it says. Such characters are shown as visible escapes instead.

/**
 * What is never printed raw, by Unicode category rather than a hand-made list, so format
 * characters added later are covered too:
 *   Cc  C0 controls, DEL, C1 controls (U+0080–U+009F: U+009B is an 8-bit CSI)
 *   Cf  format characters: bidi marks, embeddings, overrides and isolates (U+200E/F,
 *       U+202A–U+202E, U+2066–U+2069, U+061C), zero-width characters, BOM, tags
 *   Zl, Zp  U+2028/U+2029, which some terminals and viewers break lines on
 *   Cs  lone surrogates (a stream would write them as U+FFFD, hiding what came)
 */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;

const NAMED = { '\t': '\\t', '\n': '\\n', '\r': '\\r' };

const hex = (n, width) => n.toString(16).padStart(width, '0');

function escapeOne(ch) {
  if (NAMED[ch]) return NAMED[ch];
  const cp = ch.codePointAt(0);
  if (cp < 0x80) return `\\x${hex(cp, 2)}`; // C0 and DEL, as a terminal user knows them (\x1b)
  if (cp > 0xffff) return `\\u{${hex(cp, 1)}}`;
  return `\\u${hex(cp, 4)}`;
}

/**
 * Longest foreign text shown in human output, in UTF-16 units. A gateway may send a
 * 1 MiB Message; --json keeps it whole for programs.
 */
export const MAX_SHOWN = 2000;

/** `text` (any value, stringified) safe to print on one terminal line. */
export function printable(value, max = MAX_SHOWN) {
  let text = String(value);
  let cut = '';
  if (text.length > max) {
    // Never split a surrogate pair: that would turn a real character into an escape.
    const end = /[\ud800-\udbff]/.test(text[max - 1]) ? max - 1 : max;
    cut = ` … [${text.length - end} more characters; --json prints them all]`;
    text = text.slice(0, end);
  }
  return text.replace(UNSAFE, escapeOne) + cut;
}

/**
 * A tagged template for human output: every interpolated value goes through printable(),
 * the literal parts (the CLI's own words) stay as written. One place, nothing forgotten.
 */
export function line(strings, ...values) {
  return strings.reduce((out, s, i) => out + printable(values[i - 1]) + s);
}

/**
 * One line of JSON. JSON.stringify escapes C0 controls and lone surrogates but leaves DEL,
 * C1, format characters and U+2028/2029 raw; those become \uXXXX escapes too, which any JSON
 * parser reads back as the original characters. They can only occur inside strings.
 */
export function jsonLine(value) {
  const text = JSON.stringify(value).replace(UNSAFE, (ch) => {
    let out = '';
    for (let i = 0; i < ch.length; i++) out += `\\u${hex(ch.charCodeAt(i), 4)}`;
    return out;
  });
  return `${text}\n`;
}

/**
 * A reader that went away (`dms-rerun … | head -c0`) is not a failure of the call: what
 * is left to print is dropped and the exit code still says what happened. Unhandled,
 * EPIPE is an uncaught error: a stack trace and exit 1 ("refused") after an accepted rerun.
 */
export function toleratePipeClose() {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error) => {
      if (error.code !== 'EPIPE') throw error;
    });
  }
}

export const writeOut = (text) => void process.stdout.write(text);
export const writeErr = (text) => void process.stderr.write(text);
