/**
 * Issue 9, defects 1 and 2: a call reads its input ONCE, own properties only.
 *
 * 1. Getters and mutations while a call is in flight change nothing: every
 *    retry re-signs the frozen copy taken at the start (same host, same
 *    DagId), a re-read that would now fail validation never turns a sent
 *    call into InvalidInput, and each getter runs exactly once per call.
 * 2. Properties inherited from a polluted `Object.prototype` (`endpoint`,
 *    `fetch`, ...) are ignored.
 *
 * Each test says how it failed on the old package (commit cfd98a7), run as
 *   DMS_CONSUMER_DIR=<old worktree>/test-output/consumer node --test tests/js/input-once.test.mjs
 *
 *   node --test tests/js/input-once.test.mjs
 */
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { importPackage } from '../support/consumer.mjs';
import { startEmulator } from '../../emulator/server.mjs';
import { DEMO_KEY, SMALL_FLOW, assertDmsError, configFor, queryPairs, rejectionOf, thrownBy } from './support/harness.mjs';

const { rerunTaskFlowInstance, signRerunTaskFlowInstance, listTaskFlowInstances, DmsError } = await importPackage();

/** Host A answers; host B must never see a request. */
let emuA;
let emuB;
before(async () => {
  [emuA, emuB] = await Promise.all([startEmulator(), startEmulator()]);
});
after(async () => {
  await Promise.all([emuA?.close(), emuB?.close()]);
});
beforeEach(() => {
  emuA.state.reset();
  emuB.state.reset();
});

/** One throttled answer that may be retried at once. */
const THROTTLED = { type: 'throttling-user', headers: { 'x-acs-retry-after': '0' } };

/**
 * `target` with each `name` of `values` turned into an own getter that
 * returns values[name][0] on the first read, [1] on the second, and so on
 * (the last one forever; a function value is called, so it may throw).
 * `reads[name]` counts the reads.
 */
function withGetters(target, values) {
  const reads = {};
  for (const [name, sequence] of Object.entries(values)) {
    reads[name] = 0;
    Object.defineProperty(target, name, {
      enumerable: true,
      get() {
        const value = sequence[Math.min(reads[name]++, sequence.length - 1)];
        return typeof value === 'function' ? value() : value;
      },
    });
  }
  return { object: target, reads };
}

/** The emulator's request log through its admin API (as another process would read it). */
async function loggedParams(emu) {
  const state = await emu.admin('/state');
  return state.log.map((entry) => Object.fromEntries(queryPairs(entry.rawQuery)));
}

// cfd98a7: the retry re-read both getters and went to host B with DagId=8;
// B answered DagNotExist ("The task flow does not exist."), which the call
// rejected with.
test('defect 1: endpoint getter A→B and dagId getter 7→8, throttled first → both attempts to A with DagId=7, each getter read once', async () => {
  emuA.injectFaults([THROTTLED]);
  const config = withGetters({ ...DEMO_KEY }, { endpoint: [emuA.url, emuB.url] });
  const request = withGetters({ dagInstanceId: 47, dagVersion: '2' }, { dagId: [7, 8] });
  const result = await rerunTaskFlowInstance(config.object, request.object);

  const sent = await loggedParams(emuA);
  assert.equal(sent.length, 2, 'both attempts reached host A');
  assert.deepEqual(sent.map((p) => p.DagId), ['7', '7']);
  assert.deepEqual(sent.map((p) => p.DagInstanceId), ['47', '47']);
  assert.notEqual(sent[0].SignatureNonce, sent[1].SignatureNonce, 'the retry is signed afresh');
  assert.equal(emuB.state.requests, 0, 'host B saw a request');
  assert.deepEqual(result, { requestId: emuA.state.log[1].requestId, success: true });
  assert.deepEqual(config.reads, { endpoint: 1 });
  assert.deepEqual(request.reads, { dagId: 1 });
});

