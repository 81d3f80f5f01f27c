/**
 * The operations the emulator answers, as data: each row names its
 * parameters (wire name, type, required) and the DMS logic that answers
 * them. The gateway validates with the row; a third operation is a new row.
 * Types and required flags follow the official API definition (2018-11-01).
 */
import { Bool, Day, Integer, Long, Text } from './params.mjs';
import { rerun } from './taskflows.mjs';
import { listInstances } from './list.mjs';

/** Largest PageSize accepted; the package's contract is 1..100 too. */
export const MAX_PAGE_SIZE = 100;

export const OPERATIONS = Object.freeze({
  ReRunTaskFlowInstance: Object.freeze({
    params: [
      { wire: 'DagId', key: 'dagId', type: Long, required: true },
      { wire: 'DagInstanceId', key: 'dagInstanceId', type: Long, required: true },
      { wire: 'DagVersion', key: 'dagVersion', type: Text, required: true },
      { wire: 'Tid', key: 'tid', type: Long },
    ],
    /** `ctx`: `{catalog, state}`; a successful rerun also moves the record (runs.mjs). */
    answer(ctx, values) {
      const result = rerun(ctx.catalog, ctx.state.reruns, values);
      if (result.Success) ctx.state.runs.rerunStarted(values.dagInstanceId, values.dagId);
      return result;
    },
  }),
  ListTaskFlowInstance: Object.freeze({
    params: [
      { wire: 'DagId', key: 'dagId', type: Long, required: true },
      { wire: 'PageIndex', key: 'pageIndex', type: Integer(1), required: true },
      { wire: 'PageSize', key: 'pageSize', type: Integer(1, MAX_PAGE_SIZE), required: true },
      { wire: 'Tid', key: 'tid', type: Long },
      { wire: 'StartTimeBegin', key: 'startTimeBegin', type: Day },
      { wire: 'StartTimeEnd', key: 'startTimeEnd', type: Day },
      { wire: 'UseBizDate', key: 'useBizDate', type: Bool },
      { wire: 'Status', key: 'status', type: Integer(0, 5) },
      { wire: 'TriggerType', key: 'triggerType', type: Integer(0, 1) },
    ],
    answer(ctx, values) {
      return listInstances({ catalog: ctx.catalog, runs: ctx.state.runs, numericDagId: ctx.numericDagId }, values);
    },
  }),
});

/** The row of `action`, or null; own properties only ("constructor" is no action). */
export function operationOf(action) {
  return Object.hasOwn(OPERATIONS, action) ? OPERATIONS[action] : null;
}
