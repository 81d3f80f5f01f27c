// The "Send through a Worker proxy" switch: a ProxyUrl turns it on. Shows the
// mode next to the proxy fields, greys out the Credentials the Rerun then
// ignores, and tells other parts of the page (the Find panel) about changes.
import { $ } from './dom.js';
import { proxyMode } from './fields.js';
import { proxyTarget } from './proxy-client.js';

const listeners = [];

function update() {
  const on = proxyMode();
  $('credentials').classList.toggle('ignored', on);
  $('credentials-note').hidden = !on;
  $('proxy').classList.toggle('active', on);
  $('actions-hint').textContent = on
    ? 'Preview is library-only: it signs with the Credentials, locally, and never uses the proxy.'
    : 'Preview signs the request without sending it.';
  const mode = $('proxy-mode');
  if (!on) {
    mode.textContent = 'Off: Rerun calls DMS directly with the Credentials above.';
  } else {
    try {
      mode.textContent = `On: Rerun posts to ${proxyTarget($('ProxyUrl').value)} with the ProxyToken; the Credentials are not used.`;
    } catch (error) {
      mode.textContent = `On, but: ${error.message}.`;
    }
  }
  for (const listener of listeners) listener(on);
}

/** Starts following the ProxyUrl field (once, at load). */
export function watchProxyMode() {
  $('ProxyUrl').addEventListener('input', update);
  update();
}

/** Calls `listener(on)` now and on every change of the mode. */
export function onProxyModeChange(listener) {
  listeners.push(listener);
  listener(proxyMode());
}
