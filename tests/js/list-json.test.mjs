/**
 * The package's own JSON reader (src/json.rs, exact 64-bit ids) against
 * what the records really are: seeded random list answers, written with
 * bare BigInt ids, random whitespace, random `\uXXXX` escapes inside string
 * values, unknown members of every JSON type and repeated keys, are served
 * by a local server; every record must come back field for field, ids exact.
 *
 *   node --test tests/js/list-json.test.mjs
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { importPackage } from '../support/consumer.mjs';
import { prng } from '../support/prng.mjs';
import { DEMO_KEY } from './support/harness.mjs';
import { startCannedServer } from './support/canned-server.mjs';

const { listTaskFlowInstances } = await importPackage();

const STATUS_NAMES = ['waiting', 'running', 'suspended', 'failed', 'succeeded', 'completed'];
const MAX_ID = (1n << 63n) - 1n;

/** Whitespace JSON allows between tokens. */
const ws = (r) => (r.chance(0.7) ? '' : r.pick([' ', '\n', '\t', '\r\n  ', '   ']));

/** A JSON string literal of `text`, each character written plainly or as a `\u` escape at random. */
function stringLiteral(r, text) {
  let out = '"';
  for (const ch of text) {
    const plain = JSON.stringify(ch).slice(1, -1);
    if (r.chance(0.25)) {
      for (let i = 0; i < ch.length; i++) out += '\\u' + ch.charCodeAt(i).toString(16).padStart(4, '0')[r.chance(0.5) ? 'toUpperCase' : 'toLowerCase']();
    } else {
      out += plain;
    }
  }
  return out + '"';
}

/** A random JSON value for members the reader must skip. */
function noise(r, depth = 0) {
  switch (r.int(0, depth > 2 ? 3 : 5)) {
    case 0:
      return r.pick(['null', 'true', 'false']);
    case 1:
      return r.pick(['0', '-1', '1.5e-7', '123456789012345678901234567890', '-0.0', '1E+400']);
    case 2:
    case 3:
      return stringLiteral(r, r.pick(['', 'x', '"quoted"', 'a\\b', '中文 😀', '\u0000\u001f', '}]{[,:']));
    case 4:
      return `[${ws(r)}${Array.from({ length: r.int(0, 3) }, () => noise(r, depth + 1)).join(`${ws(r)},${ws(r)}`)}${ws(r)}]`;
    default:
      return `{${ws(r)}${Array.from({ length: r.int(0, 3) }, (_, i) => `"n${i}"${ws(r)}:${ws(r)}${noise(r, depth + 1)}`).join(`${ws(r)},${ws(r)}`)}${ws(r)}}`;
  }
}

const id = (r) => r.pick([0n, 1n, MAX_ID, MAX_ID - 1n, 9007199254740993n, 9007199254740992n, BigInt(r.int(0, 1e9)), r.u64() & MAX_ID]);
const text = (r) => r.pick(['', '2', 'v-大数据-🚀', 'line\nbreak\ttab', 'quote " backslash \\ slash /', '\u2028\u2029', 'Node "x" failed: \u0007', 'é'.repeat(r.int(1, 40))]);
const time = (r) => `20${r.int(10, 99)}-${String(r.int(1, 12)).padStart(2, '0')}-${String(r.int(1, 28)).padStart(2, '0')} 0${r.int(0, 9)}:00:00`;

/** One record: what the answer holds, and what the package must return for it. */
function record(r) {
  const rec = { Id: id(r), DagId: id(r), DagVersion: text(r) };
  const out = { id: rec.Id.toString(), dagId: rec.DagId.toString(), dagVersion: rec.DagVersion };
  const optional = [
    ['DagName', 'dagName', () => text(r)],
    ['Status', 'status', () => r.int(0, 9)],
    ['TriggerType', 'triggerType', () => r.int(0, 3)],
    ['BusinessTime', 'businessTime', () => time(r)],
    ['startTime', 'startTime', () => time(r)],
    ['EndTime', 'endTime', () => time(r)],
    ['Message', 'message', () => text(r)],
    ['OwnerName', 'ownerName', () => text(r)],
    ['HistoryDagId', 'historyDagId', () => id(r)],
  ];
  for (const [wire, name, make] of optional) {
    if (!r.chance(0.7)) continue;
    rec[wire] = make();
    out[name] = typeof rec[wire] === 'bigint' ? rec[wire].toString() : rec[wire];
  }
  out.statusName = STATUS_NAMES[rec.Status] ?? 'unknown';
  return { rec, out };
}

/** The record as JSON text: members in random order, noise members, a stale duplicate of Id first, random spacing and escapes. */
function recordText(r, rec) {
  const members = Object.entries(rec).map(([k, v]) => [k, typeof v === 'bigint' ? v.toString() : typeof v === 'number' ? String(v) : stringLiteral(r, v)]);
  for (let n = r.int(0, 3); n > 0; n--) members.splice(r.int(0, members.length), 0, [r.pick(['Extra', 'Tags', 'Nested', 'id', 'ID']), noise(r)]);
  // A repeated key: the last one counts, as with JSON.parse.
  if (r.chance(0.2)) members.unshift(['Id', '12345']);
  for (let i = members.length - 1; i > 0; i--) {
    const j = r.int(0, i);
    if (members[i][0] !== 'Id' && members[j][0] !== 'Id') [members[i], members[j]] = [members[j], members[i]];
  }
  return `{${ws(r)}${members.map(([k, v]) => `"${k}"${ws(r)}:${ws(r)}${v}`).join(`${ws(r)},${ws(r)}`)}${ws(r)}}`;
}

test('300 seeded list answers: every record exact, whatever the spacing, escapes, member order and noise', async () => {
  const r = prng(0x15a0);
  let body = '';
  const server = await startCannedServer(() => ({ body }));
  try {
    let records = 0;
    for (let i = 0; i < 300; i++) {
      const made = Array.from({ length: r.int(0, 6) }, () => record(r));
      const total = BigInt(made.length + r.int(0, 1000));
      const list = `{${ws(r)}"DAGInstance"${ws(r)}:${ws(r)}[${ws(r)}${made.map((m) => recordText(r, m.rec)).join(`${ws(r)},${ws(r)}`)}${ws(r)}]${ws(r)}}`;
      const top = [['RequestId', stringLiteral(r, `REQ-${i}`)], ['Success', 'true'], ['TotalCount', total.toString()], ['DAGInstanceList', list], ['Noise', noise(r)]];
      body = `${ws(r)}{${ws(r)}${top.map(([k, v]) => `"${k}"${ws(r)}:${ws(r)}${v}`).join(`${ws(r)},${ws(r)}`)}${ws(r)}}${ws(r)}`;
      let page;
      try {
        page = await listTaskFlowInstances({ ...DEMO_KEY, endpoint: server.url }, { dagId: 7 });
      } catch (error) {
        assert.fail(`answer ${i} refused (${error.code}: ${error.message}):\n${body}`);
      }
      assert.equal(page.requestId, `REQ-${i}`);
      assert.equal(page.totalCount, Number(total));
      assert.deepEqual(page.instances, made.map((m) => m.out), `answer ${i}:\n${body}`);
      records += made.length;
    }
    assert.ok(records > 600, `${records} records`);
  } finally {
    await server.close();
  }
});
