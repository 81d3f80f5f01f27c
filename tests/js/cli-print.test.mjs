/**
 * bin/lib/print.mjs, the one place the CLI's output is made safe, checked directly:
 * hand-written expectations for each class of character, then seeded random strings
 * against the independent list in cli-support/terminal.mjs.
 *
 *   node --test tests/js/cli-print.test.mjs
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { prng } from '../support/prng.mjs';
import { cliPackageDir } from './cli-support/run-cli.mjs';
import { unsafeCharacters } from './cli-support/terminal.mjs';

const { printable, jsonLine, line, MAX_SHOWN } = await import(pathToFileURL(join(cliPackageDir, 'bin', 'lib', 'print.mjs')).href);

test('each kind of character: escaped as written here, or left alone', () => {
  const cases = [
    ['\x1b[2J', String.raw`\x1b[2J`],
    ['a\tb\nc\rd\0', String.raw`a\tb\nc\rd\x00`],
    ['\x7f', String.raw`\x7f`],
    ['\u0085\u009b', String.raw`\u0085\u009b`], // C1: NEL, CSI
    ['\u200e\u200f\u061c', String.raw`\u200e\u200f\u061c`],
    ['\u202a\u202b\u202c\u202d\u202e', String.raw`\u202a\u202b\u202c\u202d\u202e`],
    ['\u2066\u2067\u2068\u2069', String.raw`\u2066\u2067\u2068\u2069`],
    ['\u2028\u2029\ufeff\u200b', String.raw`\u2028\u2029\ufeff\u200b`],
    ['\ud800x\udfff', String.raw`\ud800x\udfff`], // lone surrogates
    ['\u{e0001}', String.raw`\u{e0001}`], // a tag character (Cf, astral)
    ['v-大数据-🚀 é ü ß \\ "q"', 'v-大数据-🚀 é ü ß \\ "q"'], // printable text is untouched
  ];
  for (const [input, shown] of cases) assert.equal(printable(input), shown, JSON.stringify(input));
});

test('cut after MAX_SHOWN units, never inside a surrogate pair, saying how much is left', () => {
  assert.equal(printable('x'.repeat(MAX_SHOWN)), 'x'.repeat(MAX_SHOWN));
  assert.equal(printable('x'.repeat(MAX_SHOWN + 5)), `${'x'.repeat(MAX_SHOWN)} … [5 more characters; --json prints them all]`);
  const pair = printable(`${'x'.repeat(MAX_SHOWN - 1)}🚀tail`);
  assert.equal(pair, `${'x'.repeat(MAX_SHOWN - 1)} … [6 more characters; --json prints them all]`);
  assert.equal(printable('x'.repeat(10_000), Infinity).length, 10_000);
});

test('line``: interpolations escaped, the literal text kept', () => {
  assert.equal(line`a\t${'\x1b'}${42}`, 'a\t\\x1b42');
});

test('jsonLine: valid JSON that reads back exactly, with nothing unsafe in it', () => {
  const value = { s: '\x1b\u0085\u202e\u2028\ud800\u{e0001}🚀', n: 1 };
  const text = jsonLine(value);
  assert.equal(text, String.raw`{"s":"\u001b\u0085\u202e\u2028\ud800\udb40\udc01🚀","n":1}` + '\n');
  assert.deepEqual(JSON.parse(text), value);
});

test('5,000 seeded random strings: printable() and jsonLine() never emit an unsafe character', () => {
  const rand = prng(0x5afe);
  // Weighted towards the dangerous ranges, with ordinary and astral text mixed in.
  const ranges = [[0, 0x20], [0x7f, 0xa0], [0x600, 0x61f], [0x2000, 0x206f], [0xd800, 0xdfff], [0xfe00, 0xffff], [0x20, 0x7e], [0x4e00, 0x4e80], [0x1f300, 0x1f6ff], [0xe0000, 0xe007f]];
  for (let i = 0; i < 5_000; i++) {
    let s = '';
    for (let n = rand.int(0, 40); n > 0; n--) {
      const [lo, hi] = rand.pick(ranges);
      const cp = rand.int(lo, hi);
      // A real U+FFFD is harmless text; the checker reads it as a sign of a lone surrogate.
      if (cp !== 0xfffd) s += String.fromCodePoint(cp);
    }
    const shown = printable(s, Infinity);
    assert.deepEqual(unsafeCharacters(Buffer.from(shown)), [], JSON.stringify(s));
    const json = jsonLine({ s });
    assert.deepEqual(unsafeCharacters(Buffer.from(json.slice(0, -1))), [], JSON.stringify(s));
    assert.equal(JSON.parse(json).s, s);
  }
});
