// Entry of the demo page. Loads the demo settings and the package, then wires
// the page (page.js). Deliberately keeps nothing: no storage, no URL changes,
// no console output (the config holds the secret, the proxy call the token).
//
//   dom.js           DOM helpers; server text is always set as text
//   fields.js        reading the inputs into the package's arguments
//   proxy-client.js  the Worker proxy's client (POST /rerun only)
//   proxy-mode.js    the ProxyUrl switch and what it changes on the page
//   reports.js       an outcome or error → what to show and advise
//   send-rerun.js    one rerun, direct or through the proxy
//   rerun-form.js    Rerun and Preview of the single-instance form
//   finder.js        the "Find failed runs" panel; runs-table.js its table
import { $ } from './dom.js';
import { watchProxyMode } from './proxy-mode.js';

/** The demo values from the server (emulator URL and its public demo key), if any. */
async function loadConfig() {
  try {
    const response = await fetch('/config.json', { cache: 'no-store' });
    return response.ok ? await response.json() : {};
  } catch {
    return {};
  }
}

/** Fills the named fields of the two forms; set as properties, so the secret is not in the markup. */
function prefill(values = {}) {
  for (const form of [$('form'), $('find-form')]) {
    for (const [name, value] of Object.entries(values)) {
      if (form.elements[name]) form.elements[name].value = value;
    }
  }
}

async function main() {
  const status = $('status');
  watchProxyMode();
  const [loaded, config] = await Promise.allSettled([import('dms-rerun'), loadConfig()]);
  prefill(config.value?.demo);
  if (config.value?.emulatorUrl) {
    const target = $('target');
    target.textContent =
      `Demo mode: the form is prefilled for the local DMS emulator at ${config.value.emulatorUrl} ` +
      '(a stand-in for Alibaba\u2019s gateway, with a public demo key). No Alibaba account needed: press Rerun, ' +
      'or Find to list its seeded failed runs.';
    target.hidden = false;
  }
  if (loaded.status === 'rejected') {
    status.textContent = `Could not load the package: ${loaded.reason?.message ?? loaded.reason}`;
    status.classList.add('failed');
    return;
  }
  try {
    const { wirePage } = await import('./page.js');
    wirePage();
  } catch (error) {
    status.textContent = `Could not start the page: ${error?.message ?? error}`;
    status.classList.add('failed');
    return;
  }
  status.textContent = 'Package loaded (WebAssembly ready).';
  document.documentElement.dataset.ready = 'true';
}

main();
