// Demo page logic. Reads the form on each click, calls the package (or, with
// a ProxyUrl, the Worker proxy), renders the outcome. Deliberately keeps
// nothing: no storage, no URL changes, no console output (the config holds
// the secret, the proxy call the token).
const $ = (id) => document.getElementById(id);
const form = $('form');
const status = $('status');
const result = $('result');
const rerunButton = $('rerun');
const previewButton = $('preview');
const proxyUrlField = $('ProxyUrl');
const proxyTokenField = $('ProxyToken');

// Never let the form navigate (a GET submit would put the secret in the URL).
form.addEventListener('submit', (event) => event.preventDefault());

/** The demo values from the server (emulator URL and its public demo key), if any. */
async function loadConfig() {
  try {
    const response = await fetch('/config.json', { cache: 'no-store' });
    return response.ok ? await response.json() : {};
  } catch {
    return {};
  }
}

function prefill(values = {}) {
  // Set as properties, not attributes: the secret must not appear in the DOM's markup.
  for (const [name, value] of Object.entries(values)) {
    if (form.elements[name]) form.elements[name].value = value;
  }
}

/**
 * The library's arguments from the form. Ids stay strings (exact up to
 * 2^63-1); empty optional fields are left out. DagVersion and the secret are
 * passed verbatim, the rest trimmed (stray spaces from copy-paste).
 */
function readForm() {
  const text = (name) => form.elements[name].value.trim();
  const config = { accessKeyId: text('AccessKeyId'), accessKeySecret: form.elements.AccessKeySecret.value };
  if (text('SecurityToken')) config.securityToken = text('SecurityToken');
  if (text('Endpoint')) config.endpoint = text('Endpoint');
  const request = { dagId: text('DagId'), dagInstanceId: text('DagInstanceId'), dagVersion: form.elements.DagVersion.value };
  if (text('Tid')) request.tid = text('Tid');
  const overrides = {};
  if (text('Timestamp')) overrides.timestamp = text('Timestamp');
  if (text('SignatureNonce')) overrides.nonce = text('SignatureNonce');
  return { config, request, overrides };
}

/** A <dl> of label → value rows; values are set as text, never parsed as HTML. */
function definitionList(rows, className) {
  const list = document.createElement('dl');
  if (className) list.className = className;
  for (const [label, value] of rows) {
    if (value === undefined || value === null || value === '') continue;
    const term = document.createElement('dt');
    term.textContent = label;
    const detail = document.createElement('dd');
    if (label === 'Recommend' && /^https:\/\//.test(value)) {
      const link = Object.assign(document.createElement('a'), { href: value, textContent: value, target: '_blank', rel: 'noopener noreferrer' });
      detail.append(link);
    } else {
      detail.textContent = String(value);
    }
    list.append(term, detail);
  }
  return list;
}

function paragraph(text, className) {
  const p = document.createElement('p');
  p.className = className;
  p.textContent = text;
  return p;
}

/** What a failure kind means for the user's next step. */
const ADVICE = {
  InvalidInput: 'Nothing was sent: fix the field named in the code.',
  Network:
    'No answer could be read. Against Alibaba this is often CORS: the browser blocked the response, ' +
    'but the request may have reached the gateway. Check the task flow in DMS before trying again.',
  Timeout: 'No answer in time. The rerun may still have happened: check before trying again.',
  Aborted: 'Cancelled. The rerun may still have happened if the request was already sent.',
  SignatureDoesNotMatch:
    'Check the AccessKeySecret. To compare signatures, put the Timestamp and SignatureNonce from the ' +
    'string to sign above into "Preview options" and press Preview.',
};

function showSuccess(outcome, extraRows = []) {
  result.className = 'success';
  result.replaceChildren(
    paragraph('Rerun accepted.', 'headline'),
    definitionList([
      ['RequestId', outcome.requestId],
      ['Success', outcome.success],
      ['ErrorCode', outcome.errorCode],
      ['ErrorMessage', outcome.errorMessage],
      ...extraRows,
    ]),
  );
}

