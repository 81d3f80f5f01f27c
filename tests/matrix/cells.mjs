/**
 * The runtime × bundler matrix: each cell is a consumer project (project.mjs)
 * with the user's code (sources.mjs), built by the real tool with no config
 * beyond what that kind of project always has (an entry, an output, the
 * target platform), and run in the runtime it targets.
 *
 * A cell: { id, runtime, tool, project, build?(dir) → {out, version}, run(dir, built, input) → host result }
 * `out` is what the tool emitted (a folder or a file); its size is reported.
 */
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { outputDir, packageDir, repoRoot } from '../support/consumer.mjs';
import { deploy, mustRun, versionIn } from './project.mjs';
import { bunMain, fetchHandler, pageApp, pageHtml, processMain } from './sources.mjs';
import { runInEdge, runInPage, runInWorkerd, sharedBrowser, startTarballRegistry, toolVersion } from './hosts.mjs';

const NODE = process.execPath;
const DENO = join(repoRoot, 'node_modules', '.bin', 'deno');
const BUN = join(repoRoot, 'node_modules', '.bin', 'bun');
const COMPATIBILITY_DATE = '2025-09-01';
const { name: NAME, version: VERSION } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
const DENO_ENV = (dir) => ({ DENO_DIR: join(dir, '.deno'), DENO_NO_UPDATE_CHECK: '1', DENO_NO_PROMPT: '1' });

/** Adds where the runtime resolved `specifier` to the result: which copy, which export condition. */
const resolvedAs = (specifier) => `\n  .then((r) => Object.assign(r, { resolved: new URL(import.meta.resolve('${specifier}')).pathname }))`;
const requireResolved = "\n  .then((r) => Object.assign(r, { resolved: require.resolve('dms-rerun') }))";
const entry = (dir, file) => join(dir, 'node_modules', 'dms-rerun', 'dist', file);

/** Runs a script (Node, Deno or Bun) with the input in its environment; its last stdout line is the result. */
async function runScript(command, args, { cwd, input, env = {} }) {
  const { stdout, stderr } = await mustRun(command, args, { cwd, env: { ...env, DMS_MATRIX_INPUT: JSON.stringify(input) } });
  const last = stdout.trim().split('\n').at(-1);
  return { result: JSON.parse(last), problems: stderr.trim() ? [stderr.trim()] : [] };
}

const node = (file) => (dir, built, input) => runScript(NODE, [file], { cwd: dir, input });

/** A bundled Node server, run where nothing but the bundle is. */
const deployedNode = (type) => (dir, built, input) => {
  const file = deploy(built.id, built.out, type);
  return runScript(NODE, [file], { cwd: join(file, '..'), input });
};

const esbuild = (dir, args) => mustRun(join(dir, 'node_modules', 'esbuild', 'bin', 'esbuild'), args, { cwd: dir });
const webpack = (dir, args) => mustRun(NODE, [join(dir, 'node_modules', 'webpack-cli', 'bin', 'cli.js'), '--mode', 'production', ...args], { cwd: dir });
const page = (dir, built, input) => runInPage(built.out, input);

const WEBPACK = { webpack: 'webpack', 'webpack-cli': 'webpack-cli' };

