// Packs the package exactly as npm would publish it and installs the tarball
// into test-output/consumer, so end-to-end tests import `dms-rerun` the way
// users do (exports map, files list, zero dependencies) — never from dist/.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, 'test-output');
const consumer = join(out, 'consumer');
mkdirSync(out, { recursive: true });

const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', out], { cwd: root, encoding: 'utf8' }));
const { filename, files, size, unpackedSize } = packed[0];
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
if (Object.keys(manifest.dependencies ?? {}).length > 0) throw new Error('the package must have zero runtime dependencies');

rmSync(consumer, { recursive: true, force: true });
mkdirSync(consumer, { recursive: true });
writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }, null, 2));
// Tiny shims inside the consumer, so a test anywhere loads the package with
// the consumer's own resolution (`import` → node/import, `require` → node/require).
writeFileSync(join(consumer, 'esm.mjs'), "export * from 'dms-rerun';\n");
writeFileSync(join(consumer, 'cjs.cjs'), "module.exports = require('dms-rerun');\n");
execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', join(out, filename)], { cwd: consumer, stdio: 'inherit' });
console.error(`[pack] ${filename}: ${files.length} files, ${size} B packed, ${unpackedSize} B unpacked → installed in test-output/consumer`);
