/**
 * The published TypeScript types, checked the way a user's project sees them:
 * tests/types/ is copied into test-output/consumer/types-check/, where
 * 'dms-rerun' resolves through the packed package's "exports" (ESM, CJS and
 * bundler resolution), and compiled with the repo's `tsc` (strict, noEmit).
 *
 *   node --test tests/js/types.test.mjs
 *
 * Also proves tsc really checks: every `@ts-expect-error` line, with its
 * directive removed, must fail (and nothing else), and deliberately wrong
 * files must fail with the expected errors.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { consumerDir, packageDir, repoRoot } from '../support/consumer.mjs';

const TSC = join(repoRoot, 'node_modules', '.bin', 'tsc');
const SOURCE = join(repoRoot, 'tests', 'types');
const WORK = join(consumerDir, 'types-check');
const DIRECTIVE = /^\s*\/\/ @ts-expect-error\b/;

function tsc(cwd, ...args) {
  const run = spawnSync(TSC, ['--pretty', 'false', ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  if (run.error) throw run.error;
  return { status: run.status, out: run.stdout + run.stderr };
}

/** `file(line,col): error TSnnnn: message` lines of tsc's plain output. */
function errors(out) {
  return [...out.matchAll(/^(\S+?)\((\d+),(\d+)\): error (TS\d+): (.*)$/gm)].map(([, file, line, , code, message]) => ({
    file,
    line: Number(line),
    code,
    message,
  }));
}

/** Copies tests/types (all of it: sources, tsconfigs, package.json) into `dir`. */
function copySources(dir) {
  mkdirSync(dir, { recursive: true });
  for (const name of readdirSync(SOURCE)) cpSync(join(SOURCE, name), join(dir, name));
}

const installed = realpathSync(packageDir);

before(() => {
  rmSync(WORK, { recursive: true, force: true });
  copySources(WORK);
});

test('the installed tsc runs (TypeScript 7 native CLI)', (t) => {
  const { status, out } = tsc(WORK, '--version');
  t.diagnostic(out.trim());
  assert.equal(status, 0, out);
  assert.match(out, /^Version \d+\.\d+\.\d+/);
});

test('strict ESM (.ts) and CommonJS (.cts) consumers type-check against the packed package (node16)', () => {
  const { status, out } = tsc(WORK, '-p', 'tsconfig.json', '--listFiles');
  assert.equal(status, 0, out);
  assert.deepEqual(errors(out), []);
  const files = out.split('\n').map((line) => line.trim());
  // ESM takes the "default" types, CJS the "require" types, both from the tarball install.
  assert.ok(files.includes(join(installed, 'dist', 'index.d.ts')), out);
  assert.ok(files.includes(join(installed, 'dist', 'index.d.cts')), out);
  assert.ok(!files.some((f) => f.startsWith(join(repoRoot, 'dist'))), 'resolved the repo build instead of the packed package');
});

test('the ESM consumer type-checks under bundler resolution', () => {
  const { status, out } = tsc(WORK, '-p', 'tsconfig.bundler.json', '--listFiles');
  assert.equal(status, 0, out);
  assert.ok(out.split('\n').map((l) => l.trim()).includes(join(installed, 'dist', 'index.d.ts')), out);
});

// A project built for one runtime sets that runtime's condition (Workers,
// Vercel Edge, Deno, Bun, browsers); each branch of "exports" must bring types.
for (const condition of ['workerd', 'worker', 'edge-light', 'deno', 'bun', 'browser']) {
  test(`the ESM consumer type-checks with customConditions ["${condition}"] (bundler resolution)`, () => {
    const { status, out } = tsc(WORK, '-p', 'tsconfig.bundler.json', '--customConditions', condition, '--listFiles');
    assert.equal(status, 0, out);
    assert.ok(out.split('\n').map((l) => l.trim()).includes(join(installed, 'dist', 'index.d.ts')), out);
  });
}

test('every @ts-expect-error marks a real error: without the directives exactly those lines fail', () => {
  const dir = join(WORK, 'without-directives');
  copySources(dir);
  const expected = [];
  for (const name of ['consumer.ts', 'consumer.cts']) {
    const lines = readFileSync(join(SOURCE, name), 'utf8').split('\n');
    const neutral = lines.map((line, i) => {
      if (!DIRECTIVE.test(line)) return line;
      expected.push(`${name}:${i + 2}`); // the line after the directive (1-based)
      return line.replace('@ts-expect-error', 'expect-error');
    });
    writeFileSync(join(dir, name), neutral.join('\n'));
  }
  assert.ok(expected.length >= 20, `only ${expected.length} negative cases`);
  const { status, out } = tsc(dir, '-p', 'tsconfig.json');
  assert.notEqual(status, 0, out);
  const failing = [...new Set(errors(out).map((e) => `${e.file}:${e.line}`))].sort();
  assert.deepEqual(failing, [...expected].sort(), out);
});

test('deliberately wrong files fail with the expected errors', () => {
  const dir = join(WORK, 'wrong');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ extends: '../tsconfig.json', files: ['wrong.ts', 'wrong.cts'] }));
  writeFileSync(
    join(dir, 'wrong.ts'),
    [
      "import { signRerunTaskFlowInstance, rerunTaskflowInstance } from 'dms-rerun';",
      "signRerunTaskFlowInstance({ accessKeyId: 'id', accessKeySecret: 's', method: 'PUT' }, { dagId: 1, dagInstanceId: 2, dagVersion: '3' });",
      "signRerunTaskFlowInstance({ accessKeyId: 'id', accessKeySecret: 's' }, { dagId: false, dagInstanceId: 2, dagVersion: '3' });",
      '// @ts-expect-error',
      "export const fine: string = 'this line is correct, so the directive above is unused';",
      'void rerunTaskflowInstance;',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'wrong.cts'),
    [
      "import dms = require('dms-rerun');",
      "dms.signRerunTaskFlowInstance({ accessKeyId: 'id', accessKeySecret: 's' }, { dagId: 1, dagInstanceId: 2 });",
      '',
    ].join('\n'),
  );
  const { status, out } = tsc(dir, '-p', 'tsconfig.json');
  assert.notEqual(status, 0, out);
  const got = errors(out).map((e) => `${e.file}:${e.line} ${e.code}`).sort();
  assert.deepEqual(
    got,
    [
      'wrong.cts:2 TS2741', // dagVersion missing
      'wrong.ts:1 TS2724', // misspelled export
      'wrong.ts:2 TS2322', // method 'PUT'
      'wrong.ts:3 TS2322', // dagId boolean
      'wrong.ts:4 TS2578', // unused @ts-expect-error
    ].sort(),
    out,
  );
});
