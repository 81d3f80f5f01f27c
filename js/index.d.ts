/**
 * dms-rerun: signed Alibaba Cloud DMS Enterprise `ReRunTaskFlowInstance`
 * (API 2018-11-01) for Node, browsers and Cloudflare Workers.
 */

/** A 64-bit id: a safe non-negative integer number, a bigint, or a canonical decimal string, in 0..2^63-1. */
export type Id = number | bigint | string;

/** A fetch-compatible function (global fetch, undici, a test double). */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface Config {
  /** AccessKey id (or STS temporary id). */
  accessKeyId: string;
  /** AccessKey secret: used to sign, never sent, never in any error. */
  accessKeySecret: string;
  /** STS security token, with temporary credentials. */
  securityToken?: string;
  /** Full origin (`http(s)://host[:port]`); overrides `regionId`. */
  endpoint?: string;
  /** Selects `https://dms-enterprise.<regionId>.aliyuncs.com`; `[a-z0-9-]` only. */
  regionId?: string;
  /** Default `'POST'` (the API's definition; parameters in the query either way). */
  method?: 'POST' | 'GET';
  /** Budget for the whole call including retries, in ms. Default 10000; 0 disables it. */
  timeoutMs?: number;
  /** Retries of throttling / HTTP 503 answers. Default 2, at most 10. */
  maxRetries?: number;
  /** Cancels the call. */
  signal?: AbortSignal;
  /** Defaults to the global `fetch`. */
  fetch?: FetchLike;
}

export interface RerunRequest {
  /** Tenant id (`Tid`). */
  tid?: Id;
  /** Task flow id (`DagId`). */
  dagId: Id;
  /** Execution record id (`DagInstanceId`). */
  dagInstanceId: Id;
  /** Task flow version (`DagVersion`), signed verbatim. */
  dagVersion: string;
}

export interface RerunResult {
  requestId: string;
  success: true;
  errorCode?: string;
  errorMessage?: string;
}

export interface SignedRequest {
  method: 'POST' | 'GET';
  /** Origin + `/?` + canonical query + `&Signature=…`. Treat it as a credential. */
  url: string;
  headers: Record<string, string>;
  /** Always null: every parameter is in the query. */
  body: null;
  canonicalQuery: string;
  stringToSign: string;
  signature: string;
}

export interface SignOverrides {
  /** UTC `YYYY-MM-DDThh:mm:ssZ`. */
  timestamp?: string;
  nonce?: string;
}

export type DmsErrorKind = 'InvalidInput' | 'Network' | 'Timeout' | 'Aborted' | 'Api' | 'InvalidResponse';

/** The plain record a `DmsError` is built from. */
export interface DmsErrorRecord {
  kind: DmsErrorKind;
  code: string;
  message: string;
  retryable?: boolean;
  requestId?: string;
  httpStatus?: number;
  recommend?: string;
  attempts?: number;
}

export declare class DmsError extends Error {
  constructor(record: DmsErrorRecord);
  readonly name: 'DmsError';
  readonly kind: DmsErrorKind;
  /** e.g. `InvalidParameter.DagId`, `Throttling.User`, `InstanceNotExist`, `Timeout`. */
  readonly code: string;
  readonly requestId?: string;
  readonly httpStatus?: number;
  /** The gateway's troubleshooting link. */
  readonly recommend?: string;
  /** True when sending the same request again may succeed (throttling, 503). */
  readonly retryable: boolean;
  /** Requests sent, when any were. */
  readonly attempts?: number;
}

/** Reruns a task flow instance. Resolves only when the API says `Success: true`; otherwise rejects with a `DmsError`. */
export declare function rerunTaskFlowInstance(config: Config, request: RerunRequest): Promise<RerunResult>;

/** Signs without sending (synchronous). With `overrides` the result is deterministic. Throws `DmsError`. */
export declare function signRerunTaskFlowInstance(
  config: Config,
  request: RerunRequest,
  overrides?: SignOverrides,
): SignedRequest;
