/**
 * DMS business logic behind ReRunTaskFlowInstance. Business failures are
 * HTTP 200 with Success:false (the gateway accepted the call; DMS refused it).
 */
import { TASK_FLOWS, TENANTS, SEEDED_FLOWS } from './data.mjs';

const FAILURES = {
  InvalidTid: 'The tenant does not exist.',
  DagNotExist: 'The task flow does not exist.',
  InstanceNotExist: 'The task flow instance does not exist.',
  DagVersionMismatch: 'The specified DagVersion does not match the task flow version.',
};

/** DMS's refusal `{Success:false, ErrorCode, ErrorMessage}` for one of the codes above. */
export function businessFailure(code) {
  return { Success: false, ErrorCode: code, ErrorMessage: FAILURES[code] };
}

/**
 * The known tenants and task flows: seeds plus `extra` ones. A flow is
 * `{dagId, dagVersion, instances?: string[], runs?: [{id, dagVersion?}]}`:
 * `instances` can be rerun with the flow's version, each run with its own
 * (a record made by version 1 is rerun as version 1).
 * @returns {{flows: Map<string, {dagVersion: string, instances: Map<string, string>}>, tenants: Set<string>}}
 */
export function createCatalog({ taskFlows = [], tenants = [] } = {}) {
  const flows = new Map();
  for (const flow of [...TASK_FLOWS, ...SEEDED_FLOWS, ...taskFlows]) {
    const dagId = String(flow.dagId);
    const dagVersion = String(flow.dagVersion);
    const entry = flows.get(dagId) ?? { dagVersion, instances: new Map() };
    entry.dagVersion = dagVersion;
    for (const id of flow.instances ?? []) entry.instances.set(String(id), dagVersion);
    for (const run of flow.runs ?? []) entry.instances.set(String(run.id), String(run.dagVersion ?? dagVersion));
    flows.set(dagId, entry);
  }
  return { flows, tenants: new Set([...TENANTS, ...tenants].map(String)) };
}

/** Tenant and task flow checks shared by every operation; a failure or null. */
export function checkFlow(catalog, { tid, dagId }) {
  if (tid !== undefined && !catalog.tenants.has(tid)) return businessFailure('InvalidTid');
  if (!catalog.flows.has(dagId)) return businessFailure('DagNotExist');
  return null;
}

/**
 * Reruns one instance. Returns the DMS result fields (without RequestId);
 * `reruns` (instanceId → count) is bumped on success only.
 */
export function rerun(catalog, reruns, { tid, dagId, dagInstanceId, dagVersion }) {
  const refused = checkFlow(catalog, { tid, dagId });
  if (refused) return refused;
  const version = catalog.flows.get(dagId).instances.get(dagInstanceId);
  if (version === undefined) return businessFailure('InstanceNotExist');
  if (version !== dagVersion) return businessFailure('DagVersionMismatch');
  reruns.set(dagInstanceId, (reruns.get(dagInstanceId) ?? 0) + 1);
  return { Success: true };
}
