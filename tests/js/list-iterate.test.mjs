/**
 * `iterateTaskFlowInstances` (issue 11): an async iterator over every page.
 * It stops once `totalCount` records were seen (no extra request) or on an
 * empty page (a server that overstates its total), starts at
 * `query.pageIndex`, fetches lazily, and honours the config's AbortSignal
 * between and during pages.
 *
 *   node --test tests/js/list-iterate.test.mjs
 */
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { importPackage } from '../support/consumer.mjs';
import { startEmulator } from '../../emulator/server.mjs';
import { DEMO_KEY, assertDmsError, configFor, queryPairs, rejectionOf } from './support/harness.mjs';
import { listAnswer, startCannedServer } from './support/canned-server.mjs';

const { iterateTaskFlowInstances, listTaskFlowInstances, DmsError } = await importPackage();

let emu;
before(async () => {
  emu = await startEmulator();
});
after(async () => {
  await emu?.close();
});
beforeEach(() => {
  emu.state.reset();
});

async function collect(iterator) {
  const out = [];
  for await (const instance of iterator) out.push(instance);
  return out;
}

const pagesAsked = () => emu.state.log.map((e) => Object.fromEntries(queryPairs(e.rawQuery)).PageIndex);

test('every record of every page, in order, and not one request more than needed', async () => {
  const all = (await listTaskFlowInstances(configFor(emu), { dagId: 7, pageSize: 100 })).instances;
  emu.state.reset();
  for (const [pageSize, requests] of [[20, 3], [15, 3], [45, 1], [44, 2], [100, 1], [1, 45]]) {
    emu.state.reset();
    const seen = await collect(iterateTaskFlowInstances(configFor(emu), { dagId: 7, pageSize }));
    assert.deepEqual(seen, all, `pageSize ${pageSize}`);
    // 45 = 3 × 15: totalCount is reached on page 3, so page 4 is never asked for.
    assert.equal(emu.state.requests, requests, `pageSize ${pageSize}: ${emu.state.requests} requests`);
  }
});

test('filters apply on every page; starting at pageIndex skips the pages before', async () => {
  const failed = await collect(iterateTaskFlowInstances(configFor(emu), { dagId: 7, status: 'failed', pageSize: 2 }));
  assert.deepEqual(failed.map((i) => i.id), ['7097', '48', '47', '7086', '7079', '7071', '7058']);
  assert.deepEqual(pagesAsked(), ['1', '2', '3', '4']);
  emu.state.reset();
  const fromThird = await collect(iterateTaskFlowInstances(configFor(emu), { dagId: 7, status: 'failed', pageSize: 2, pageIndex: 3 }));
  assert.deepEqual(fromThird.map((i) => i.id), ['7079', '7071', '7058']);
  assert.deepEqual(pagesAsked(), ['3', '4']);
  emu.state.reset();
  const none = await collect(iterateTaskFlowInstances(configFor(emu), { dagId: 7, startTimeBegin: '2001-01-01', startTimeEnd: '2001-01-02' }));
  assert.deepEqual(none, []);
  assert.equal(emu.state.requests, 1);
});

test('lazy: nothing is sent before the first next(), each page only when the previous one is used up', async () => {
  const iterator = iterateTaskFlowInstances(configFor(emu), { dagId: 7, pageSize: 20 });
  assert.equal(typeof iterator[Symbol.asyncIterator], 'function');
  assert.equal(emu.state.requests, 0);
  for (let i = 0; i < 20; i++) await iterator.next();
  assert.equal(emu.state.requests, 1);
  await iterator.next();
  assert.equal(emu.state.requests, 2);
  // Leaving early (break / return()) stops it.
  await iterator.return();
  assert.deepEqual(await iterator.next(), { value: undefined, done: true });
  assert.equal(emu.state.requests, 2);
});

test('stops on an empty page even when TotalCount promises more', async () => {
  const record = (id) => `{"Id":${id},"DagId":"7","DagVersion":"2","Status":3}`;
  const server = await startCannedServer((request) => {
    const page = Number(request.params.PageIndex);
    const items = page === 1 ? [record(1), record(2)] : page === 2 ? [record(3)] : [];
    return { body: listAnswer(items, { totalCount: 1000 }) };
  });
  try {
    const seen = await collect(iterateTaskFlowInstances({ ...DEMO_KEY, endpoint: server.url }, { dagId: 7, pageSize: 2 }));
    assert.deepEqual(seen.map((i) => i.id), ['1', '2', '3']);
    assert.deepEqual(server.requests.map((r) => r.params.PageIndex), ['1', '2', '3']);
  } finally {
    await server.close();
  }
});

