/**
 * Consumer projects for the matrix, one folder per cell under
 * test-output/matrix/<cell>/, each a project a user could `cd` into:
 *
 *   package.json                   its own (type module unless the cell says otherwise)
 *   node_modules/dms-rerun/        the packed tarball as npm installed it (a copy of
 *                                  test-output/consumer's, made by scripts/pack.mjs)
 *   node_modules/<tool>            the bundler the cell uses, linked from the repo's devDependencies
 *   <entry>, index.html, config    the consumer's own files (sources.mjs)
 *   out/                           what the tool emitted
 *
 * Bundled Node servers are then run from test-output/matrix-deploy/<cell>/,
 * where no node_modules can be found: the bundle must stand alone.
 */
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import { outputDir, packageDir, repoRoot } from '../support/consumer.mjs';
import { runProcess } from '../support/run-process.mjs';

export const matrixDir = join(outputDir, 'matrix');
export const deployDir = join(outputDir, 'matrix-deploy');

/**
 * Creates (afresh) the project of cell `id`.
 * @param {string} id
 * @param {{files: Record<string,string>, tools?: Record<string,string>, type?: string, npm?: boolean}} spec
 *   tools: name in the project's node_modules → package folder in the repo's node_modules;
 *   npm: false for a project without package.json and node_modules (Deno's `npm:` specifiers)
 */
export function makeProject(id, { files, tools = {}, type = 'module', npm = true }) {
  const dir = join(matrixDir, id);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  if (npm) {
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `matrix-${id}`, private: true, type }, null, 2) + '\n');
    cpSync(packageDir, join(dir, 'node_modules', 'dms-rerun'), { recursive: true, dereference: true });
  }
  for (const [name, from] of Object.entries(tools)) {
    const link = join(dir, 'node_modules', name);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(join(repoRoot, 'node_modules', from), link, 'dir');
  }
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

/** Version of a package as the project sees it. */
export function versionIn(dir, name) {
  return JSON.parse(readFileSync(join(dir, 'node_modules', name, 'package.json'), 'utf8')).version;
}

/** Runs a command in `cwd`; rejects with its output unless it exits 0. */
export async function mustRun(command, args, { cwd, env = {}, timeoutMs = 90_000 }) {
  // Plain output: NO_COLOR, and no FORCE_COLOR at all (Deno forces colour when it is set, even to 0).
  const { FORCE_COLOR: _force, ...inherited } = process.env;
  const result = await runProcess(command, args, { cwd, env: { ...inherited, NO_COLOR: '1', ...env }, timeoutMs });
  if (result.code !== 0) {
    throw new Error(`${relative(repoRoot, command)} ${args.join(' ')} (in ${relative(repoRoot, cwd)}) exited ${result.code ?? result.signal}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`);
  }
  return result;
}

/** Every file under `dir`, relative, sorted. */
function listFiles(dir, base = dir) {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name), base) : [relative(base, join(dir, e.name)).split(sep).join('/')]))
    .sort();
}

/** The code a tool emitted (scripts and wasm, not html/maps): `{files: [{name, bytes, gzip}], bytes, gzip}`. */
export function emitted(dir) {
  const files = listFiles(dir)
    .filter((name) => /\.(m?js|cjs|wasm)$/.test(name))
    .map((name) => {
      const data = readFileSync(join(dir, name));
      return { name, bytes: data.length, gzip: gzipSync(data, { level: 9 }).length };
    });
  return { files, bytes: files.reduce((s, f) => s + f.bytes, 0), gzip: files.reduce((s, f) => s + f.gzip, 0) };
}

/** Copies a bundled server into its own folder with only a package.json: nothing to resolve but the bundle. */
export function deploy(id, file, type) {
  const dir = join(deployDir, id);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `deploy-${id}`, private: true, type }) + '\n');
  const target = join(dir, file.split(sep).at(-1));
  cpSync(file, target);
  return target;
}


/**
 * The wasm bytes as they came out of a bundler: finds the string literal
 * that starts with the module's magic number in emitted code (whatever
 * quotes and escapes the tool chose) and evaluates just that literal.
 * Null when there is none.
 */
export function inlineWasmIn(code) {
  const start = /(["'`])(?:\\0|\\x00|\\u0000)asm/.exec(code);
  if (!start) return null;
  const quote = start[1];
  let i = start.index + 1;
  while (i < code.length && code[i] !== quote) i += code[i] === '\\' ? 2 : 1;
  const text = (0, eval)(`'use strict'; ${code.slice(start.index, i + 1)}`);
  return Buffer.from(text, 'latin1');
}
