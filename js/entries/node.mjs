// Node entry for `import`: re-exports the CommonJS build, so `import` and
// `require` in one process share one instance and one DmsError class.
import api from './index.cjs';

export const {
  rerunTaskFlowInstance,
  signRerunTaskFlowInstance,
  listTaskFlowInstances,
  iterateTaskFlowInstances,
  signListTaskFlowInstances,
  DmsError,
  ErrorKind,
  ErrorCode,
} = api;
