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
  /** For `Network` errors: the runtime's own error (its message never holds the signed URL). */
  readonly cause?: unknown;
}

/** Status of an execution record, by name; the API's numbers are 0..5 in this order. */
export type InstanceStatus = 'waiting' | 'running' | 'suspended' | 'failed' | 'succeeded' | 'completed';

export interface ListQuery {
  /** Task flow id (`DagId`). */
  dagId: Id;
  /** Tenant id (`Tid`). */
  tid?: Id;
  /** 1-based page (`PageIndex`). Default 1. */
  pageIndex?: number;
  /** Records per page (`PageSize`), 1..100. Default 20. */
  pageSize?: number;
  /** `YYYY-MM-DD`, a real calendar date (`StartTimeBegin`). */
  startTimeBegin?: string;
  /** `YYYY-MM-DD`, a real calendar date (`StartTimeEnd`). */
  startTimeEnd?: string;
  /** The date range filters the business date instead of the run time (`UseBizDate`). */
  useBizDate?: boolean;
  /** `Status`: a name or its number 0..5. */
  status?: InstanceStatus | 0 | 1 | 2 | 3 | 4 | 5;
  /** `TriggerType`: `'scheduled'` (0) or `'manual'` (1). */
  triggerType?: 'scheduled' | 'manual' | 0 | 1;
}

/** One execution record. Ids are exact canonical decimal strings, even above 2^53. */
export interface TaskFlowInstance {
  id: string;
  dagId: string;
  dagVersion: string;
  dagName?: string;
  /** The API's status number. */
  status?: number;
  /** Its name; `'unknown'` for a number this version does not know. */
  statusName: InstanceStatus | 'unknown';
  triggerType?: number;
  businessTime?: string;
  startTime?: string;
  endTime?: string;
  message?: string;
  ownerName?: string;
  historyDagId?: string;
}

export interface ListResult {
  requestId: string;
  totalCount: number;
  pageIndex: number;
  pageSize: number;
  instances: TaskFlowInstance[];
}

/** Reruns a task flow instance. Resolves only when the API says `Success: true`; otherwise rejects with a `DmsError`. */
export declare function rerunTaskFlowInstance(config: Config, request: RerunRequest): Promise<RerunResult>;

/** One page of execution records of a task flow (`ListTaskFlowInstance`). Read-only: network errors and timeouts are retried too. */
export declare function listTaskFlowInstances(config: Config, query: ListQuery): Promise<ListResult>;

/** Every record of every page, from `query.pageIndex` on; stops at `totalCount` or an empty page; honours `config.signal`. */
export declare function iterateTaskFlowInstances(config: Config, query: ListQuery): AsyncIterableIterator<TaskFlowInstance>;

/** Signs a `ListTaskFlowInstance` call without sending it. */
export declare function signListTaskFlowInstances(config: Config, query: ListQuery, overrides?: SignOverrides): SignedRequest;

/** Every `DmsError.kind`, as constants. */
export declare const ErrorKind: Readonly<{
  InvalidInput: 'InvalidInput';
  Network: 'Network';
  Timeout: 'Timeout';
  Aborted: 'Aborted';
  Api: 'Api';
  InvalidResponse: 'InvalidResponse';
}>;

/** Codes this package produces itself (the gateway's and the API's own codes pass through as they came). */
export declare const ErrorCode: Readonly<{
  NetworkError: 'NetworkError';
  Timeout: 'Timeout';
  Aborted: 'Aborted';
  NotJson: 'InvalidResponse.NotJson';
  MissingSuccess: 'InvalidResponse.MissingSuccess';
  MissingCode: 'InvalidResponse.MissingCode';
  TooLarge: 'InvalidResponse.TooLarge';
  NotHttp: 'InvalidResponse.NotHttp';
  /** A list answer whose records cannot be read exactly (an id that is not a 64-bit integer, …). */
  BadList: 'InvalidResponse.BadList';
  /** Prefix of every `InvalidInput` code: `InvalidParameter.<Field>`. */
  InvalidParameterPrefix: 'InvalidParameter.';
  SignatureDoesNotMatch: 'SignatureDoesNotMatch';
}>;

/** Signs without sending (synchronous). With `overrides` the result is deterministic. Throws `DmsError`. */
export declare function signRerunTaskFlowInstance(
  config: Config,
  request: RerunRequest,
  overrides?: SignOverrides,
): SignedRequest;
