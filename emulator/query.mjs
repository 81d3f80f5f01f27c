/**
 * Decoding of query strings and form bodies, done by hand so that the
 * emulator sees exactly what the client put on the wire (URLSearchParams
 * would silently turn '+' into a space and merge duplicates).
 */

/** Gateway-style error for a request that cannot be decoded. */
function invalid(message) {
  return { code: 'InvalidParameter', message };
}

/**
 * Splits `a=1&b=2` into [key, value] pairs: split on '&', then on the first
 * '=', percent-decode both halves as strict UTF-8. Empty segments are skipped.
 * '+' stays a literal plus unless `plusAsSpace` (what a Java servlet does).
 * @returns {{pairs: [string,string][], error: null | {code:string,message:string}}}
 */
export function decodePairs(raw, { plusAsSpace = false } = {}) {
  const pairs = [];
  for (const segment of String(raw ?? '').split('&')) {
    if (segment === '') continue;
    const eq = segment.indexOf('=');
    const rawKey = eq === -1 ? segment : segment.slice(0, eq);
    const rawValue = eq === -1 ? '' : segment.slice(eq + 1);
    try {
      pairs.push([decode(rawKey, plusAsSpace), decode(rawValue, plusAsSpace)]);
    } catch {
      return { pairs, error: invalid(`The parameter "${rawKey}" is not correctly percent-encoded.`) };
    }
  }
  return { pairs, error: null };
}

function decode(text, plusAsSpace) {
  // decodeURIComponent rejects malformed %XX and invalid UTF-8 and keeps '+'.
  return decodeURIComponent(plusAsSpace ? text.replace(/\+/g, ' ') : text);
}

/**
 * Merges the pairs of several sources (query string, form body) into one
 * params object; a key given twice anywhere is refused like the gateway does.
 */
export function mergeParams(...pairLists) {
  const seen = new Set();
  const all = [];
  for (const [key, value] of pairLists.flat()) {
    if (seen.has(key)) {
      return { params: Object.fromEntries(all), error: invalid(`The parameter "${key}" is specified more than once.`) };
    }
    seen.add(key);
    all.push([key, value]);
  }
  return { params: Object.fromEntries(all), error: null };
}
