/**
 * Issue 9, defect 6: endpoint hosts are validated as the WHATWG URL parser
 * (which `fetch` uses) would parse them, so a host `fetch` would refuse is
 * InvalidParameter.Endpoint before anything is signed or sent — never a
 * Network error saying "the rerun may still have happened".
 *
 * Plus a differential check against Node's own WHATWG `URL` on seeded random
 * hosts: whatever the package accepts, `URL` parses to the same origin with
 * no path; canonical DNS names, IPv4 and IPv6 literals are accepted. (The
 * package may be stricter than `URL`: it refuses shorthand IPv4 such as
 * `127.1`, which `URL` would rewrite.)
 *
 *   node --test tests/js/endpoint-hosts.test.mjs
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { importPackage } from '../support/consumer.mjs';
import { prng } from '../support/prng.mjs';
import { DEMO_KEY, SMALL_FLOW, assertDmsError, rejectionOf, thrownBy } from './support/harness.mjs';

const { rerunTaskFlowInstance, signRerunTaskFlowInstance, listTaskFlowInstances, signListTaskFlowInstances, DmsError } = await importPackage();

/** Hosts `fetch` refuses (the URL parser fails on them) or that are shorthand for another address. */
const REFUSED = [
  'http://[1:2]', 'http://256.1.1.1', 'http://1.2.3.4.5', 'http://127.1', 'http://1.2.3.256', 'http://a.b.c.1', 'http://example.0x1',
  'http://[fe80::1%25eth0]', 'http://0x7f.0.0.1', 'http://4294967295',
  // Invalid Punycode, which the URL parser refuses (the package refuses every IDNA A-label).
  'http://xn--a.example', 'http://a.XN--b',
];

// cfd98a7: `http://[1:2]` was signed ("expected a throw, got
// {"method":"POST","url":"http://[1:2]/?…"}"); a call went to fetch, which
// refused the URL: Network "the request could not be sent or got no answer",
// attempts 1.
test('defect 6: hosts fetch would refuse → InvalidParameter.Endpoint, synchronously for sign, nothing sent', async () => {
  const realFetch = globalThis.fetch;
  const sent = [];
  const spy = async (url) => {
    sent.push(url);
    return new Response('{"RequestId":"SENT","Success":true}');
  };
  globalThis.fetch = spy;
  try {
    for (const endpoint of REFUSED) {
      const config = { ...DEMO_KEY, endpoint };
      for (const err of [
        thrownBy(() => signRerunTaskFlowInstance(config, SMALL_FLOW)),
        thrownBy(() => signListTaskFlowInstances(config, { dagId: 7 })),
        await rejectionOf(rerunTaskFlowInstance(config, SMALL_FLOW)),
        await rejectionOf(rerunTaskFlowInstance({ ...config, fetch: spy }, SMALL_FLOW)),
        await rejectionOf(listTaskFlowInstances({ ...config, fetch: spy }, { dagId: 7 })),
      ]) {
        assertDmsError(err, DmsError, { kind: 'InvalidInput', code: 'InvalidParameter.Endpoint' });
        assert.match(err.message, /^endpoint /, endpoint);
      }
    }
  } finally {
    globalThis.fetch = realFetch;
  }
  assert.deepEqual(sent, []);
});