test('stops at TotalCount even when the server would keep sending records', async () => {
  let next = 1;
  const server = await startCannedServer(() => ({
    body: listAnswer([next++, next++].map((id) => `{"Id":${id},"DagId":"7","DagVersion":"2"}`), { totalCount: 5 }),
  }));
  try {
    const seen = await collect(iterateTaskFlowInstances({ ...DEMO_KEY, endpoint: server.url }, { dagId: 7, pageSize: 2 }));
    // Pages of 2: after page 3, 6 ≥ 5 were seen.
    assert.deepEqual(seen.map((i) => i.id), ['1', '2', '3', '4', '5', '6']);
    assert.equal(server.requests.length, 3);
  } finally {
    await server.close();
  }
});

test('an AbortSignal fired between pages ends the iteration with Aborted; nothing more is sent', async () => {
  const controller = new AbortController();
  const iterator = iterateTaskFlowInstances(configFor(emu, { signal: controller.signal }), { dagId: 7, pageSize: 20 });
  const seen = [];
  let error;
  try {
    for await (const instance of iterator) {
      seen.push(instance.id);
      if (seen.length === 25) controller.abort();
    }
  } catch (err) {
    error = err;
  }
  assertDmsError(error, DmsError, { kind: 'Aborted', code: 'Aborted' });
  assert.equal(seen.length, 40, 'the page already fetched is used up, the next one is refused');
  assert.equal(emu.state.requests, 2);
});

test('an AbortSignal fired while a page is in flight rejects that next() at once', async () => {
  emu.injectFaults([{ type: 'slow', delayMs: 200 }, { type: 'hang' }]);
  const controller = new AbortController();
  const iterator = iterateTaskFlowInstances(configFor(emu, { signal: controller.signal, timeoutMs: 0 }), { dagId: 7, pageSize: 20 });
  for (let i = 0; i < 20; i++) assert.equal((await iterator.next()).done, false);
  setTimeout(() => controller.abort(), 150);
  const started = performance.now();
  const err = await rejectionOf(iterator.next());
  assertDmsError(err, DmsError, { kind: 'Aborted', code: 'Aborted', attempts: 1 });
  assert.ok(performance.now() - started < 1000);
  assert.deepEqual(await iterator.next(), { value: undefined, done: true });
  assert.equal(emu.state.requests, 2);
});

test('a page that fails ends the iteration with that error, after the records already yielded', async () => {
  const server = await startCannedServer((request) =>
    request.params.PageIndex === '1'
      ? { body: listAnswer(['{"Id":1,"DagId":"7","DagVersion":"2"}', '{"Id":2,"DagId":"7","DagVersion":"2"}'], { totalCount: 4 }) }
      : { status: 500, body: '<html>oops</html>', headers: { 'content-type': 'text/html', 'x-acs-request-id': 'PAGE-2' } },
  );
  try {
    const seen = [];
    let error;
    try {
      for await (const instance of iterateTaskFlowInstances({ ...DEMO_KEY, endpoint: server.url }, { dagId: 7, pageSize: 2 })) seen.push(instance.id);
    } catch (err) {
      error = err;
    }
    assert.deepEqual(seen, ['1', '2']);
    assertDmsError(error, DmsError, { kind: 'InvalidResponse', code: 'InvalidResponse.NotJson', httpStatus: 500, requestId: 'PAGE-2', attempts: 1 });
    assert.equal(server.requests.length, 2, 'a 500 is not retried, even for a read');
  } finally {
    await server.close();
  }
});

test('config and query are read once for the whole iteration, not once per page', async () => {
  const reads = { endpoint: 0, dagId: 0, status: 0 };
  const config = { ...DEMO_KEY };
  Object.defineProperty(config, 'endpoint', { enumerable: true, get: () => (reads.endpoint++, emu.url) });
  const query = { pageSize: 2 };
  Object.defineProperty(query, 'dagId', { enumerable: true, get: () => (reads.dagId++ ? 8 : 7) });
  Object.defineProperty(query, 'status', { enumerable: true, get: () => (reads.status++ ? 'succeeded' : 'failed') });
  const seen = await collect(iterateTaskFlowInstances(config, query));
  assert.deepEqual(seen.map((i) => i.id), ['7097', '48', '47', '7086', '7079', '7071', '7058']);
  assert.equal(emu.state.requests, 4);
  assert.deepEqual(reads, { endpoint: 1, dagId: 1, status: 1 });
});

test('a signal aborted before the first next() → Aborted, nothing sent', async () => {
  const iterator = iterateTaskFlowInstances(configFor(emu, { signal: AbortSignal.abort() }), { dagId: 7 });
  assertDmsError(await rejectionOf(iterator.next()), DmsError, { kind: 'Aborted', code: 'Aborted' });
  assert.equal(emu.state.requests, 0);
});