function showError(error, target = result) {
  target.className = 'error';
  const isDms = error?.name === 'DmsError';
  const rows = isDms
    ? [
        ['Kind', error.kind],
        ['Code', error.code],
        ['Message', error.message],
        ['RequestId', error.requestId],
        ['HTTP status', error.httpStatus],
        ['Retryable', error.retryable],
        ['Attempts', error.attempts],
        ['Recommend', error.recommend],
      ]
    : [['Error', String(error)]];
  target.replaceChildren(paragraph(isDms ? `Failed: ${error.kind}` : 'Unexpected error', 'headline'), definitionList(rows));
  const advice = isDms && (ADVICE[error.code] ?? ADVICE[error.kind]);
  if (advice) target.append(paragraph(advice, 'advice'));
}

function showPreview(signed, overrides) {
  const query = new URLSearchParams(signed.canonicalQuery);
  const rows = [
    ['Method', signed.method],
    ['URL', signed.url],
    ['Timestamp', overrides.timestamp ?? query.get('Timestamp')],
    ['SignatureNonce', overrides.nonce ?? query.get('SignatureNonce')],
    ['Canonical query', signed.canonicalQuery],
    ['String to sign', signed.stringToSign],
    ['Signature', signed.signature],
  ];
  const output = $('preview-output');
  output.className = '';
  output.replaceChildren(definitionList(rows, 'preview'));
  output.append(paragraph('Key for HMAC-SHA1: your AccessKeySecret followed by "&" (not shown). Nothing was sent.', 'hint'));
  if (proxyMode()) output.append(paragraph(PREVIEW_IN_PROXY_MODE, 'note'));
}

// ---- Worker proxy mode (examples/worker/): the page holds a token, never the AccessKey. ----

const PROXY_TIMEOUT_MS = 30_000; // the Worker has its own DMS budget (DMS_TIMEOUT_MS, 10 s by default)
const PREVIEW_IN_PROXY_MODE =
  'Proxy mode is on, but Preview is library-only: this is what a direct call with the Credentials above ' +
  'would send. The Worker signs its own request with its own key.';

const proxyMode = () => proxyUrlField.value.trim() !== '';

/** A page-side refusal: same shape as the proxy's errors, nothing sent. */
class ProxyInputError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

const isLoopback = (host) => host === 'localhost' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);

/** `<ProxyUrl>/rerun`, or a ProxyInputError saying what is wrong with the field. */
function proxyTarget(raw) {
  const text = raw.trim();
  let url;
  try {
    url = new URL(text.includes('://') ? text : `https://${text}`);
  } catch {
    throw new ProxyInputError('InvalidParameter.ProxyUrl', 'ProxyUrl is not a URL (e.g. https://dms-rerun-proxy.example.workers.dev)');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ProxyInputError('InvalidParameter.ProxyUrl', 'ProxyUrl must start with https://');
  }
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
    throw new ProxyInputError('InvalidParameter.ProxyUrl', 'ProxyUrl must use https (plain http only for localhost): the token would travel in clear text');
  }
  if (url.username || url.password) throw new ProxyInputError('InvalidParameter.ProxyUrl', 'ProxyUrl must not contain a user name or password');
  if (url.search || url.hash) throw new ProxyInputError('InvalidParameter.ProxyUrl', 'ProxyUrl must not have a query (?) or fragment (#)');
  const path = url.pathname.replace(/\/+$/, '');
  url.pathname = path.endsWith('/rerun') ? path : `${path}/rerun`;
  return url.href;
}

/** The token as typed minus surrounding whitespace; it must fit an HTTP header as is. */
function proxyToken() {
  const token = proxyTokenField.value.trim();
  if (token === '') throw new ProxyInputError('InvalidParameter.ProxyToken', 'ProxyToken is empty: paste the Worker\u2019s PROXY_TOKEN');
  if (!/^[\x21-\x7e]+$/.test(token)) {
    throw new ProxyInputError('InvalidParameter.ProxyToken', 'ProxyToken must be printable ASCII without spaces');
  }
  return token;
}

