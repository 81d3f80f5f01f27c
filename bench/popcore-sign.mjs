// The per-request signing work of the official SDK, @alicloud/pop-core 1.8.0,
// for the throughput comparison. Its helpers are module-local (not exported),
// so the minimal code is copied verbatim from
// node_modules/@alicloud/pop-core/lib/rpc.js:
//   firstLetterUpper  lines 11-13      encode           lines 38-46
//   formatParams      lines 15-23      replaceRepeatList lines 48-67
//   flatParams        lines 69-82      normalize        lines 84-94
//   canonicalize      lines 96-103
// and popCoreSign() below is RPCClient#request lines 166-216 and 228-232 (up
// to, not including, the HTTP send; the keep-alive agent assignment 224-226 is
// left out: no socket here), with timestamp() and kitx.makeNonce() replaced by
// the fixed values (our side gets the same overrides). HMAC is pop-core's own
// kitx (its nested node_modules copy), as rpc.js line 6 requires it.
import { createRequire } from 'node:module';

const requireFromPopCore = createRequire(createRequire(import.meta.url).resolve('@alicloud/pop-core/lib/rpc.js'));
const kitx = requireFromPopCore('kitx');
const helper = requireFromPopCore('./helper'); // DEFAULT_CLIENT / DEFAULT_UA headers (rpc.js line 9)

// --- verbatim from rpc.js ---------------------------------------------------
function firstLetterUpper(str) {
  return str.slice(0, 1).toUpperCase() + str.slice(1);
}

function formatParams(params) {
  var keys = Object.keys(params);
  var newParams = {};
  for (var i = 0; i < keys.length; i++) {
    var key = keys[i];
    newParams[firstLetterUpper(key)] = params[key];
  }
  return newParams;
}

function encode(str) {
  var result = encodeURIComponent(str);

  return result.replace(/!/g, '%21')
    .replace(/'/g, '%27')
    .replace(/\(/g, '%28')
    .replace(/\)/g, '%29')
    .replace(/\*/g, '%2A');
}

function replaceRepeatList(target, key, repeat) {
  for (var i = 0; i < repeat.length; i++) {
    var item = repeat[i];

    if (Array.isArray(item)) {
      replaceRepeatList(target, `${key}.${i + 1}`, item);
    } else if (item && typeof item === 'object') {
      const keys = Object.keys(item);
      for (var j = 0; j < keys.length; j++) {
        if (Array.isArray(item[keys[j]])) {
          replaceRepeatList(target, `${key}.${i + 1}.${keys[j]}`, item[keys[j]]);
        } else {
          target[`${key}.${i + 1}.${keys[j]}`] = item[keys[j]];
        }
      }
    } else {
      target[`${key}.${i + 1}`] = item;
    }
  }
}

function flatParams(params) {
  var target = {};
  var keys = Object.keys(params);
  for (let i = 0; i < keys.length; i++) {
    var key = keys[i];
    var value = params[key];
    if (Array.isArray(value)) {
      replaceRepeatList(target, key, value);
    } else {
      target[key] = value;
    }
  }
  return target;
}

function normalize(params) {
  var list = [];
  var flated = flatParams(params);
  var keys = Object.keys(flated).sort();
  for (let i = 0; i < keys.length; i++) {
    var key = keys[i];
    var value = flated[key];
    list.push([encode(key), encode(value)]); //push []
  }
  return list;
}

function canonicalize(normalized) {
  var fields = [];
  for (var i = 0; i < normalized.length; i++) {
    var [key, value] = normalized[i];
    fields.push(key + '=' + value);
  }
  return fields.join('&');
}
// --- end of verbatim copy ----------------------------------------------------

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
