/**
 * bin/lib/table.mjs (cells measured and cut for a terminal) and bin/lib/dates.mjs (the `Nd`
 * date form), checked directly in the installed package: hand-written cases, then seeded
 * random strings against the independent terminal check.
 *
 *   node --test tests/js/cli-table.test.mjs
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { prng } from '../support/prng.mjs';
import { cliPackageDir } from './cli-support/run-cli.mjs';
import { unsafeCharacters } from './cli-support/terminal.mjs';

const load = (file) => import(pathToFileURL(join(cliPackageDir, 'bin', 'lib', file)).href);
const { displayWidth, fit, renderTable } = await load('table.mjs');
const { dateFlag, checkRange } = await load('dates.mjs');

test('display width: CJK and emoji take two cells, combining marks none, escapes their length', () => {
  const cases = [
    ['abc', 3],
    ['大数据', 6],
    ['v-大数据-🚀', 11],
    ['e\u0301', 1], // e + combining acute
    ['ｆｕｌｌ', 8], // fullwidth Latin
    ['\\x1b', 4],
    ['', 0],
  ];
  for (const [text, width] of cases) assert.equal(displayWidth(text), width, JSON.stringify(text));
});

test('fit: whole when it fits, else cut between characters with …, never past the width', () => {
  assert.equal(fit('short', 10), 'short');
  assert.equal(fit('exactly10!', 10), 'exactly10!');
  assert.equal(fit('eleven char', 10), 'eleven ch…');
  assert.equal(fit('大数据大数据', 7), '大数据…'); // 6 cells + …; a fourth would make 9
  assert.equal(fit('a\x1bb', 10), String.raw`a\x1bb`);
  // The escape is one piece: kept whole or dropped whole.
  assert.equal(fit('ab\x1bcd', 6), 'ab…');
  assert.equal(fit('ab\x1bcd', 7), String.raw`ab\x1b…`);
  assert.equal(fit('\u202e'.repeat(3), 8), String.raw`\u202e…`);
  // A lone surrogate is escaped, not split from nothing.
  assert.equal(fit('\ud800xyz', 9), String.raw`\ud800xyz`);
  assert.equal(fit('\ud800xyz', 8), String.raw`\ud800x…`);
});

test('fit on 3,000 seeded hostile strings: safe, within width, a prefix of the whole escaped text', () => {
  const rand = prng(0x7ab1e);
  const ranges = [[0, 0x20], [0x7f, 0xa0], [0x2000, 0x206f], [0xd800, 0xdfff], [0x20, 0x7e], [0x4e00, 0x4e80], [0x1f300, 0x1f64f], [0x300, 0x36f]];
  for (let i = 0; i < 3_000; i++) {
    let s = '';
    for (let n = rand.int(0, 30); n > 0; n--) {
      const cp = rand.int(...rand.pick(ranges));
      if (cp !== 0xfffd) s += String.fromCodePoint(cp);
    }
    const width = rand.int(2, 40);
    const shown = fit(s, width);
    assert.deepEqual(unsafeCharacters(Buffer.from(shown)), [], JSON.stringify(s));
    assert.ok(displayWidth(shown) <= width, `${JSON.stringify(s)} at ${width}: ${shown}`);
    const whole = fit(s, Infinity);
    assert.ok(shown === whole || (shown.endsWith('…') && whole.startsWith(shown.slice(0, -1))), `${JSON.stringify(s)}: ${shown}`);
  }
});

test('renderTable: columns aligned in cells, the last one cut to the width left', () => {
  const lines = renderTable([{ title: 'ID' }, { title: 'V', max: 6 }, { title: 'MSG' }], [['1', '大数据', 'x'.repeat(50)], ['22', 'a', 'short']], 30);
  assert.deepEqual(lines, [
    'ID  V       MSG',
    `1   大数据  ${'x'.repeat(17)}…`, // 2 + 2 + 6 + 2 cells before it: 18 left
    '22  a       short',
  ]);
  for (const l of lines) assert.ok(displayWidth(l) <= 30, l);
});

test('dates: Nd counts calendar days back on the local calendar; other text passes to the library', () => {
  const at = (y, m, d, h = 12) => new Date(y, m - 1, d, h);
  assert.equal(dateFlag({ since: '0d' }, 'since', at(2026, 3, 1)), '2026-03-01');
  assert.equal(dateFlag({ since: '1d' }, 'since', at(2026, 3, 1)), '2026-02-28');
  assert.equal(dateFlag({ since: '1d' }, 'since', at(2028, 3, 1)), '2028-02-29');
  assert.equal(dateFlag({ since: '3d' }, 'since', at(2027, 1, 2, 0)), '2026-12-30');
  assert.equal(dateFlag({ since: '365d' }, 'since', at(2026, 12, 31, 23)), '2025-12-31');
  assert.equal(dateFlag({ since: '3660d' }, 'since', at(2036, 1, 1)).length, 10);
  assert.throws(() => dateFlag({ since: '3661d' }, 'since'), /at most 3660d/);
  for (const text of ['2026-02-30', '3 d', '-3d', '3D', 'yesterday', '']) assert.equal(dateFlag({ since: text }, 'since'), text);
  assert.equal(dateFlag({}, 'since'), undefined);

  assert.doesNotThrow(() => checkRange('2026-03-01', '2026-03-01'));
  assert.doesNotThrow(() => checkRange('2026-03-01', undefined));
  assert.throws(() => checkRange('2026-03-02', '2026-03-01'), { code: 'InvalidArguments' });
});