/** Shows the mode next to the proxy fields, de-emphasises the unused Credentials. */
function updateMode() {
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
    return;
  }
  try {
    mode.textContent = `On: Rerun posts to ${proxyTarget(proxyUrlField.value)} with the ProxyToken; the Credentials are not used.`;
  } catch (error) {
    mode.textContent = `On, but: ${error.message}.`;
  }
}

/** What a proxy answer means for the user's next step, by the proxy's HTTP status and kind. */
function proxyAdvice(httpStatus, kind) {
  switch (httpStatus) {
    case 400:
    case 413:
      return ADVICE.InvalidInput;
    case 401:
      return 'The Worker refused the token: ProxyToken must equal its PROXY_TOKEN secret. Nothing was sent to DMS.';
    case 404:
    case 405:
      return 'This URL is not the proxy\u2019s /rerun: check ProxyUrl (the Worker\u2019s base URL).';
    case 422:
      return 'DMS received the request and refused the rerun (see Code): check DagId, DagInstanceId, DagVersion and Tid.';
    case 429:
      return 'DMS kept throttling the Worker through its retries: wait a little, then try again.';
    case 500:
      return 'The Worker is misconfigured (see Code and Message): check its secrets and vars. Nothing was sent to DMS.';
    case 503:
      return 'DMS was unavailable through every retry: try again later.';
    case 504:
      return ADVICE.Timeout;
    default:
      if (kind === 'Api') return 'The DMS gateway refused the Worker\u2019s request (see Code): check the Worker\u2019s AccessKey and its RAM permission.';
      if (kind === 'Network' || kind === 'InvalidResponse') {
        return 'The Worker got no readable answer from DMS. The rerun may still have happened: check the task flow in DMS before trying again.';
      }
      return undefined;
  }
}

/** Renders a failure in #result; `redact` keeps the token out of whatever a server sent back. */
function showProxyFailure(headline, rows, advice, redact) {
  result.className = 'error';
  const safe = rows
    .filter(([, value]) => ['string', 'number', 'boolean'].includes(typeof value))
    .map(([label, value]) => [label, redact(String(value))]);
  result.replaceChildren(paragraph(headline, 'headline'), definitionList(safe));
  if (advice) result.append(paragraph(advice, 'advice'));
}

/**
 * POST {dagId, dagInstanceId, dagVersion, tid?} to <ProxyUrl>/rerun with the
 * bearer token, and show the Worker's answer. The token goes only into the
 * Authorization header: never into the URL, the DOM, storage or the console.
 */
