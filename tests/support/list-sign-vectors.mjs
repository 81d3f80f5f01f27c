// Fixed ListTaskFlowInstance signing cases for the runtime layers (workerd,
// Chromium): each gives the package's input and, written out by hand, the
// exact parameter set the API defines for it (issue 11: the common
// parameters plus those given; booleans as true/false). The expected
// signature comes from the official signer, @alicloud/openapi-util's
// getRPCSignature, in the Node test process — never from this package.
import { createRequire } from 'node:module';
import { DEMO_KEY, STS_KEY } from '../../emulator/data.mjs';

const require = createRequire(import.meta.url);
const OpenApiUtil = require('@alicloud/openapi-util').default;

const COMMON = Object.freeze({
  Action: 'ListTaskFlowInstance',
  Format: 'JSON',
  SignatureMethod: 'HMAC-SHA1',
  SignatureVersion: '1.0',
  Version: '2018-11-01',
});

export const LIST_SIGN_VECTORS = Object.freeze([
  {
    name: 'every parameter, STS credentials, names for status and trigger type',
    config: { ...STS_KEY, endpoint: 'http://127.0.0.1:9' },
    query: {
      dagId: '9223372036854775807',
      tid: '1',
      pageIndex: 2,
      pageSize: 100,
      startTimeBegin: '2024-02-28',
      startTimeEnd: '2024-02-29',
      useBizDate: true,
      status: 'failed',
      triggerType: 'manual',
    },
    overrides: { timestamp: '2024-02-29T23:59:59Z', nonce: 'list-vector-nonce-0001' },
    method: 'POST',
    secret: STS_KEY.accessKeySecret,
    params: {
      ...COMMON,
      AccessKeyId: STS_KEY.accessKeyId,
      SecurityToken: STS_KEY.securityToken,
      SignatureNonce: 'list-vector-nonce-0001',
      Timestamp: '2024-02-29T23:59:59Z',
      DagId: '9223372036854775807',
      Tid: '1',
      PageIndex: '2',
      PageSize: '100',
      StartTimeBegin: '2024-02-28',
      StartTimeEnd: '2024-02-29',
      UseBizDate: 'true',
      Status: '3',
      TriggerType: '1',
    },
  },
  {
    name: 'dagId only (a number): PageIndex 1 and PageSize 20 are still sent, GET',
    config: { ...DEMO_KEY, endpoint: 'http://127.0.0.1:9', method: 'GET' },
    query: { dagId: 7 },
    overrides: { timestamp: '2026-01-01T00:00:00Z', nonce: 'list-vector-nonce-0002' },
    method: 'GET',
    secret: DEMO_KEY.accessKeySecret,
    params: {
      ...COMMON,
      AccessKeyId: DEMO_KEY.accessKeyId,
      SignatureNonce: 'list-vector-nonce-0002',
      Timestamp: '2026-01-01T00:00:00Z',
      DagId: '7',
      PageIndex: '1',
      PageSize: '20',
    },
  },
  {
    name: 'status and trigger type as numbers 0, useBizDate false, an id above 2^53',
    config: { ...DEMO_KEY, endpoint: 'http://127.0.0.1:9' },
    query: { dagId: '9007199254740993', pageSize: 1, status: 0, triggerType: 0, useBizDate: false },
    overrides: { timestamp: '2025-12-31T23:59:59Z', nonce: 'list-vector-nonce-0003' },
    method: 'POST',
    secret: DEMO_KEY.accessKeySecret,
    params: {
      ...COMMON,
      AccessKeyId: DEMO_KEY.accessKeyId,
      SignatureNonce: 'list-vector-nonce-0003',
      Timestamp: '2025-12-31T23:59:59Z',
      DagId: '9007199254740993',
      PageIndex: '1',
      PageSize: '1',
      UseBizDate: 'false',
      Status: '0',
      TriggerType: '0',
    },
  },
]);

/** The official signer's signature for `params`. */
export function officialSignature(params, method, secret) {
  return OpenApiUtil.getRPCSignature(params, method, secret);
}

/** A URL signed by the official signer (for reading the emulator's raw answer without this package). */
export function officialSignedUrl(endpoint, method, secret, params) {
  const signature = officialSignature(params, method, secret);
  const query = new URLSearchParams({ ...params, Signature: signature });
  return `${endpoint}/?${query}`;
}
