/**
 * Seeded credentials, tenants and task flows. Exported so tests can sign with
 * the same keys and assert on the same ids; ids are strings because they are
 * 64-bit Longs and must never pass through a JS Number.
 */

/** Largest signed 64-bit value: proves ids survive without precision loss. */
export const MAX_LONG = '9223372036854775807';

/** Permanent AccessKey for demos and tests. */
export const DEMO_KEY = Object.freeze({
  accessKeyId: 'LTAI-demo-key',
  accessKeySecret: 'demo-secret-do-not-use',
});

/** Temporary (STS) AccessKey: requests must carry the matching SecurityToken. */
export const STS_KEY = Object.freeze({
  accessKeyId: 'STS.demo-temporary',
  accessKeySecret: 'sts-secret',
  securityToken: 'CAIS+demo/token==', // + / = on purpose: must be sent as %2B %2F %3D
});

/** Known tenants (Tid is optional; an unknown one is a business error). */
export const TENANTS = Object.freeze(['1', MAX_LONG]);

/** Task flows: DagId → current DagVersion and the instances that can be rerun. */
export const TASK_FLOWS = Object.freeze([
  Object.freeze({ dagId: '7', dagVersion: '2', instances: Object.freeze(['47', '48']) }),
  Object.freeze({ dagId: MAX_LONG, dagVersion: 'v-大数据-🚀', instances: Object.freeze(['9223372036854775806']) }),
]);

/** Fresh credential table for one emulator: seeds plus `extra` keys. */
export function credentialTable(extra = []) {
  const table = new Map();
  for (const key of [DEMO_KEY, STS_KEY, ...extra]) {
    table.set(key.accessKeyId, { ...key });
  }
  return table;
}

// ---------- execution records for ListTaskFlowInstance ----------

/** Record status numbers of the API (ListTaskFlowInstance `Status`). */
export const STATUS = Object.freeze({ waiting: 0, running: 1, suspended: 2, failed: 3, succeeded: 4, completed: 5 });

/** How a record was triggered (`TriggerType`). */
export const TRIGGER = Object.freeze({ scheduled: 0, manual: 1 });

/**
 * One seeded record. `hoursAgo` counts back from the seed anchor (the
 * emulator's start, floored to the hour, unless `seedAnchor` pins it), so the
 * last few days always hold runs whenever the emulator starts; a negative
 * value is a run scheduled in the future (only for `waiting`).
 */
const run = (id, hoursAgo, status, triggerType, dagVersion, message = '') =>
  Object.freeze({ id, hoursAgo, status: STATUS[status], triggerType: TRIGGER[triggerType], dagVersion, message });

/**
 * Task flow 7 (the rerun seed, current version '2'): 45 records, one every
 * 8 hours over ~15 days (three pages of 20), every status, both trigger
 * types, failed runs recent and old. Version '2' was deployed a week ago, so
 * older records carry DagVersion '1' and must be rerun with it. Instances 47
 * and 48 are the rerun tests' targets: both failed, within the last 3 days.
 * 49 and 999 stay unknown on purpose (tests use them for InstanceNotExist).
 */
