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
