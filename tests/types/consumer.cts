// A CommonJS consumer: under node16 resolution `import = require()` takes the
// "require" condition, i.e. the package's dist/index.d.cts.
import dms = require('dms-rerun');

const { DmsError, rerunTaskFlowInstance, signRerunTaskFlowInstance } = dms;

const config: dms.Config = { accessKeyId: 'id', accessKeySecret: 'secret', method: 'GET', maxRetries: 0 };
const request: dms.RerunRequest = { tid: 1, dagId: 9223372036854775807n, dagInstanceId: '42', dagVersion: '3' };

const signed: dms.SignedRequest = signRerunTaskFlowInstance(config, request, { nonce: 'n' });
const query: string = signed.canonicalQuery;

async function rerun(): Promise<dms.RerunResult | dms.DmsErrorKind> {
  try {
    return await rerunTaskFlowInstance(config, request);
  } catch (err) {
    if (err instanceof DmsError) {
      const retry: boolean = err.retryable;
      void retry;
      return err.kind;
    }
    throw err;
  }
}

// @ts-expect-error: only 'POST' | 'GET'
const put: dms.Config = { accessKeyId: 'id', accessKeySecret: 'secret', method: 'PUT' };
// @ts-expect-error: dagVersion is required
const noVersion: dms.RerunRequest = { dagId: 1, dagInstanceId: 2 };
// @ts-expect-error: no such export
void dms.rerun;

// CommonJS with verbatimModuleSyntax: one `export =`.
export = { signed, query, rerun, put, noVersion };