// cfd98a7: the retry re-read dagVersion (''), refused it and rejected with
// InvalidInput "InvalidParameter.DagVersion" and no `attempts`, although one
// request had been sent.
test('defect 1: a re-read that would fail validation is never made: the retry succeeds', async () => {
  emuA.injectFaults([THROTTLED]);
  const request = withGetters({ dagId: 7, dagInstanceId: 47 }, { dagVersion: ['2', ''] });
  const result = await rerunTaskFlowInstance(configFor(emuA), request.object);
  assert.deepEqual(result, { requestId: emuA.state.log[1].requestId, success: true });
  assert.equal(emuA.state.requests, 2);
  assert.deepEqual((await loggedParams(emuA)).map((p) => p.DagVersion), ['2', '2']);
  assert.deepEqual(request.reads, { dagVersion: 1 });
});

// cfd98a7: after one (throttled) request was sent, the retry's re-read threw
// and the call rejected with the getter's own Error: no DmsError, no attempts.
test('defect 1: when every attempt is throttled, the error is the gateway\'s, with attempts, never InvalidInput', async () => {
  emuA.injectFaults([THROTTLED, THROTTLED, THROTTLED]);
  const throwing = () => {
    throw new Error('a getter that works only once');
  };
  const request = withGetters({ dagInstanceId: 47, dagVersion: '2' }, { dagId: [7, throwing] });
  const err = await rejectionOf(rerunTaskFlowInstance(configFor(emuA, { maxRetries: 2 }), request.object));
  assertDmsError(err, DmsError, {
    kind: 'Api',
    code: 'Throttling.User',
    httpStatus: 400,
    requestId: emuA.state.log.at(-1)?.requestId,
    retryable: true,
    attempts: 3,
    recommend: () => {},
  });
  assert.equal(emuA.state.requests, 3);
  assert.deepEqual((await loggedParams(emuA)).map((p) => p.DagId), ['7', '7', '7']);
  assert.deepEqual(request.reads, { dagId: 1 });
});

// cfd98a7: the retry re-read both objects: GET to host B with DagId=8,
// DagVersion=3, signed with the changed secret → SignatureDoesNotMatch.
test('defect 1: mutating config and request while the call is in flight changes nothing it sends', async () => {
  emuA.injectFaults([THROTTLED]);
  const realFetch = globalThis.fetch;
  const config = configFor(emuA);
  const request = { dagId: 7, dagInstanceId: 47, dagVersion: '2' };
  const methods = [];
  // The caller's fetch mutates both objects after the first attempt was sent.
  config.fetch = (url, init) => {
    methods.push(init.method);
    Object.assign(config, { endpoint: emuB.url, method: 'GET', accessKeySecret: 'changed-secret' });
    Object.assign(request, { dagId: 8, dagVersion: '3' });
    return realFetch(url, init);
  };
  const result = await rerunTaskFlowInstance(config, request);
  assert.deepEqual(result, { requestId: emuA.state.log[1].requestId, success: true });
  assert.deepEqual(methods, ['POST', 'POST']);
  const sent = await loggedParams(emuA);
  assert.deepEqual(sent.map((p) => [p.DagId, p.DagVersion]), [['7', '2'], ['7', '2']]);
  assert.equal(emuB.state.requests, 0);
});

// cfd98a7: the `get` trap ran once per attempt and more (config.signal 3 times).
test('defect 1: through Proxies, each field of config and request is read at most once per call', async () => {
  emuA.injectFaults([THROTTLED]);
  const gets = new Map();
  const counted = (target, label) =>
    new Proxy(target, {
      get(t, key, receiver) {
        const name = `${label}.${String(key)}`;
        gets.set(name, (gets.get(name) ?? 0) + 1);
        return Reflect.get(t, key, receiver);
      },
    });
  const result = await rerunTaskFlowInstance(counted(configFor(emuA), 'config'), counted({ ...SMALL_FLOW }, 'request'));
  assert.equal(result.success, true);
  assert.equal(emuA.state.requests, 2);
  const repeated = [...gets].filter(([, n]) => n > 1);
  assert.deepEqual(repeated, [], `read more than once: ${JSON.stringify(repeated)}`);
  for (const name of ['config.accessKeyId', 'config.accessKeySecret', 'config.endpoint', 'request.dagId', 'request.dagInstanceId', 'request.dagVersion']) {
    assert.equal(gets.get(name), 1, name);
  }
});

