// An ESM consumer of the published types. Everything here must type-check under
// `strict`; every `@ts-expect-error` marks usage the types must reject (tsc
// fails on a directive whose next line is not an error, and
// tests/js/types.test.mjs also removes them and checks each line then fails).
import { DmsError, rerunTaskFlowInstance, signRerunTaskFlowInstance } from 'dms-rerun';
import type {
  Config,
  DmsErrorKind,
  FetchLike,
  Id,
  RerunRequest,
  RerunResult,
  SignedRequest,
  SignOverrides,
} from 'dms-rerun';

// ---- config ----

const fetchLike: FetchLike = (input, init) => fetch(input, init);

export const config: Config = {
  accessKeyId: 'LTAI5tExampleKeyId0001',
  accessKeySecret: 'secret',
  regionId: 'cn-hangzhou',
  method: 'GET',
  timeoutMs: 5_000,
  maxRetries: 3,
  signal: AbortSignal.timeout(10_000),
  fetch: fetchLike,
};
export const stsConfig: Config = {
  accessKeyId: 'STS.NUgYrLnoC37mZZCNnAbez2',
  accessKeySecret: 'secret',
  securityToken: 'CAIS+/==',
  endpoint: 'http://127.0.0.1:8080',
  method: 'POST',
  fetch: globalThis.fetch,
};
export const minimalConfig: Config = { accessKeyId: 'id', accessKeySecret: 'secret' };

// ---- requests: ids as number, bigint or decimal string ----

export const byNumber: RerunRequest = { tid: 3000, dagId: 18870, dagInstanceId: 2026113001, dagVersion: '7' };
export const byBigint: RerunRequest = { tid: 3000n, dagId: 9223372036854775807n, dagInstanceId: 1n, dagVersion: 'v2' };
export const byString: RerunRequest = { dagId: '9223372036854775807', dagInstanceId: '1', dagVersion: '中文 😀' };
const ids: Id[] = [1, 2n, '3'];
export const mixed: RerunRequest = { tid: ids[0], dagId: ids[1]!, dagInstanceId: ids[2]!, dagVersion: '1' };

// ---- calls and results ----

export async function rerun(): Promise<string | undefined> {
  try {
    const result: RerunResult = await rerunTaskFlowInstance(config, byNumber);
    const requestId: string = result.requestId;
    const success: true = result.success;
    const errorCode: string | undefined = result.errorCode;
    const errorMessage: string | undefined = result.errorMessage;
    void [success, errorCode, errorMessage];
    return requestId;
  } catch (err: unknown) {
    // @ts-expect-error: `err` is unknown until narrowed
    void err.code;
    if (err instanceof DmsError) {
      const error: Error = err;
      const name: 'DmsError' = err.name;
      const kind: DmsErrorKind = err.kind;
      const code: string = err.code;
      const message: string = err.message;
      const retryable: boolean = err.retryable;
      const requestId: string | undefined = err.requestId;
      const httpStatus: number | undefined = err.httpStatus;
      const recommend: string | undefined = err.recommend;
      const attempts: number | undefined = err.attempts;
      void [error, name, kind, code, message, retryable, httpStatus, recommend, attempts];
      // @ts-expect-error: the error's fields are read-only
      err.code = 'Changed';
      // @ts-expect-error: no such kind
      if (err.kind === 'Throttling') return undefined;
      switch (err.kind) {
        case 'InvalidInput':
        case 'Network':
        case 'Timeout':
        case 'Aborted':
        case 'Api':
        case 'InvalidResponse':
          return requestId;
        default: {
          // Exhaustive: the kinds are exactly these six.
          const unreachable: never = err.kind;
          return unreachable;
        }
      }
    }
    throw err;
  }
}

export async function wrongResultUse(): Promise<void> {
  const result = await rerunTaskFlowInstance(minimalConfig, byString);
  // @ts-expect-error: RerunResult has no `data` field
  void result.data;
  // @ts-expect-error: success is always literally true
  const failed: false = result.success;
  void failed;
  // @ts-expect-error: rerunTaskFlowInstance returns a Promise
  const notAwaited: RerunResult = rerunTaskFlowInstance(minimalConfig, byString);
  void notAwaited;
}

// ---- signing without sending ----

const overrides: SignOverrides = { timestamp: '2026-11-30T02:13:57Z', nonce: '0b8f3e9a' };
export const signed: SignedRequest = signRerunTaskFlowInstance(stsConfig, byBigint, overrides);
export const unsigned: SignedRequest = signRerunTaskFlowInstance(config, byNumber);
export const signedParts: [string, string, Record<string, string>, null, string, string, string] = [
  signed.method satisfies 'POST' | 'GET',
  signed.url,
  signed.headers,
  signed.body,
  signed.canonicalQuery,
  signed.stringToSign,
  signed.signature,
];
export const sent: Promise<Response> = fetch(signed.url, { method: signed.method, headers: signed.headers, body: signed.body });

// ---- wrong usage the types must reject ----

// @ts-expect-error: only 'POST' | 'GET'
export const put: Config = { accessKeyId: 'id', accessKeySecret: 'secret', method: 'PUT' };
// @ts-expect-error: accessKeySecret is required
export const noSecret: Config = { accessKeyId: 'id' };
// @ts-expect-error: typo of regionId (excess property)
export const typo: Config = { accessKeyId: 'id', accessKeySecret: 'secret', region: 'cn-hangzhou' };
// @ts-expect-error: timeoutMs is a number
export const slowTimeout: Config = { accessKeyId: 'id', accessKeySecret: 'secret', timeoutMs: '5000' };
// @ts-expect-error: dagVersion is required
export const noVersion: RerunRequest = { dagId: 1, dagInstanceId: 2 };
// @ts-expect-error: dagId is not a boolean
export const boolId: RerunRequest = { dagId: true, dagInstanceId: 2, dagVersion: '1' };
// @ts-expect-error: dagVersion is a string, not a number
export const numVersion: RerunRequest = { dagId: 1, dagInstanceId: 2, dagVersion: 7 };
// @ts-expect-error: dagInstanceId is required
export const noInstance: RerunRequest = { dagId: 1, dagVersion: '1' };
// @ts-expect-error: ids are not null
export const nullId: RerunRequest = { dagId: null, dagInstanceId: 2, dagVersion: '1' };
// @ts-expect-error: timestamp override is a string, not a Date
export const dateOverride: SignOverrides = { timestamp: new Date() };
// @ts-expect-error: signing is synchronous, not a Promise
void signRerunTaskFlowInstance(config, byNumber).then;
// @ts-expect-error: body is always null
export const bodyText: string = signed.body;
// @ts-expect-error: request is required
void signRerunTaskFlowInstance(config);
// @ts-expect-error: no default export (dist/node/index.mjs has none)
import dmsDefault from 'dms-rerun';
void dmsDefault;
