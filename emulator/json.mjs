/**
 * JSON text writer for answers that carry 64-bit ids. The real API types
 * `Id` and `HistoryDagId` as Long and writes them as bare JSON numbers, so
 * ids above 2^53 (9007199254740993, 9223372036854775807) must reach the
 * client digit for digit. JSON.stringify cannot write a number it cannot
 * hold (and throws on BigInt), so ids are kept as BigInt and written here.
 */

/**
 * Like JSON.stringify without options, except that a BigInt is written as a
 * bare integer. Undefined object members are left out; non-finite numbers
 * and other types are refused rather than silently turned into null.
 */
export function toJson(value) {
  switch (typeof value) {
    case 'bigint':
      return value.toString();
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`cannot write ${value} as JSON`);
      return JSON.stringify(value);
    case 'object':
      if (value === null) return 'null';
      if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : toJson(item))).join(',')}]`;
      return `{${Object.entries(value)
        .filter(([, member]) => member !== undefined)
        .map(([key, member]) => `${JSON.stringify(key)}:${toJson(member)}`)
        .join(',')}}`;
    default:
      throw new TypeError(`cannot write a ${typeof value} as JSON`);
  }
}
