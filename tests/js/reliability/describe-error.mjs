/**
 * A thrown value as plain JSON: everything the reliability tests assert on.
 * No Node APIs: the worker fixture bundles this file too and sends the
 * record back to Node.
 */
export function describeError(err) {
  if (err === null || typeof err !== 'object') return { thrown: typeof err, message: String(err) };
  return {
    name: err.name,
    kind: err.kind,
    code: err.code,
    httpStatus: err.httpStatus,
    requestId: err.requestId,
    retryable: err.retryable,
    attempts: err.attempts,
    recommend: err.recommend,
    message: err.message,
    isError: err instanceof Error,
    ownKeys: Reflect.ownKeys(err).map(String),
    string: String(err),
    json: JSON.stringify(err),
    stack: String(err.stack),
  };
}
