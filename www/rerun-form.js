// The single-instance form: Rerun (direct or through the Worker proxy) and
// Preview (the package's signRerunTaskFlowInstance, never sent).
import { signRerunTaskFlowInstance } from 'dms-rerun';
import { $, definitionList, paragraph, renderReport } from './dom.js';
import { proxyMode, readConfig, readRerunForm } from './fields.js';
import { errorReport } from './reports.js';
import { sendRerun } from './send-rerun.js';

const PREVIEW_IN_PROXY_MODE =
  'Proxy mode is on, but Preview is library-only: this is what a direct call with the Credentials above ' +
  'would send. The Worker signs its own request with its own key.';

function showPreview(signed, overrides) {
  const query = new URLSearchParams(signed.canonicalQuery);
  const output = $('preview-output');
  output.className = '';
  output.replaceChildren(
    definitionList(
      [
        ['Method', signed.method],
        ['URL', signed.url],
        ['Timestamp', overrides.timestamp ?? query.get('Timestamp')],
        ['SignatureNonce', overrides.nonce ?? query.get('SignatureNonce')],
        ['Canonical query', signed.canonicalQuery],
        ['String to sign', signed.stringToSign],
        ['Signature', signed.signature],
      ],
      'preview',
    ),
    paragraph('Key for HMAC-SHA1: your AccessKeySecret followed by "&" (not shown). Nothing was sent.', 'hint'),
  );
  if (proxyMode()) output.append(paragraph(PREVIEW_IN_PROXY_MODE, 'note'));
}

export function wireRerunForm() {
  const result = $('result');
  const rerunButton = $('rerun');
  const previewButton = $('preview');

  // Never let the form navigate (a GET submit would put the secret in the URL).
  $('form').addEventListener('submit', (event) => event.preventDefault());

  rerunButton.addEventListener('click', async () => {
    const { request } = readRerunForm();
    rerunButton.disabled = true; // a rerun is not idempotent: no double clicks
    result.className = 'pending';
    result.textContent = proxyMode() ? 'Sending through the Worker proxy…' : 'Sending…';
    try {
      renderReport(result, await sendRerun(readConfig, request));
    } catch (error) {
      renderReport(result, errorReport(error, 'rerun')); // a bug: shown, not swallowed
    } finally {
      rerunButton.disabled = false;
      result.scrollIntoView({ block: 'nearest' });
    }
  });

  previewButton.addEventListener('click', () => {
    const { config, request, overrides } = readRerunForm();
    $('preview-section').hidden = false;
    try {
      showPreview(signRerunTaskFlowInstance(config, request, overrides), overrides);
      $('preview-warning').hidden = false;
    } catch (error) {
      renderReport($('preview-output'), errorReport(error, 'rerun'));
      $('preview-warning').hidden = true; // nothing signed, nothing to protect
    }
    $('preview-section').scrollIntoView({ block: 'start' });
  });

  rerunButton.disabled = false;
  previewButton.disabled = false;
}
