/**
 * The packed tarball through the two package linters users and registries
 * trust: publint (exports map, files, formats) and Are The Types Wrong
 * (the types each resolution mode finds match the JS it loads). Both must
 * report nothing at all: no error, warning or suggestion.
 *
 *   node scripts/build.mjs && node scripts/pack.mjs
 *   node --test tests/matrix/package-lint.test.mjs
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { outputDir, repoRoot } from '../support/consumer.mjs';
import { runProcess } from '../support/run-process.mjs';

const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
const tarball = join(outputDir, `${manifest.name}-${manifest.version}.tgz`);

test('publint: no message on the packed tarball', async (t) => {
  const bytes = readFileSync(tarball);
  const { messages, pkg } = await publint({ pack: { tarball: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) }, level: 'suggestion' });
  t.diagnostic(`publint ${JSON.parse(readFileSync(join(repoRoot, 'node_modules/publint/package.json'), 'utf8')).version} on ${tarball}`);
  assert.deepEqual(messages.map((m) => `${m.type}: ${formatMessage(m, pkg)}`), []);
});

test('attw: no problem in any resolution mode (node10, node16 CJS and ESM, bundler)', async (t) => {
  const bin = join(repoRoot, 'node_modules', '@arethetypeswrong', 'cli', 'dist', 'index.js');
  const run = await runProcess(process.execPath, [bin, tarball, '--format', 'json'], { cwd: repoRoot, env: process.env, timeoutMs: 120_000 });
  const report = JSON.parse(run.stdout);
  const resolutions = Object.fromEntries(
    Object.entries(report.analysis.entrypoints['.'].resolutions).map(([mode, r]) => [mode, r.resolution?.fileName]),
  );
  const version = JSON.parse(readFileSync(join(bin, '..', '..', 'package.json'), 'utf8')).version;
  t.diagnostic(`attw ${version}: ${JSON.stringify(resolutions)}`);
  assert.deepEqual(report.analysis.problems, [], JSON.stringify(report.analysis.problems, null, 2));
  assert.deepEqual(report.problems, {});
  assert.equal(run.code, 0, run.stderr);
  // And every mode found types at all (attw also counts "no types" as a problem; this says which).
  for (const [mode, file] of Object.entries(resolutions)) assert.match(file ?? '', /\/dist\/index\.d\.c?ts$/, mode);
});