// A guard, not a regression (cfd98a7 passed it): one preview, one read each.
test('defect 1: the signer calls each getter exactly once', () => {
  const config = withGetters({}, { accessKeyId: [DEMO_KEY.accessKeyId], accessKeySecret: [DEMO_KEY.accessKeySecret], endpoint: [emuA.url], method: ['GET'] });
  const request = withGetters({}, { tid: [undefined], dagId: [7, 8], dagInstanceId: ['47'], dagVersion: ['2'] });
  const signed = signRerunTaskFlowInstance(config.object, request.object, { timestamp: '2024-01-02T03:04:05Z', nonce: 'n' });
  assert.equal(signed.method, 'GET');
  assert.match(signed.canonicalQuery, /&DagId=7&/);
  assert.deepEqual(config.reads, { accessKeyId: 1, accessKeySecret: 1, endpoint: 1, method: 1 });
  assert.deepEqual(request.reads, { tid: 1, dagId: 1, dagInstanceId: 1, dagVersion: 1 });
  assert.equal(emuA.state.requests, 0);
});

// cfd98a7: the getter's own Error escaped (thrown from sign), not a DmsError.
test('defect 1: a getter or Proxy trap that throws → InvalidParameter.<Field> "could not be read", nothing sent', async () => {
  const boom = () => {
    throw new Error('getter exploded');
  };
  const cases = [
    ['config', withGetters(configFor(emuA), { accessKeySecret: [boom] }).object, { ...SMALL_FLOW }, 'InvalidParameter.AccessKeySecret'],
    ['request', configFor(emuA), withGetters({ ...SMALL_FLOW }, { dagVersion: [boom] }).object, 'InvalidParameter.DagVersion'],
    ['proxy', new Proxy(configFor(emuA), { get: (t, k) => (k === 'endpoint' ? boom() : t[k]) }), { ...SMALL_FLOW }, 'InvalidParameter.Endpoint'],
    ['has trap', new Proxy(configFor(emuA), { getOwnPropertyDescriptor: (t, k) => (k === 'method' ? boom() : Reflect.getOwnPropertyDescriptor(t, k)) }), { ...SMALL_FLOW }, 'InvalidParameter.Method'],
  ];
  for (const [label, config, request, code] of cases) {
    for (const err of [thrownBy(() => signRerunTaskFlowInstance(config, request)), await rejectionOf(rerunTaskFlowInstance(config, request))]) {
      assertDmsError(err, DmsError, { kind: 'InvalidInput', code });
      assert.match(err.message, /could not be read/, label);
      assert.ok(!err.message.includes('getter exploded'), label);
    }
  }
  assert.equal(emuA.state.requests, 0);
});

test('defect 1, list: query getters are read once and a throttled page is retried with the same query', async () => {
  emuA.injectFaults([THROTTLED]);
  const query = withGetters({ dagId: 7 }, { pageSize: [5, 500], status: ['failed', 'bogus'] });
  const page = await listTaskFlowInstances(configFor(emuA), query.object);
  assert.equal(page.pageSize, 5);
  assert.ok(page.instances.every((i) => i.statusName === 'failed'));
  const sent = await loggedParams(emuA);
  assert.deepEqual(sent.map((p) => [p.Action, p.PageSize, p.Status]), [['ListTaskFlowInstance', '5', '3'], ['ListTaskFlowInstance', '5', '3']]);
  assert.deepEqual(query.reads, { pageSize: 1, status: 1 });
});

/**
 * Sets `values` on Object.prototype for the duration of `fn` (sync or async),
 * always restoring it, even when an assertion fails.
 */