/** One random endpoint built from the pieces hosts are made of, valid or not. */
function randomEndpoint(r) {
  const digits = () => String(r.int(0, r.pick([9, 255, 256, 999, 4294967295])));
  const hex = () => '0x' + r.int(0, 300).toString(16);
  const label = () => {
    const alphabet = 'abcxyz019-_';
    let s = '';
    for (let n = r.int(1, 8); n > 0; n--) s += r.pick([...alphabet]);
    return s;
  };
  const ipv6 = () => {
    const groups = Array.from({ length: r.int(1, 9) }, () => r.int(0, 0xffff).toString(16));
    if (r.chance(0.4)) groups.splice(r.int(0, groups.length), 0, '');
    if (r.chance(0.15)) groups.push(`${r.int(0, 300)}.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(0, 255)}`);
    return `[${groups.join(':')}]`;
  };
  const host = r.pick([
    () => Array.from({ length: r.int(1, 5) }, digits).join('.'),
    () => Array.from({ length: r.int(1, 4) }, () => r.pick([digits, hex])()).join('.'),
    () => Array.from({ length: r.int(1, 4) }, label).join('.'),
    () => [...Array.from({ length: r.int(1, 3) }, label), r.pick([digits, hex, label])()].join('.'),
    ipv6,
    () => r.pick(['localhost', 'LOCALHOST', 'Example.COM', 'a..b', 'h.', '.h', 'ü.com', 'a%41', 'a b', '*', 'xn--a.com', 'xn--nicode-2ya.com', 'a.xn--b']),
  ])();
  const port = r.pick(['', '', `:${r.int(0, 70000)}`, ':', ':080', ':8080']);
  return `${r.pick(['http', 'https', 'http', 'HTTP', 'ftp'])}://${host}${port}${r.pick(['', '', '', '/', '/x', '?q'])}`;
}

/** The origin `fetch` would use, if the WHATWG parser takes `text` as a bare http(s) origin. */
function whatwgOrigin(text) {
  let url;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  const bare = (url.protocol === 'http:' || url.protocol === 'https:') && url.pathname === '/' && !url.search && !url.hash && !url.username && !url.password;
  return bare ? url.origin : undefined;
}

// cfd98a7: accepted "HTTP://[6e54:2692:b085:4142]:50938/" (four IPv6 groups), which URL refuses.
test('differential: every endpoint the package accepts parses with WHATWG URL to the same origin (3000 seeded cases)', (t) => {
  const r = prng(0xe0d9);
  const tally = { accepted: 0, refused: 0, refusedByBoth: 0 };
  for (let i = 0; i < 3000; i++) {
    const endpoint = randomEndpoint(r);
    let signed;
    let error;
    try {
      signed = signRerunTaskFlowInstance({ ...DEMO_KEY, endpoint }, SMALL_FLOW);
    } catch (err) {
      error = err;
    }
    const origin = whatwgOrigin(endpoint);
    if (signed) {
      tally.accepted++;
      assert.ok(origin, `accepted ${JSON.stringify(endpoint)}, which the URL parser refuses (fetch would fail)`);
      assert.equal(new URL(signed.url).origin, origin, endpoint);
    } else {
      tally.refused++;
      if (!origin) tally.refusedByBoth++;
      assertDmsError(error, DmsError, { kind: 'InvalidInput', code: 'InvalidParameter.Endpoint' });
    }
  }
  t.diagnostic(JSON.stringify(tally));
  assert.ok(tally.accepted >= 250 && tally.refusedByBoth >= 300, JSON.stringify(tally));
});

// Not IDNA A-labels (`xn--…`): the core refuses them all rather than check Punycode (af51cae).
test('canonical hosts are accepted: DNS names, dotted-decimal IPv4, IPv6 literals, ports', () => {
  const r = prng(0xacce);
  const canonical = ['http://localhost', 'https://dms-enterprise.cn-hangzhou.aliyuncs.com', 'http://0.0.0.0', 'http://255.255.255.255', 'http://[::1]', 'http://[2001:db8::8a2e:370:7334]', 'http://[::ffff:102:304]', 'https://a-b.c_d.e:65535'];
  for (let i = 0; i < 200; i++) {
    const ipv4 = Array.from({ length: 4 }, () => r.int(0, 255)).join('.');
    const ipv6 = `[${Array.from({ length: 8 }, () => r.int(1, 0xffff).toString(16)).join(':')}]`;
    const name = `${['a', 'b1', 'x-y'][r.int(0, 2)]}${r.int(0, 99)}.example.com`;
    canonical.push(`http://${r.pick([ipv4, ipv6, name])}${r.pick(['', `:${r.int(1, 65535)}`])}`);
  }
  for (const endpoint of canonical) {
    const origin = whatwgOrigin(endpoint);
    assert.ok(origin, `the test's own canonical host ${endpoint} does not parse`);
    const signed = signRerunTaskFlowInstance({ ...DEMO_KEY, endpoint }, SMALL_FLOW);
    assert.equal(new URL(signed.url).origin, origin, endpoint);
  }
});
