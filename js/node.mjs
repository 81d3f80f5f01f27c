// Node entry (ESM): re-exports the CommonJS build so `import` and `require`
// share one instance and one DmsError class.
import api from './index.cjs';

export const { rerunTaskFlowInstance, signRerunTaskFlowInstance, DmsError, ErrorKind, ErrorCode } = api;
