// --dry-run: the signed request shown, never sent, with the signature and any STS token
// replaced (together they would be a working request for 15 minutes).
import { jsonLine, line, printable, writeOut } from './print.mjs';

export const REDACTED = 'REDACTED';

/** The signed request with the signature (and an STS token) replaced by REDACTED. */
export function redactedDryRun(signed) {
  const hide = (text, pattern) => text.replace(pattern, `$1${REDACTED}`);
  // An encoded value holds no raw '&'; in the string to sign it is encoded again, ending at %26.
  const url = hide(hide(signed.url, /([?&]Signature=)[^&]*/), /([?&]SecurityToken=)[^&]*/);
  const canonicalQuery = hide(signed.canonicalQuery, /((?:^|&)SecurityToken=)[^&]*/);
  const stringToSign = hide(signed.stringToSign, /(SecurityToken%3D).*?(?=%26|$)/);
  return { dryRun: true, sent: false, method: signed.method, url, canonicalQuery, stringToSign, signature: REDACTED };
}

/** Prints a signed request from the library's sign* function, redacted. */
export function printDryRun(signed, { json }) {
  const shown = redactedDryRun(signed);
  if (json) return writeOut(jsonLine(shown));
  writeOut(
    [
      'Dry run: signed but NOT sent.',
      line`Method:          ${shown.method}`,
      // Whole, however long: these are meant to be copied (line`` would cut them short).
      `URL:             ${printable(shown.url, Infinity)}`,
      `Canonical query: ${printable(shown.canonicalQuery, Infinity)}`,
      `String to sign:  ${printable(shown.stringToSign, Infinity)}`,
      `Signature:       ${REDACTED} (with this query it would be a working request for 15 minutes)`,
    ].join('\n') + '\n',
  );
}
