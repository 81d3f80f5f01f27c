// Demo page logic. Reads the form on each click, calls the package, renders
// the outcome. Deliberately keeps nothing: no storage, no URL changes, no
// console output (the config holds the secret).
const $ = (id) => document.getElementById(id);
const form = $('form');
const status = $('status');
const result = $('result');
const rerunButton = $('rerun');
const previewButton = $('preview');

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

function showSuccess(outcome) {
  result.className = 'success';
  result.replaceChildren(
    paragraph('Rerun accepted.', 'headline'),
    definitionList([
      ['RequestId', outcome.requestId],
      ['Success', outcome.success],
      ['ErrorCode', outcome.errorCode],
      ['ErrorMessage', outcome.errorMessage],
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
}

async function main() {
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
    rerunButton.disabled = true; // a rerun is not idempotent: no double clicks
    result.className = 'pending';
    result.textContent = 'Sending…';
    try {
      showSuccess(await rerunTaskFlowInstance(cfg, request));
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
