// The official SDK's signing, @alicloud/pop-core 1.8.0, for the sign rows.
// Its helpers (normalize, canonicalize, encode, formatParams, …) are
// module-local in node_modules/@alicloud/pop-core/lib/rpc.js, so this loads
// THAT file's own code once more as a CommonJS module, with one line appended
// that hands those functions out: what runs is pop-core's code, not a copy.
// `kitx` is the copy rpc.js itself requires (its nested node_modules).
//
// Two paths are measured:
//  - popCoreBareSign: only the signing internals, as RPCClient#request calls
//    them (rpc.js lines 199-210): the parameter object, normalize →
//    canonicalize → encode → kitx.sha1. No option or header assembly.
//  - popCoreSign: RPCClient#request lines 166-216 and 228-232 (everything up
//    to, not including, the HTTP send: options and headers, formatParams,
//    the signed body), the path of the earlier "simpler request" row.
// timestamp() and kitx.makeNonce() are replaced by fixed values on both, as
// ours gets the same overrides.
import { readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const rpcPath = createRequire(import.meta.url).resolve('@alicloud/pop-core/lib/rpc.js');

function loadInternals() {
  const m = new Module(rpcPath, null);
  m.filename = rpcPath;
  m.paths = Module._nodeModulePaths(dirname(rpcPath));
  const source = readFileSync(rpcPath, 'utf8') +
    '\nmodule.exports = { RPCClient, firstLetterUpper, formatParams, encode, normalize, canonicalize, kitx, helper };\n';
  m._compile(source, rpcPath);
  return m.exports;
}

export const popCore = loadInternals();
export const popCoreVersion = JSON.parse(readFileSync(join(dirname(rpcPath), '..', 'package.json'), 'utf8')).version;
const { firstLetterUpper, formatParams, encode, normalize, canonicalize, kitx, helper } = popCore;

/**
 * The bare signing work for one request, as pop-core does it: `params` are
 * the operation's parameters in wire spelling (`{Tid, DagId, …}`). The
 * common parameters are assembled as rpc.js lines 185-199 do (fresh object
 * each call, since timestamp and nonce change per request), then
 * normalize → canonicalize → encode → kitx.sha1 (lines 202-210).
 */
export function popCoreBareSign(credentials, apiVersion, action, params, method, fixed) {
  const all = Object.assign({ Action: action }, {
    Format: 'JSON',
    Timestamp: fixed.timestamp,
    Version: apiVersion,
    SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0',
    SignatureNonce: fixed.nonce,
    AccessKeyId: credentials.accessKeyId,
  }, params);
  const normalized = normalize(all);
  const canonicalized = canonicalize(normalized);
  const stringToSign = `${method}&${encode('/')}&${encode(canonicalized)}`;
  const signature = kitx.sha1(stringToSign, credentials.accessKeySecret + '&', 'base64');
  return { stringToSign, signature };
}

/**
 * `client` mimics an RPCClient's fields ({endpoint, apiVersion, opts});
 * `credentials` what its credentialsProvider resolves to. Synchronous: the
 * `await getCredentials()` of line 165 is left out (ours is sync too).
 * Returns what pop-core would hand to httpx: url, data, the signature and the
 * string to sign (for the equality check against ours).
 */
export function popCoreSign(client, credentials, action, params, opts, fixed) {
  // rpc.js lines 166-216
  opts = Object.assign({
    headers: {
      'x-sdk-client': helper.DEFAULT_CLIENT,
      'user-agent': helper.DEFAULT_UA,
      'x-acs-action': action,
      'x-acs-version': client.apiVersion
    }
  }, client.opts, opts);
  if (opts.formatAction !== false) {
    action = firstLetterUpper(action);
  }
  if (opts.formatParams !== false) {
    params = formatParams(params);
  }
  const defaultParams = {
    Format: 'JSON',
    Timestamp: fixed.timestamp, // was timestamp()
    Version: client.apiVersion,
  };
  if (credentials && credentials.accessKeyId && credentials.accessKeySecret) {
    defaultParams.SignatureMethod = 'HMAC-SHA1';
    defaultParams.SignatureVersion = '1.0';
    defaultParams.SignatureNonce = fixed.nonce; // was kitx.makeNonce()
    defaultParams.AccessKeyId = credentials.accessKeyId;
    if (credentials.securityToken) {
      defaultParams.SecurityToken = credentials.securityToken;
    }
  }
  params = Object.assign({ Action: action }, defaultParams, params);

  const method = (opts.method || 'GET').toUpperCase();
  const normalized = normalize(params);
  let stringToSign;
  let signature;
  if (credentials && credentials.accessKeyId && credentials.accessKeySecret) {
    const canonicalized = canonicalize(normalized);
    stringToSign = `${method}&${encode('/')}&${encode(canonicalized)}`;
    const key = credentials.accessKeySecret + '&';
    signature = kitx.sha1(stringToSign, key, 'base64');
    normalized.push(['Signature', encode(signature)]);
  }
  const url = opts.method === 'POST' ? `${client.endpoint}/` : `${client.endpoint}/?${canonicalize(normalized)}`;
  // rpc.js lines 228-232
  if (opts.method === 'POST') {
    opts.headers = opts.headers || {};
    opts.headers['content-type'] = 'application/x-www-form-urlencoded';
    opts.data = canonicalize(normalized);
  }
  return { url, data: opts.data, stringToSign, signature };
}
