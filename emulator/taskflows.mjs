/**
 * DMS business logic behind ReRunTaskFlowInstance. Business failures are
 * HTTP 200 with Success:false (the gateway accepted the call; DMS refused it).
 */
import { TASK_FLOWS, TENANTS } from './data.mjs';

const FAILURES = {
  InvalidTid: 'The tenant does not exist.',
  DagNotExist: 'The task flow does not exist.',
  InstanceNotExist: 'The task flow instance does not exist.',
  DagVersionMismatch: 'The specified DagVersion does not match the task flow version.',
};

/**
 * The known tenants and task flows: seeds plus `extra` ones (same shape as
 * TASK_FLOWS: `{dagId, dagVersion, instances: string[]}`).
 */
export function createCatalog({ taskFlows = [], tenants = [] } = {}) {
  const flows = new Map();
  for (const flow of [...TASK_FLOWS, ...taskFlows]) {
    flows.set(String(flow.dagId), { dagVersion: String(flow.dagVersion), instances: new Set(flow.instances.map(String)) });
  }
  return { flows, tenants: new Set([...TENANTS, ...tenants].map(String)) };
}

/**
 * Reruns one instance. Returns the DMS result fields (without RequestId);
 * `reruns` (instanceId → count) is bumped on success only.
 */
export function rerun(catalog, reruns, { tid, dagId, dagInstanceId, dagVersion }) {
  const fail = (code) => ({ Success: false, ErrorCode: code, ErrorMessage: FAILURES[code] });
  if (tid !== undefined && !catalog.tenants.has(tid)) return fail('InvalidTid');
  const flow = catalog.flows.get(dagId);
  if (!flow) return fail('DagNotExist');
  if (!flow.instances.has(dagInstanceId)) return fail('InstanceNotExist');
  if (flow.dagVersion !== dagVersion) return fail('DagVersionMismatch');
  reruns.set(dagInstanceId, (reruns.get(dagInstanceId) ?? 0) + 1);
  return { Success: true };
}
