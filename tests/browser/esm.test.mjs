/**
 * The packed package in headless Chromium as plain ESM: a static page whose
 * import map sends 'dms-rerun' to the installed package's dist/web/index.mjs,
 * served from another origin than the emulator (CORS is exercised).
 *
 *   node --test tests/browser/esm.test.mjs
 */
import { join } from 'node:path';
import { packageDir } from '../support/consumer.mjs';
import { defineBrowserSuite, fixturesDir, startStaticServer } from './support.mjs';

defineBrowserSuite({
  mode: 'esm',
  serve: () =>
    startStaticServer({
      '/': fixturesDir,
      // Only the browser build of the installed package is reachable.
      '/dms-rerun/dist/web/': join(packageDir, 'dist', 'web'),
    }),
});