async function withPollutedPrototype(values, fn) {
  const saved = new Map();
  for (const [name, value] of Object.entries(values)) {
    saved.set(name, Object.getOwnPropertyDescriptor(Object.prototype, name));
    Object.defineProperty(Object.prototype, name, { value, writable: true, configurable: true, enumerable: false });
  }
  try {
    return await fn();
  } finally {
    for (const [name, descriptor] of saved) {
      if (descriptor) Object.defineProperty(Object.prototype, name, descriptor);
      else delete Object.prototype[name];
    }
  }
}

// cfd98a7: the signer took method GET (and the host, fetch, Tid and token)
// from Object.prototype: "expected 'POST', got 'GET'".
test('defect 2: Object.prototype.endpoint / .fetch / .method / .tid are ignored', async () => {
  const hijacked = [];
  const pollution = {
    endpoint: 'http://polluted.invalid',
    fetch: (url) => {
      hijacked.push(url);
      return Promise.resolve(new Response('{"RequestId":"HIJACKED","Success":true}'));
    },
    method: 'GET',
    tid: 666,
    securityToken: 'polluted-token',
  };
  const config = { accessKeyId: DEMO_KEY.accessKeyId, accessKeySecret: DEMO_KEY.accessKeySecret };
  const request = { dagId: 7, dagInstanceId: 47, dagVersion: '2' };

  const signed = await withPollutedPrototype(pollution, () => signRerunTaskFlowInstance(config, request));
  assert.equal(signed.method, 'POST');
  assert.ok(signed.url.startsWith('https://dms-enterprise.aliyuncs.com/?'), signed.url.slice(0, 60));
  const names = queryPairs(signed.canonicalQuery).map(([k]) => k);
  assert.ok(!names.includes('Tid') && !names.includes('SecurityToken'), names.join());

  // A real call: the global fetch (a local double, so nothing leaves the
  // machine) must be the one used, with the default host.
  const realFetch = globalThis.fetch;
  const viaGlobal = [];
  globalThis.fetch = async (url, init) => {
    viaGlobal.push([url, init.method]);
    return new Response('{"RequestId":"GLOBAL","Success":true}');
  };
  try {
    const result = await withPollutedPrototype(pollution, () => rerunTaskFlowInstance(config, request));
    assert.deepEqual(result, { requestId: 'GLOBAL', success: true });
  } finally {
    globalThis.fetch = realFetch;
  }
  assert.deepEqual(hijacked, [], 'the polluted fetch was called');
  assert.equal(viaGlobal.length, 1);
  assert.equal(viaGlobal[0][1], 'POST');
  assert.ok(viaGlobal[0][0].startsWith('https://dms-enterprise.aliyuncs.com/?'), viaGlobal[0][0].slice(0, 60));
  assert.equal(Object.prototype.endpoint, undefined, 'prototype restored');
});

// cfd98a7: accessKeyId came from the prototype and the call was signed ("expected a throw").
test('defect 2: a field only on the input\'s own prototype counts as missing', () => {
  const config = Object.create({ accessKeyId: DEMO_KEY.accessKeyId });
  config.accessKeySecret = DEMO_KEY.accessKeySecret;
  assertDmsError(thrownBy(() => signRerunTaskFlowInstance(config, SMALL_FLOW)), DmsError, {
    kind: 'InvalidInput',
    code: 'InvalidParameter.AccessKeyId',
  });
  const request = Object.create({ dagVersion: '2' });
  Object.assign(request, { dagId: 7, dagInstanceId: 47 });
  assertDmsError(thrownBy(() => signRerunTaskFlowInstance(configFor(emuA), request)), DmsError, {
    kind: 'InvalidInput',
    code: 'InvalidParameter.DagVersion',
  });
  // Class instances keep working through their own fields.
  class Settings {
    constructor() {
      Object.assign(this, configFor(emuA));
    }
  }
  assert.ok(signRerunTaskFlowInstance(new Settings(), SMALL_FLOW).url.startsWith(emuA.url));
});