export const LIST_FLOW = Object.freeze({
  dagId: '7',
  dagName: 'nightly-orders-etl',
  dagVersion: '2',
  ownerName: 'demo-owner',
  historyDagIds: Object.freeze({ 1: '70001', 2: '70002' }),
  runs: Object.freeze([
    run('7100', -7, 'waiting', 'scheduled', '2'),
    run('7099', 1, 'running', 'scheduled', '2'),
    run('7098', 9, 'suspended', 'manual', '2', 'Suspended by demo-owner'),
    run('7097', 17, 'failed', 'scheduled', '2', 'Node load_orders failed: Lock wait timeout exceeded; try restarting transaction'),
    run('7096', 25, 'succeeded', 'scheduled', '2'),
    run('7095', 33, 'completed', 'manual', '2'),
    run('48', 41, 'failed', 'manual', '2', 'Node export_report failed: connection refused by rds-demo:3306'),
    run('47', 49, 'failed', 'scheduled', '2', 'Node sync_orders failed: table orders_tmp does not exist'),
    run('7092', 57, 'succeeded', 'scheduled', '2'),
    run('7091', 65, 'succeeded', 'scheduled', '2'),
    run('7090', 73, 'succeeded', 'manual', '2'),
    run('7089', 81, 'succeeded', 'scheduled', '2'),
    run('7088', 89, 'succeeded', 'scheduled', '2'),
    run('7087', 97, 'succeeded', 'manual', '2'),
    run('7086', 105, 'failed', 'scheduled', '2', 'Node load_orders failed: disk quota exceeded'),
    run('7085', 113, 'succeeded', 'scheduled', '2'),
    run('7084', 121, 'succeeded', 'scheduled', '2'),
    run('7083', 129, 'completed', 'scheduled', '2'),
    run('7082', 137, 'succeeded', 'manual', '2'),
    run('7081', 145, 'succeeded', 'scheduled', '2'),
    run('7080', 153, 'succeeded', 'scheduled', '2'),
    run('7079', 161, 'failed', 'scheduled', '1', 'Node sync_orders failed: SQL syntax error near "orders_v1"'),
    run('7078', 169, 'succeeded', 'scheduled', '1'),
    run('7077', 177, 'succeeded', 'scheduled', '1'),
    run('7076', 185, 'succeeded', 'scheduled', '1'),
    run('7075', 193, 'succeeded', 'scheduled', '1'),
    run('7074', 201, 'succeeded', 'manual', '1'),
    run('7073', 209, 'suspended', 'scheduled', '1', 'Suspended by demo-owner'),
    run('7072', 217, 'succeeded', 'scheduled', '1'),
    run('7071', 225, 'failed', 'scheduled', '1', 'Node load_orders failed: out of memory'),
    run('7070', 233, 'succeeded', 'scheduled', '1'),
    run('7069', 241, 'succeeded', 'manual', '1'),
    run('7068', 249, 'succeeded', 'scheduled', '1'),
    run('7067', 257, 'succeeded', 'scheduled', '1'),
    run('7066', 265, 'succeeded', 'scheduled', '1'),
    run('7065', 273, 'completed', 'scheduled', '1'),
    run('7064', 281, 'succeeded', 'scheduled', '1'),
    run('7063', 289, 'succeeded', 'manual', '1'),
    run('7062', 297, 'succeeded', 'scheduled', '1'),
    run('7061', 305, 'succeeded', 'scheduled', '1'),
    run('7060', 313, 'succeeded', 'scheduled', '1'),
    run('7059', 321, 'succeeded', 'manual', '1'),
    run('7058', 329, 'failed', 'manual', '1', 'Node export_report failed: permission denied for schema reports'),
    run('7057', 337, 'succeeded', 'scheduled', '1'),
    run('7056', 345, 'succeeded', 'scheduled', '1'),
  ]),
});

/**
 * The 2^63−1 task flow: ids a JS Number cannot hold. Pairs collide when
 * rounded (…992/…993 and …806/…807 each become one double), so a client that
 * parses the list with JSON.parse reruns the wrong record, which tests see.
 * The failed message holds quotes, a newline, a tab and non-ASCII text.
 */
export const BIG_ID_FLOW = Object.freeze({
  dagId: MAX_LONG,
  dagName: '大数据-big-ids',
  dagVersion: 'v-大数据-🚀',
  ownerName: '数据团队',
  historyDagIds: Object.freeze({ 'v-大数据-🚀': '9007199254740995' }),
  runs: Object.freeze([
    run(MAX_LONG, 2, 'succeeded', 'scheduled', 'v-大数据-🚀'),
    run('9223372036854775806', 10, 'failed', 'manual', 'v-大数据-🚀', '节点 "load_大数据" 失败:\n\tquota exceeded \\ retry'),
    run('9007199254740993', 26, 'failed', 'scheduled', 'v-大数据-🚀', 'Node 大数据_load failed'),
    run('9007199254740992', 34, 'succeeded', 'scheduled', 'v-大数据-🚀'),
  ]),
});

/** Flows whose records ListTaskFlowInstance returns. */
export const SEEDED_FLOWS = Object.freeze([LIST_FLOW, BIG_ID_FLOW]);

/** Every seeded failed record, newest first per flow: `{dagId, id, dagVersion, hoursAgo}`. */
export const FAILED_RUNS = Object.freeze(
  SEEDED_FLOWS.flatMap((flow) =>
    flow.runs
      .filter((r) => r.status === STATUS.failed)
      .map((r) => Object.freeze({ dagId: flow.dagId, id: r.id, dagVersion: r.dagVersion, hoursAgo: r.hoursAgo })),
  ),
);
