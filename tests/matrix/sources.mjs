/**
 * The consumer code of each kind of cell, as a user would write it: import
 * (or require) 'dms-rerun' by name, then hand the module to `check` (pasted
 * in from check.mjs) and report its JSON result the way that runtime can.
 * None of it uses top-level await, so any output format a bundler picks works.
 */
import { check } from './check.mjs';

const CHECK = check.toString();
const ESM = "import * as dms from 'dms-rerun';";
const esmFrom = (specifier) => `import * as dms from '${specifier}';`;
const CJS = "const dms = require('dms-rerun');";

/** A script run by a process (Node, Deno, Bun): input from the environment, result on stdout. */
export const processMain = (system, extra = '', specifier = 'dms-rerun') => `${system === 'cjs' ? CJS : esmFrom(specifier)}
${CHECK}
const env = globalThis.Deno ? Deno.env.get('DMS_MATRIX_INPUT') : process.env.DMS_MATRIX_INPUT;
check(dms, JSON.parse(env))${extra}
  .then((result) => console.log(JSON.stringify(result)));
`;

/** Bun: `import` and `require` of the package in one process must be the same module. */
export const bunMain = (extra) =>
  "import { createRequire } from 'node:module';\n" +
  processMain('esm', "\n  .then((r) => Object.assign(r, { requireIsImport: createRequire(import.meta.url)('dms-rerun').DmsError === dms.DmsError }))" + extra);

/** A page script: the test calls `window.__check(input)` once the bundle has run. */
export const pageApp = (system) => `${system === 'cjs' ? CJS : ESM}
${CHECK}
window.__check = (input) => check(dms, input);
`;

/** The page around a bundle (or, for the import map cell, around the package itself). */
export const pageHtml = ({ script, module = true, importMap }) => `<!doctype html>
<html>
<head>
<meta charset="utf-8">
<title>dms-rerun matrix cell</title>
<link rel="icon" href="data:,">
${importMap ? `<script type="importmap">${JSON.stringify({ imports: importMap })}</script>\n` : ''}<script${module ? ' type="module"' : ''} src="${script}"></script>
</head>
<body></body>
</html>
`;

/** A Worker / Edge handler: the input is the request body, the result the response. */
export const fetchHandler = (shape) => `${ESM}
${CHECK}
const handle = (request) => request.json().then((input) => check(dms, input)).then((result) => Response.json(result));
${shape === 'worker' ? 'export default { fetch: handle };' : 'export default handle;'}
`;
