// Reading the page's inputs into the package's arguments, on each click (the
// page keeps no copy). Ids stay strings, so 64-bit values stay exact; empty
// optional fields are left out; the secret and DagVersion are passed
// verbatim, everything else trimmed (stray spaces from copy-paste).
import { $ } from './dom.js';

const form = () => $('form');
const text = (name) => form().elements[name].value.trim();
const optional = (object, key, value) => {
  if (value !== '') object[key] = value;
  return object;
};

/** The `config` every call shares: the Credentials fieldset and the Endpoint. */
export function readConfig() {
  const config = { accessKeyId: text('AccessKeyId'), accessKeySecret: form().elements.AccessKeySecret.value };
  optional(config, 'securityToken', text('SecurityToken'));
  return optional(config, 'endpoint', text('Endpoint'));
}

/** The tenant id typed above, or undefined. */
export const readTid = () => text('Tid') || undefined;

/** The rerun form: `{config, request, overrides}` (overrides for Preview only). */
export function readRerunForm() {
  const request = { dagId: text('DagId'), dagInstanceId: text('DagInstanceId'), dagVersion: form().elements.DagVersion.value };
  optional(request, 'tid', text('Tid'));
  const overrides = {};
  optional(overrides, 'timestamp', text('Timestamp'));
  optional(overrides, 'nonce', text('SignatureNonce'));
  return { config: readConfig(), request, overrides };
}

/** The Worker proxy fields, as typed (proxy-client.js checks them). */
export const readProxy = () => ({ proxyUrl: $('ProxyUrl').value, token: $('ProxyToken').value });

/** Proxy mode is on as soon as a ProxyUrl is typed. */
export const proxyMode = () => $('ProxyUrl').value.trim() !== '';