async function rerunThroughProxy(request) {
  let target;
  let token;
  try {
    target = proxyTarget(proxyUrlField.value);
    token = proxyToken();
  } catch (error) {
    if (!(error instanceof ProxyInputError)) throw error;
    showProxyFailure('Failed: InvalidInput', [['Kind', 'InvalidInput'], ['Code', error.code], ['Message', error.message]], 'Nothing was sent: fix the field named in the code.', String);
    return;
  }
  const redact = (text) => text.split(token).join('[ProxyToken]');
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), PROXY_TIMEOUT_MS);
  let response;
  let text;
  try {
    response = await fetch(target, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(request),
      cache: 'no-store',
      credentials: 'omit', // the token is the only credential; no cookies to a third-party Worker
      referrerPolicy: 'no-referrer',
      signal: timeout.signal,
    });
    text = await response.text();
  } catch (error) {
    const timedOut = timeout.signal.aborted;
    const why = timedOut
      ? `No answer within ${PROXY_TIMEOUT_MS / 1000} s.`
      : 'No answer could be read: the Worker is unreachable, or the browser blocked its answer ' +
        `(CORS: the Worker\u2019s ALLOWED_ORIGIN must list this page\u2019s origin, ${location.origin}).`;
    showProxyFailure(
      timedOut ? 'Failed: Timeout (via proxy)' : 'Failed: Network (via proxy)',
      [
        ['Kind', timedOut ? 'Timeout' : 'Network'],
        ['Error', `${error?.name ?? 'Error'}: ${error?.message ?? error}`],
        ['Proxy HTTP status', response?.status],
        ['Proxy URL', target],
      ],
      `${why} The rerun may or may not have happened: check the task flow in DMS before trying again.`,
      redact,
    );
    return;
  } finally {
    clearTimeout(timer);
  }

  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (response.ok && body?.success === true && typeof body.requestId === 'string') {
    showSuccess({ requestId: redact(body.requestId), success: true }, [['Via proxy', target]]);
    return;
  }
  const error = body?.error;
  if (error !== null && typeof error === 'object' && typeof error.kind === 'string') {
    showProxyFailure(
      `Failed: ${error.kind} (via proxy)`,
      [
        ['Kind', error.kind],
        ['Code', error.code],
        ['Message', error.message],
        ['RequestId', error.requestId],
        ['DMS HTTP status', error.httpStatus],
        ['Proxy HTTP status', response.status],
        ['Proxy URL', target],
      ],
      proxyAdvice(response.status, error.kind),
      redact,
    );
    return;
  }
  showProxyFailure(
    'Failed: unexpected answer from the proxy',
    [
      ['Proxy HTTP status', response.status],
      ['Content-Type', response.headers.get('content-type') ?? ''],
      ['Body', text.length > 300 ? `${text.slice(0, 300)}…` : text],
      ['Proxy URL', target],
    ],
    'This is not what the dms-rerun Worker answers: check ProxyUrl. ' +
      (response.ok ? 'The status is 2xx, so the rerun may have happened: check the task flow in DMS.' : ''),
    redact,
  );
}

async function main() {
  proxyUrlField.addEventListener('input', updateMode);
  updateMode();
  const [loaded, config] = await Promise.allSettled([import('dms-rerun'), loadConfig()]);
  prefill(config.value?.demo);
  if (config.value?.emulatorUrl) {
    const target = $('target');
    target.textContent =
      `Demo mode: the form is prefilled for the local DMS emulator at ${config.value.emulatorUrl} ` +
      '(a stand-in for Alibaba\u2019s gateway, with a public demo key). No Alibaba account needed: press Rerun.';
    target.hidden = false;
  }
  if (loaded.status === 'rejected') {
    status.textContent = `Could not load the package: ${loaded.reason?.message ?? loaded.reason}`;
    status.classList.add('failed');
    return;
  }
  const { rerunTaskFlowInstance, signRerunTaskFlowInstance } = loaded.value;

  rerunButton.addEventListener('click', async () => {
    const { config: cfg, request } = readForm();
    const viaProxy = proxyMode(); // the AccessKey fields are then ignored
    rerunButton.disabled = true; // a rerun is not idempotent: no double clicks
    result.className = 'pending';
    result.textContent = viaProxy ? 'Sending through the Worker proxy…' : 'Sending…';
    try {
      if (viaProxy) await rerunThroughProxy(request);
      else showSuccess(await rerunTaskFlowInstance(cfg, request));
    } catch (error) {
      showError(error);
    } finally {
      rerunButton.disabled = false;
      result.scrollIntoView({ block: 'nearest' });
    }
  });

  previewButton.addEventListener('click', () => {
    const { config: cfg, request, overrides } = readForm();
    $('preview-section').hidden = false;
    try {
      showPreview(signRerunTaskFlowInstance(cfg, request, overrides), overrides);
      $('preview-warning').hidden = false;
    } catch (error) {
      showError(error, $('preview-output'));
      $('preview-warning').hidden = true; // nothing signed, nothing to protect
    }
    $('preview-section').scrollIntoView({ block: 'start' });
  });

  rerunButton.disabled = false;
  previewButton.disabled = false;
  status.textContent = 'Package loaded (WebAssembly ready).';
  document.documentElement.dataset.ready = 'true';
}

main();