/** Every cell, in the order of the README table. */
export const CELLS = [
  {
    id: 'node-esm',
    runtime: `Node ${process.version}`,
    tool: 'none: `import`',
    project: { files: { 'main.mjs': processMain('esm', resolvedAs('dms-rerun')) } },
    resolved: (dir) => entry(dir, 'node/index.mjs'),
    run: node('main.mjs'),
  },
  {
    id: 'node-cjs',
    runtime: `Node ${process.version}`,
    tool: 'none: `require`',
    project: { files: { 'main.cjs': processMain('cjs', requireResolved) } },
    resolved: (dir) => entry(dir, 'node/index.cjs'),
    run: node('main.cjs'),
  },
  {
    id: 'node-esbuild-esm',
    runtime: `Node ${process.version}`,
    tool: 'esbuild `--bundle --platform=node --format=esm`',
    project: { files: { 'main.mjs': processMain('esm') }, tools: { esbuild: 'esbuild' } },
    async build(dir) {
      await esbuild(dir, ['main.mjs', '--bundle', '--platform=node', '--format=esm', '--outfile=out/server.mjs']);
      return { out: join(dir, 'out', 'server.mjs'), version: `esbuild ${versionIn(dir, 'esbuild')}` };
    },
    run: deployedNode('module'),
  },
  {
    id: 'node-esbuild-cjs',
    runtime: `Node ${process.version}`,
    tool: 'esbuild `--bundle --platform=node --format=cjs` (`require`)',
    project: { files: { 'main.cjs': processMain('cjs') }, tools: { esbuild: 'esbuild' } },
    async build(dir) {
      await esbuild(dir, ['main.cjs', '--bundle', '--platform=node', '--format=cjs', '--outfile=out/server.cjs']);
      return { out: join(dir, 'out', 'server.cjs'), version: `esbuild ${versionIn(dir, 'esbuild')}` };
    },
    run: deployedNode('commonjs'),
  },
  {
    id: 'node-webpack',
    runtime: `Node ${process.version}`,
    tool: 'webpack `--target node`',
    project: { files: { 'main.mjs': processMain('esm') }, tools: WEBPACK },
    async build(dir) {
      await webpack(dir, ['--target', 'node', '--entry', './main.mjs', '--output-path', 'out']);
      return { out: join(dir, 'out', 'main.js'), version: `webpack ${versionIn(dir, 'webpack')}` };
    },
    run: deployedNode('commonjs'),
  },
  {
    id: 'chromium-esbuild',
    runtime: 'Chromium',
    tool: 'esbuild `--bundle --platform=browser --format=esm`',
    project: { files: { 'app.mjs': pageApp('esm'), 'out/index.html': pageHtml({ script: 'app.js' }) }, tools: { esbuild: 'esbuild' } },
    async build(dir) {
      await esbuild(dir, ['app.mjs', '--bundle', '--platform=browser', '--format=esm', '--outfile=out/app.js']);
      return { out: join(dir, 'out'), version: `esbuild ${versionIn(dir, 'esbuild')}` };
    },
    run: page,
  },
  {
    id: 'chromium-rollup',
    runtime: 'Chromium',
    tool: 'rollup + @rollup/plugin-node-resolve (only)',
    project: {
      files: {
        'app.mjs': pageApp('esm'),
        'out/index.html': pageHtml({ script: 'app.js' }),
        'rollup.config.mjs': [
          "import { nodeResolve } from '@rollup/plugin-node-resolve';",
          '',
          "export default { input: 'app.mjs', output: { file: 'out/app.js', format: 'es' }, plugins: [nodeResolve()] };",
          '',
        ].join('\n'),
      },
      tools: { rollup: 'rollup', '@rollup/plugin-node-resolve': '@rollup/plugin-node-resolve' },
    },
    async build(dir) {
      await mustRun(NODE, [join(dir, 'node_modules', 'rollup', 'dist', 'bin', 'rollup'), '-c'], { cwd: dir });
      return { out: join(dir, 'out'), version: `rollup ${versionIn(dir, 'rollup')}, plugin-node-resolve ${versionIn(dir, '@rollup/plugin-node-resolve')}` };
    },
    run: page,
  },
  {
    id: 'chromium-webpack-import',
    runtime: 'Chromium',
    tool: 'webpack (`import`)',
    project: { files: { 'app.mjs': pageApp('esm'), 'out/index.html': pageHtml({ script: 'main.js', module: false }) }, tools: WEBPACK },
    async build(dir) {
      await webpack(dir, ['--entry', './app.mjs', '--output-path', 'out']);
      return { out: join(dir, 'out'), version: `webpack ${versionIn(dir, 'webpack')}` };
    },
    run: page,
  },
  {
    id: 'chromium-webpack-require',
    runtime: 'Chromium',
    tool: 'webpack (`require`)',
    project: { files: { 'app.cjs': pageApp('cjs'), 'out/index.html': pageHtml({ script: 'main.js', module: false }) }, tools: WEBPACK },
    async build(dir) {
      await webpack(dir, ['--entry', './app.cjs', '--output-path', 'out']);
      return { out: join(dir, 'out'), version: `webpack ${versionIn(dir, 'webpack')}` };
    },
    run: page,
  },
  ...['vite', 'vite8'].map((pkg) => ({
    id: `chromium-${pkg === 'vite' ? 'vite7' : pkg}`,
    runtime: 'Chromium',
    tool: `Vite ${toolVersion(pkg).split('.')[0]} \`vite build\``,
    project: { files: { 'app.mjs': pageApp('esm'), 'index.html': pageHtml({ script: '/app.mjs' }) }, tools: { vite: pkg } },
    async build(dir) {
      await mustRun(NODE, [join(dir, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--outDir', 'out', '--logLevel', 'warn'], { cwd: dir });
      return { out: join(dir, 'out'), version: `vite ${versionIn(dir, 'vite')}` };
    },
    run: page,
  })),
  {
    id: 'chromium-importmap',
    runtime: 'Chromium',
    tool: 'none: plain ESM + import map',
    project: {
      files: {
        'app.mjs': pageApp('esm'),
        'index.html': pageHtml({ script: 'app.mjs', importMap: { 'dms-rerun': './node_modules/dms-rerun/dist/web/index.mjs' } }),
      },
    },
    run: (dir, built, input) => runInPage(dir, input),
  },
  {
    id: 'workerd-wrangler',
    runtime: 'workerd',
    tool: 'wrangler `deploy --dry-run` bundle',
    project: {
      files: {
        'worker.mjs': fetchHandler('worker'),
        'wrangler.toml': `name = "matrix-worker"\nmain = "worker.mjs"\ncompatibility_date = "${COMPATIBILITY_DATE}"\n`,
      },
      tools: { wrangler: 'wrangler' },
    },
    async build(dir) {
      // Offline and quiet: no metrics, no update check, nothing written to ~.
      const env = {
        CI: 'true',
        WRANGLER_SEND_METRICS: 'false',
        WRANGLER_SEND_ERROR_REPORTS: 'false',
        WRANGLER_HIDE_BANNER: 'true',
        XDG_CONFIG_HOME: join(dir, '.home'),
        WRANGLER_LOG_PATH: join(dir, '.logs'),
      };
      await mustRun(NODE, [join(dir, 'node_modules', 'wrangler', 'bin', 'wrangler.js'), 'deploy', '--dry-run', '--outdir', 'out'], { cwd: dir, env });
      return { out: join(dir, 'out'), version: `wrangler ${versionIn(dir, 'wrangler')}, workerd ${toolVersion('workerd')}` };
    },
    run: (dir, built, input) => runInWorkerd(built.out, COMPATIBILITY_DATE, input),
  },
  {
    id: 'vercel-edge',
    runtime: `Vercel Edge Runtime (edge-runtime ${toolVersion('edge-runtime')})`,
    tool: 'esbuild as `vercel dev` bundles Edge Functions (`edge-light`, CommonJS)',
    project: { files: { 'api/handler.mjs': fetchHandler('edge') }, tools: { esbuild: 'esbuild' } },
    async build(dir) {
      await esbuild(dir, ['api/handler.mjs', '--bundle', '--platform=browser', '--format=cjs', '--conditions=edge-light,development', '--outfile=out/handler.js']);
      return { out: join(dir, 'out', 'handler.js'), version: `esbuild ${versionIn(dir, 'esbuild')}` };
    },
    run: (dir, built, input) => runInEdge(built.out, input),
  },
  {
    id: 'deno',
    runtime: 'Deno',
    tool: 'none: `import` (package.json + node_modules)',
    project: { files: { 'main.mjs': processMain('esm', resolvedAs('dms-rerun')) } },
    resolved: (dir) => entry(dir, 'web/index.mjs'),
    run: (dir, built, input) =>
      runScript(DENO, ['run', '--allow-net=127.0.0.1', '--allow-env=DMS_MATRIX_INPUT', 'main.mjs'], { cwd: dir, input, env: DENO_ENV(dir) }),
  },
  {
    id: 'deno-npm',
    runtime: 'Deno',
    tool: 'none: `import \'npm:dms-rerun\'` (installed by Deno from a registry serving the tarball)',
    project: { files: { 'main.mjs': processMain('esm', resolvedAs(`npm:${NAME}@${VERSION}`), `npm:${NAME}@${VERSION}`) }, npm: false },
    resolved: (dir) => join(dir, '.deno', 'npm', '*', NAME, VERSION, 'dist', 'web', 'index.mjs'),
    async run(dir, built, input) {
      const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
      const registry = await startTarballRegistry(join(outputDir, `${NAME}-${VERSION}.tgz`), manifest);
      try {
        const env = { ...DENO_ENV(dir), NPM_CONFIG_REGISTRY: registry.url };
        // --no-config: this project sits inside the dms-rerun repository, whose package.json Deno would otherwise use.
        const ran = await runScript(DENO, ['run', '--no-config', '--allow-net=127.0.0.1', '--allow-env=DMS_MATRIX_INPUT', 'main.mjs'], { cwd: dir, input, env });
        // Deno reports its two downloads on stderr; anything else is a problem.
        const problems = ran.problems.flatMap((p) => p.split('\n')).filter((line) => !/^Download http:\/\/127\.0\.0\.1:\d+\/dms-rerun(\/-\/dms-rerun-[\d.]+\.tgz)?$/.test(line));
        if (registry.requests.length !== 2) problems.push(`registry requests: ${registry.requests}`);
        return { ...ran, problems };
      } finally {
        await registry.close();
      }
    },
  },
  {
    id: 'bun',
    runtime: 'Bun',
    tool: 'none: `import` and `require`',
    project: { files: { 'main.mjs': bunMain(resolvedAs('dms-rerun')) } },
    resolved: (dir) => entry(dir, 'web/index.mjs'),
    run: (dir, built, input) => runScript(BUN, ['--no-install', 'main.mjs'], { cwd: dir, input }),
  },
];

/** The runtime's own version, where it is a separate binary. */
export async function runtimeVersion(cell) {
  if (cell.id.startsWith('deno')) return (await mustRun(DENO, ['--version'], { cwd: repoRoot })).stdout.split('\n')[0];
  if (cell.id === 'bun') return `Bun ${(await mustRun(BUN, ['--version'], { cwd: repoRoot })).stdout.trim()}`;
  if (cell.runtime === 'Chromium') return `Chromium ${(await sharedBrowser()).version()}`;
  return cell.runtime;
}
