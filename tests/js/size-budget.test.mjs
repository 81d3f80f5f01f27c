/**
 * Size budget of the packed package (issue #5), gzip -9 as users download it:
 *   - the .wasm                          ≤ WASM_GZIP_BUDGET
 *   - each runtime entry (glue + wasm)   ≤ ENTRY_GZIP_BUDGET
 * An entry is every file its index loads, found by following its relative
 * imports (bench/sizes.mjs; `npm run bench` prints the same figures).
 *
 *   node --test tests/js/size-budget.test.mjs
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { packageDir } from '../support/consumer.mjs';
import { ENTRY_GZIP_BUDGET, RUNTIME_ENTRIES, WASM_GZIP_BUDGET, measurePackage } from '../../bench/sizes.mjs';

const sizes = measurePackage(packageDir);
const kb = (n) => `${n} B (${(n / 1024).toFixed(1)} KiB)`;

test('budgets are the numbers from issue 5', () => {
  assert.equal(WASM_GZIP_BUDGET, 20480);
  assert.equal(ENTRY_GZIP_BUDGET, 25600);
});

test('every runtime entry loads exactly one glue file and the wasm', () => {
  for (const [name, entry] of Object.entries(sizes.runtimes)) {
    for (const e of RUNTIME_ENTRIES[name]) assert.ok(entry.files.includes(e), `${name} misses ${e}`);
    assert.equal(entry.files.filter((f) => f.endsWith('.wasm')).length, 1, `${name}: ${entry.files.join(', ')}`);
    assert.equal(entry.files.filter((f) => f.endsWith('/dms_rerun.js')).length, 1, `${name}: ${entry.files.join(', ')}`);
  }
});

test(`packed .wasm is at most ${WASM_GZIP_BUDGET} B gzip -9`, (t) => {
  for (const wasm of sizes.wasms) {
    t.diagnostic(`${wasm.path}: ${kb(wasm.raw)} raw, ${kb(wasm.gzip)} gzip`);
    assert.ok(wasm.gzip <= WASM_GZIP_BUDGET, `${wasm.path} is ${kb(wasm.gzip)} gzip, budget ${kb(WASM_GZIP_BUDGET)}`);
  }
});

for (const name of Object.keys(RUNTIME_ENTRIES)) {
  test(`${name} entry (JS + wasm) is at most ${ENTRY_GZIP_BUDGET} B gzip -9`, (t) => {
    const entry = sizes.runtimes[name];
    t.diagnostic(`${name}: ${entry.files.join(' + ')} = ${kb(entry.gzip)} gzip`);
    assert.ok(entry.gzip <= ENTRY_GZIP_BUDGET, `${name} entry is ${kb(entry.gzip)} gzip, budget ${kb(ENTRY_GZIP_BUDGET)}`);
  });
}
