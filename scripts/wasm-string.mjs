// The .wasm as a JavaScript string literal: each byte is the char of the same
// code point (U+0000..U+00FF), so decoding is one `charCodeAt` per byte and
// the file gzips to ~0.9 KB more than the .wasm itself (base64 costs ~6 KB
// more). Only what a string literal cannot hold raw is escaped: the quote,
// the backslash, LF and CR (line terminators; U+2028/2029 are above 0xFF),
// and NUL, which many tools treat as the end of text or a binary file.
export function byteString(bytes) {
  let out = '"';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === 0x22) out += '\\"';
    else if (b === 0x5c) out += '\\\\';
    else if (b === 0x0a) out += '\\n';
    else if (b === 0x0d) out += '\\r';
    // `\0` followed by a digit would be a legacy octal escape (a SyntaxError in modules).
    else if (b === 0x00) out += bytes[i + 1] >= 0x30 && bytes[i + 1] <= 0x39 ? '\\x00' : '\\0';
    else out += String.fromCharCode(b);
  }
  return out + '"';
}
