// What an outcome means for the user: each function turns one outcome (a
// rerun result, a DmsError, a Worker proxy answer) into a report
// {ok, headline, rows, advice?} that dom.js renders. Kinds and codes come from
// the package's constants, so a renamed code breaks loudly here, not silently.
import { DmsError, ErrorCode, ErrorKind } from 'dms-rerun';

const NOTHING_SENT = 'Nothing was sent: fix the field named in the code.';

/** Advice by kind for a rerun: it is not idempotent, so "may have happened" matters. */
const RERUN_ADVICE = {
  [ErrorKind.InvalidInput]: NOTHING_SENT,
  [ErrorKind.Network]:
    'No answer could be read. Against Alibaba this is often CORS: the browser blocked the response, ' +
    'but the request may have reached the gateway. Check the task flow in DMS before trying again.',
  [ErrorKind.Timeout]: 'No answer in time. The rerun may still have happened: check before trying again.',
  [ErrorKind.Aborted]: 'Cancelled. The rerun may still have happened if the request was already sent.',
};

/** Advice by kind for a listing: read-only, so trying again is always safe. */
const LIST_ADVICE = {
  [ErrorKind.InvalidInput]: NOTHING_SENT,
  [ErrorKind.Network]:
    'No answer could be read (against Alibaba often CORS: the browser blocked the response). ' +
    'Listing changes nothing, so it is safe to try again.',
  [ErrorKind.Timeout]: 'No answer in time. Listing changes nothing: try again, or narrow the date range.',
  [ErrorKind.InvalidResponse]: 'The gateway answered, but not with a list this page can read. Nothing was changed.',
};

/** Advice by code, before the kind's. */
const CODE_ADVICE = {
  [ErrorCode.SignatureDoesNotMatch]:
    'Check the AccessKeySecret. To compare signatures, put the Timestamp and SignatureNonce from the ' +
    'string to sign above into "Preview options" and press Preview.',
};

/** A successful rerun (the package's result, or the proxy's). */
export function acceptedReport(result, extraRows = []) {
  return {
    ok: true,
    headline: 'Rerun accepted.',
    rows: [
      ['RequestId', result.requestId],
      ['Success', result.success],
      ['ErrorCode', result.errorCode],
      ['ErrorMessage', result.errorMessage],
      ...extraRows,
    ],
  };
}

/**
 * A thrown error: a DmsError with every field the package gives, anything
 * else (a bug) as its string. `operation` picks the advice: 'rerun' | 'list'.
 */
export function errorReport(error, operation = 'rerun') {
  if (!(error instanceof DmsError)) return { ok: false, headline: 'Unexpected error', rows: [['Error', String(error)]] };
  const byKind = operation === 'list' ? LIST_ADVICE : RERUN_ADVICE;
  return {
    ok: false,
    headline: `Failed: ${error.kind}`,
    rows: [
      ['Kind', error.kind],
      ['Code', error.code],
      ['Message', error.message],
      ['RequestId', error.requestId],
      ['HTTP status', error.httpStatus],
      ['Retryable', error.retryable],
      ['Attempts', error.attempts],
      ['Recommend', error.recommend],
    ],
    advice: CODE_ADVICE[error.code] ?? byKind[error.kind],
  };
}

/** What a Worker proxy answer means for the next step, by its HTTP status and the error kind. */
function proxyAdvice(httpStatus, kind) {
  switch (httpStatus) {
    case 400:
    case 413:
      return NOTHING_SENT;
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
      return RERUN_ADVICE[ErrorKind.Timeout];
    default:
      if (kind === ErrorKind.Api) {
        return 'The DMS gateway refused the Worker\u2019s request (see Code): check the Worker\u2019s AccessKey and its RAM permission.';
      }
      if (kind === ErrorKind.Network || kind === ErrorKind.InvalidResponse) {
        return 'The Worker got no readable answer from DMS. The rerun may still have happened: check the task flow in DMS before trying again.';
      }
      return undefined;
  }
}

/** A rerun through the Worker proxy (proxy-client.js's outcome). */
export function proxyReport(outcome, pageOrigin) {
  switch (outcome.type) {
    case 'accepted':
      return acceptedReport({ requestId: outcome.requestId, success: true }, [['Via proxy', outcome.target]]);
    case 'refused':
      return {
        ok: false,
        headline: `Failed: ${ErrorKind.InvalidInput}`,
        rows: [['Kind', ErrorKind.InvalidInput], ['Code', outcome.code], ['Message', outcome.message]],
        advice: NOTHING_SENT,
      };
    case 'unreachable': {
      const kind = outcome.timedOut ? ErrorKind.Timeout : ErrorKind.Network;
      const why = outcome.timedOut
        ? `No answer within ${outcome.timeoutMs / 1000} s.`
        : 'No answer could be read: the Worker is unreachable, or the browser blocked its answer ' +
          `(CORS: the Worker\u2019s ALLOWED_ORIGIN must list this page\u2019s origin, ${pageOrigin}).`;
      return {
        ok: false,
        headline: `Failed: ${kind} (via proxy)`,
        rows: [['Kind', kind], ['Error', outcome.detail], ['Proxy HTTP status', outcome.status], ['Proxy URL', outcome.target]],
        advice: `${why} The rerun may or may not have happened: check the task flow in DMS before trying again.`,
      };
    }
    case 'failed': {
      const { error } = outcome;
      return {
        ok: false,
        headline: `Failed: ${error.kind} (via proxy)`,
        rows: [
          ['Kind', error.kind],
          ['Code', error.code],
          ['Message', error.message],
          ['RequestId', error.requestId],
          ['DMS HTTP status', error.httpStatus],
          ['Proxy HTTP status', outcome.status],
          ['Proxy URL', outcome.target],
        ],
        advice: proxyAdvice(outcome.status, error.kind),
      };
    }
    default:
      return {
        ok: false,
        headline: 'Failed: unexpected answer from the proxy',
        rows: [
          ['Proxy HTTP status', outcome.status],
          ['Content-Type', outcome.contentType],
          ['Body', outcome.body],
          ['Proxy URL', outcome.target],
        ],
        advice:
          'This is not what the dms-rerun Worker answers: check ProxyUrl. ' +
          (outcome.status >= 200 && outcome.status < 300 ? 'The status is 2xx, so the rerun may have happened: check the task flow in DMS.' : ''),
      };
  }
}
