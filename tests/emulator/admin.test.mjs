/**
 * The /__admin/ API is not for browsers: its log holds signed queries and
 * STS tokens and it can queue faults. Every request needs the emulator's
 * token in X-Emulator-Admin; nothing it answers carries CORS; a preflight is
 * refused; a cross-site "simple" POST (text/plain, no custom header) changes
 * nothing. Regression tests for issue 9, defect 10.
 *
 *   node --test tests/emulator/admin.test.mjs
 */
import { test, describe, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { startEmulator } from '../../emulator/server.mjs';
import { ADMIN_HEADER, ADMIN_TOKEN_ENV, admin } from '../../emulator/admin-client.mjs';
import { STS_KEY } from '../../emulator/data.mjs';
import { call, signed } from './client.mjs';

const ORIGIN = 'https://evil.example';
const CORS_HEADERS = [
  'access-control-allow-origin',
  'access-control-allow-methods',
  'access-control-allow-headers',
  'access-control-allow-credentials',
  'access-control-expose-headers',
];

/** Every route the admin API has, with a body that would act if accepted. */
const ROUTES = [
  ['GET', '/__admin/state'],
  ['GET', '/__admin/faults'],
  ['POST', '/__admin/faults', { faults: [{ type: 'destroy' }] }],
  ['DELETE', '/__admin/faults'],
  ['POST', '/__admin/reset', {}],
  ['POST', '/__admin/clock', { skewMs: 3_600_000 }],
  ['GET', '/__admin/runs'],
  ['POST', '/__admin/outcomes', { instanceId: '47', outcomes: ['failed'] }],
  ['POST', '/__admin/settle', {}],
  ['POST', '/__admin/config', { rerunOutcomeMs: 0 }],
  ['GET', '/__admin/nope'],
  ['GET', '/__admin'],
];

function assertNoCors(res, what) {
  for (const name of CORS_HEADERS) assert.equal(res.headers.get(name), null, `${what}: ${name}`);
}

let emu;
before(async () => {
  emu = await startEmulator({ rerunOutcomeMs: null });
});
after(() => emu.close());
beforeEach(async () => {
  emu.state.reset();
  emu.setClockSkewMs(0);
  emu.runs.setOutcomeMs(null);
  // something worth stealing: an STS call in the log
  const reply = await call(emu, signed({ SecurityToken: STS_KEY.securityToken }, { key: STS_KEY }));
  assert.equal(reply.json.Success, true);
});

describe('without the token', () => {
  test('every route: 401 without the header, 403 with a wrong one, no CORS, nothing leaked', async () => {
    for (const [method, path, body] of ROUTES) {
      for (const [headers, status] of [
        [{}, 401],
        [{ [ADMIN_HEADER]: 'wrong-token-wrong-token' }, 403],
        [{ [ADMIN_HEADER]: emu.adminToken.slice(0, -1) }, 403],
        [{ [ADMIN_HEADER]: `${emu.adminToken}x` }, 403],
        [{ [ADMIN_HEADER]: '' }, 403],
      ]) {
        const res = await fetch(`${emu.url}${path}`, {
          method,
          headers: { origin: ORIGIN, 'content-type': 'application/json', ...headers },
          body: body && JSON.stringify(body),
        });
        const text = await res.text();
        assert.equal(res.status, status, `${method} ${path} ${JSON.stringify(headers)}: ${text}`);
        assertNoCors(res, `${method} ${path}`);
        assert.match(JSON.parse(text).error, /X-Emulator-Admin/);
        assert.ok(!text.includes(STS_KEY.securityToken) && !text.includes(emu.adminToken));
      }
    }
    // nothing acted: no fault, no skew, no script, no delay change, log kept
    assert.equal(emu.state.faults.length, 0);
    assert.equal(emu.clockSkewMs, 0);
    assert.equal(emu.runs.outcomeMs, null);
    assert.equal(emu.state.log.length, 1);
    assert.equal((await call(emu, signed({ DagInstanceId: '48' }))).json.Success, true);
  });

  test('a cross-site text/plain POST (what a page can send without preflight) does nothing', async () => {
    const simple = (path, body) =>
      fetch(`${emu.url}${path}`, { method: 'POST', headers: { origin: ORIGIN, 'content-type': 'text/plain;charset=UTF-8' }, body });
    for (const [path, body] of [
      ['/__admin/faults', '{"faults":[{"type":"destroy"},{"type":"destroy"}]}'],
      ['/__admin/reset', '{}'],
      ['/__admin/clock', '{"skewMs":3600000}'],
      ['/__admin/outcomes', '{"instanceId":"47","outcomes":["failed"]}'],
      ['/__admin/config', '{"rerunOutcomeMs":0}'],
    ]) {
      const res = await simple(path, body);
      assert.equal(res.status, 401, path);
      assertNoCors(res, path);
    }
    const form = await fetch(`${emu.url}/__admin/reset`, {
      method: 'POST',
      headers: { origin: ORIGIN, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a=b',
    });
    assert.equal(form.status, 401);
    assert.equal(emu.state.faults.length, 0);
    assert.equal(emu.state.log.length, 1, 'not reset');
    assert.equal(emu.clockSkewMs, 0);
    await call(emu, signed());
    assert.equal(emu.runs.pendingIds().length, 1);
    assert.equal(emu.runs.settle('47')[0], '47');
    assert.equal(emu.runs.get('47').status, 4, 'no failure was scripted');
  });

  test('even with the token, a body must be JSON (defence in depth)', async () => {
    const res = await fetch(`${emu.url}/__admin/faults`, {
      method: 'POST',
      headers: { [ADMIN_HEADER]: emu.adminToken, 'content-type': 'text/plain' },
      body: '{"faults":[{"type":"destroy"}]}',
    });
    assert.equal(res.status, 415);
    assertNoCors(res, 'text/plain with token');
    assert.equal(emu.state.faults.length, 0);
  });

  test('a preflight to the admin API gets no CORS allowance; the API keeps its own', async () => {
    for (const path of ['/__admin/faults', '/__admin/state', '/__admin']) {
      const res = await fetch(`${emu.url}${path}`, {
        method: 'OPTIONS',
        headers: { origin: ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-emulator-admin, content-type' },
      });
      assert.equal(res.status, 403, path);
      assertNoCors(res, `OPTIONS ${path}`);
    }
    const api = await fetch(`${emu.url}/`, {
      method: 'OPTIONS',
      headers: { origin: ORIGIN, 'access-control-request-method': 'POST' },
    });
    assert.equal(api.status, 204);
    assert.equal(api.headers.get('access-control-allow-origin'), '*');
  });

  test('paths that only look like admin are the gateway’s 404, not the admin API', async () => {
    for (const path of ['/%5F%5Fadmin/state', '//__admin/state', '/__ADMIN/state', '/x/__admin/state']) {
      const res = await fetch(`${emu.url}${path}`);
      const text = await res.text();
      assert.equal(res.status, 404, path);
      assert.equal(JSON.parse(text).Code, 'InvalidAction.NotFound');
      assert.ok(!text.includes(STS_KEY.securityToken));
    }
  });
});

describe('with the token', () => {
  test('answers carry no CORS and are not cached', async () => {
    const res = await fetch(`${emu.url}/__admin/state`, { headers: { origin: ORIGIN, [ADMIN_HEADER]: emu.adminToken } });
    assert.equal(res.status, 200);
    assertNoCors(res, 'GET state');
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const state = await res.json();
    assert.equal(state.requests, 1);
    assert.equal(state.log[0].params.SecurityToken, STS_KEY.securityToken, 'the log is what the token protects');
  });

  test('the header name is case-insensitive; the helper and emu.admin send it', async () => {
    const res = await fetch(`${emu.url}/__admin/state`, { headers: { 'x-emulator-admin': emu.adminToken } });
    assert.equal(res.status, 200);
    assert.equal((await admin(emu.url, emu.adminToken, '/state')).requests, 1);
    assert.equal((await admin(emu.url, emu.adminToken, 'state')).requests, 1);
    assert.deepEqual(await emu.admin('/faults', undefined, { method: 'DELETE' }), { pending: 0 });
    const refused = await admin(emu.url, 'not-the-token-at-all', '/state').catch((e) => e);
    assert.equal(refused.status, 403);
  });

  test('runs view, outcomes, settle and config validate their input', async () => {
    const view = await emu.admin('/runs?dagId=7');
    assert.equal(view.runs.length, 45);
    assert.deepEqual(view.running, ['47']);
    assert.deepEqual(view.runs.find((r) => r.id === '47').statusName, 'running');
    assert.equal((await emu.admin('/runs')).runs.length, 49);
    for (const [path, body] of [
      ['/outcomes', { instanceId: 47, outcomes: ['failed'] }], // a number: ids exceed JS numbers
      ['/outcomes', { instanceId: '47', outcomes: ['exploded'] }],
      ['/outcomes', { instanceId: '47', outcomes: 'failed' }],
      ['/outcomes', { instanceId: '999', outcomes: ['failed'] }],
      ['/settle', { instanceId: '-1' }],
      ['/config', { rerunOutcomeMs: -1 }],
      ['/config', { rerunOutcomeMs: '5' }],
      ['/config', {}],
      ['/clock', { skewMs: 'soon' }],
    ]) {
      const error = await emu.admin(path, body).catch((e) => e);
      assert.equal(error.status, 400, `${path} ${JSON.stringify(body)}`);
    }
    const notJson = await fetch(`${emu.url}/__admin/config`, {
      method: 'POST',
      headers: { [ADMIN_HEADER]: emu.adminToken, 'content-type': 'application/json' },
      body: '[1,2',
    });
    assert.equal(notJson.status, 400);
    const tooBig = await fetch(`${emu.url}/__admin/faults`, {
      method: 'POST',
      headers: { [ADMIN_HEADER]: emu.adminToken, 'content-type': 'application/json' },
      body: `{"faults":[],"pad":"${'a'.repeat(1024 * 1024)}"}`,
    });
    assert.equal(tooBig.status, 413);
    assert.equal(emu.runs.outcomeMs, null);
  });
});

describe('the token', () => {
  test('random by default, different per emulator, long', async () => {
    const other = await startEmulator();
    try {
      assert.notEqual(other.adminToken, emu.adminToken);
      assert.match(other.adminToken, /^[A-Za-z0-9_-]{32}$/);
      const res = await fetch(`${other.url}/__admin/state`, { headers: { [ADMIN_HEADER]: emu.adminToken } });
      assert.equal(res.status, 403, "one emulator's token does not open another");
    } finally {
      await other.close();
    }
  });

  test('chosen by option or by the environment (option first); weak tokens refused', async () => {
    const previous = process.env[ADMIN_TOKEN_ENV];
    try {
      process.env[ADMIN_TOKEN_ENV] = 'token-from-the-environment';
      const fromEnv = await startEmulator();
      const fromOption = await startEmulator({ adminToken: 'token-from-the-option!' });
      try {
        assert.equal(fromEnv.adminToken, 'token-from-the-environment');
        assert.equal((await admin(fromEnv.url, 'token-from-the-environment', '/state')).requests, 0);
        assert.equal(fromOption.adminToken, 'token-from-the-option!');
      } finally {
        await Promise.all([fromEnv.close(), fromOption.close()]);
      }
      for (const adminToken of ['short', 'has a space in it!!', 'x'.repeat(257), 'non-ascii-tökén-0123456', 12345678901234567890]) {
        await assert.rejects(startEmulator({ adminToken }), /admin token/);
      }
      process.env[ADMIN_TOKEN_ENV] = 'short';
      await assert.rejects(startEmulator(), /admin token/);
    } finally {
      if (previous === undefined) delete process.env[ADMIN_TOKEN_ENV];
      else process.env[ADMIN_TOKEN_ENV] = previous;
    }
  });
});
