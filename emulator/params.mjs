/**
 * Operation parameters as data: each operation lists its parameters (wire
 * name, type, required) and one reader checks them all, in the gateway's
 * order: every missing required parameter first, then each value's format.
 * A failure names the parameter: `Missing<Name>` or `InvalidParameter.<Name>`.
 */
import { parseDay } from './times.mjs';
import { missing, invalidParameter } from './responses.mjs';

const MAX_LONG = (1n << 63n) - 1n;
const INT32_MAX = 2 ** 31 - 1;

/** Long: canonical decimal (no sign, no leading zeros) within 0..2^63−1. */
export function isLong(text) {
  return /^(0|[1-9][0-9]*)$/.test(text) && BigInt(text) <= MAX_LONG;
}

/** Types: `check(text)` says whether the wire text is acceptable, `read(text)` gives the value. */
export const Long = Object.freeze({ check: isLong, read: (text) => text });

/** Integer in min..max, canonical decimal only: no sign, no leading zeros, no exponent. */
export function Integer(min, max = INT32_MAX) {
  return Object.freeze({
    check: (text) => /^(0|[1-9][0-9]{0,9})$/.test(text) && Number(text) >= min && Number(text) <= max,
    read: Number,
  });
}

/**
 * Boolean: `true` or `false`, any letter case. The official Python SDK sends
 * `str(True)` = `True`, so the real gateway must take it; 1, yes, '' are refused.
 */
export const Bool = Object.freeze({
  check: (text) => /^(true|false)$/i.test(text),
  read: (text) => text.toLowerCase() === 'true',
});

/** `yyyy-MM-dd`, a real calendar date. */
export const Day = Object.freeze({ check: (text) => parseDay(text) !== null, read: (text) => text });

/** Any text (a required one must not be empty). */
export const Text = Object.freeze({ check: () => true, read: (text) => text });

/** A required parameter is absent when missing or empty. */
function absent(params, name) {
  return !Object.hasOwn(params, name) || params[name] === '';
}

/**
 * Reads `spec` (`[{wire, key, type, required}]`) out of the decoded
 * parameters. Returns `{values}` keyed by `key` (absent optional ones left
 * out) or `{failure}`. Parameters not in the spec are ignored, as the
 * gateway ignores them.
 */
export function readParams(params, spec) {
  for (const { wire, required } of spec) {
    if (required && absent(params, wire)) return { failure: missing(wire) };
  }
  const values = {};
  for (const { wire, key, type } of spec) {
    if (!Object.hasOwn(params, wire)) continue;
    if (!type.check(params[wire])) return { failure: invalidParameter(wire) };
    values[key] = type.read(params[wire]);
  }
  return { values };
}
