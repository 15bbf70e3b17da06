// The forwarded-headers middleware through a real TCP server and raw requests. Clients connect from
// 127.0.0.1 (the trusted proxy in most tests) or 127.0.0.2 (an untrusted client): what the app
// believes about the client must follow the trusted proxy's headers and nothing else.
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ForwardedOptionsError, forwardedHeaders } from '../../../middleware/index.js';
import { rawWhoami, startForwardedServer, type ForwardedServer } from '../../support/forwarded-server.js';

const UNTRUSTED = '127.0.0.2';

async function withServer(options: Parameters<typeof startForwardedServer>[0], body: (s: ForwardedServer) => Promise<void>): Promise<void> {
  const server = await startForwardedServer(options);
  try {
    await body(server);
  } finally {
    await server.stop();
  }
}

test('a trusted proxy: X-Forwarded-For/-Proto/-Host become the client address, scheme and host; the peer stays reachable', async () => {
  await withServer({ trustedProxies: ['127.0.0.1'] }, async ({ port }) => {
    const { status, believed } = await rawWhoami(port, ['X-Forwarded-For: 203.0.113.7', 'X-Forwarded-Proto: https', 'X-Forwarded-Host: shop.example:8443']);
    assert.is(status, 200);
    assert.is(believed.remote, '203.0.113.7:0');
    assert.is(believed.scheme, 'https');
    assert.is(believed.host, 'shop.example:8443');
    assert.match(believed.peer, /^127\.0\.0\.1:\d+$/);
    assert.is(believed.socket, believed.peer);
  });
});

test('an untrusted client: the same headers are ignored, the socket says who it is', async () => {
  await withServer({ trustedProxies: ['127.0.0.1'] }, async ({ port }) => {
    const { believed } = await rawWhoami(port, ['X-Forwarded-For: 203.0.113.7', 'X-Forwarded-Proto: https', 'X-Forwarded-Host: evil.example'], UNTRUSTED);
    assert.match(believed.remote, /^127\.0\.0\.2:\d+$/);
    assert.is(believed.scheme, 'http');
    assert.is(believed.host, 'origin.test');
  });
});

test('none trusted by default: even loopback is not believed', async () => {
  await withServer(undefined, async ({ port }) => {
    const { believed } = await rawWhoami(port, ['X-Forwarded-For: 203.0.113.7', 'X-Forwarded-Proto: https']);
    assert.match(believed.remote, /^127\.0\.0\.1:\d+$/);
    assert.is(believed.scheme, 'http');
  });
});

test('CIDR ranges and the hop limit: one hop by default, more only through trusted addresses', async () => {
  const chain = 'X-Forwarded-For: 198.51.100.9, 192.0.2.1, 10.1.2.3, 10.0.0.2';
  await withServer({ trustedProxies: ['127.0.0.0/8', '10.0.0.0/8'] }, async ({ port }) => {
    assert.is((await rawWhoami(port, [chain])).believed.remote, '10.0.0.2:0');
  });
  await withServer({ trustedProxies: ['127.0.0.0/8', '10.0.0.0/8'], maxHops: 2 }, async ({ port }) => {
    assert.is((await rawWhoami(port, [chain])).believed.remote, '10.1.2.3:0');
  });
  // 192.0.2.1 is not trusted: what it claims (198.51.100.9) is the client's word, never taken.
  await withServer({ trustedProxies: ['127.0.0.0/8', '10.0.0.0/8'], maxHops: 10 }, async ({ port }) => {
    assert.is((await rawWhoami(port, [chain])).believed.remote, '192.0.2.1:0');
  });
});

test('proxies that append: the proto and host of the hop taken, aligned from the right; header lines are one list', async () => {
  await withServer({ trustedProxies: ['127.0.0.1', '10.0.0.0/8'], maxHops: 2 }, async ({ port }) => {
    const { believed } = await rawWhoami(port, [
      'X-Forwarded-For: 192.0.2.5',
      'X-Forwarded-For: 10.0.0.9',
      'X-Forwarded-Proto: https, http',
      'X-Forwarded-Host: public.example',
    ]);
    assert.is(believed.remote, '192.0.2.5:0');
    assert.is(believed.scheme, 'https');
    // Only the nearest hop gave a host (a proxy that overwrites); it stands.
    assert.is(believed.host, 'public.example');
  });
});

test('an IPv6 client in X-Forwarded-For, bare or bracketed', async () => {
  await withServer({ trustedProxies: ['loopback'] }, async ({ port }) => {
    assert.is((await rawWhoami(port, ['X-Forwarded-For: 2001:db8::7'])).believed.remote, '[2001:db8::7]:0');
    assert.is((await rawWhoami(port, ['X-Forwarded-For: [2001:db8::8]'])).believed.remote, '[2001:db8::8]:0');
  });
});

test('RFC 7239 Forwarded: quoted IPv6 with port, proto and host; parameter names in any case', async () => {
  await withServer({ trustedProxies: ['127.0.0.1'], headers: 'forwarded' }, async ({ port }) => {
    const { believed } = await rawWhoami(port, ['Forwarded: For="[2001:db8:cafe::17]:4711";PROTO=https;host="shop.example:8443"']);
    assert.is(believed.remote, '[2001:db8:cafe::17]:4711');
    assert.is(believed.scheme, 'https');
    assert.is(believed.host, 'shop.example:8443');
    // Two elements (the client's own first): the nearest, with an obfuscated port read as 0.
    const two = await rawWhoami(port, ['Forwarded: for=192.0.2.60;proto=http;by=203.0.113.43, for="198.51.100.17:_port";proto=https']);
    assert.is(two.believed.remote, '198.51.100.17:0');
    assert.is(two.believed.scheme, 'https');
    // A quoted-pair inside a quoted string is unescaped.
    assert.is((await rawWhoami(port, ['Forwarded: for="192.0.2.\\61"'])).believed.remote, '192.0.2.61:0');
  });
});

test('Forwarded is not read by default, nor X-Forwarded-* when Forwarded is chosen: a proxy passes the other through from the client', async () => {
  await withServer({ trustedProxies: ['127.0.0.1'] }, async ({ port }) => {
    const { believed } = await rawWhoami(port, ['Forwarded: for=203.0.113.99;proto=https']);
    assert.match(believed.remote, /^127\.0\.0\.1:\d+$/);
    assert.is(believed.scheme, 'http');
  });
  await withServer({ trustedProxies: ['127.0.0.1'], headers: 'forwarded' }, async ({ port }) => {
    const { believed } = await rawWhoami(port, ['X-Forwarded-For: 203.0.113.99']);
    assert.match(believed.remote, /^127\.0\.0\.1:\d+$/);
  });
});

const MALFORMED_X_FORWARDED: readonly (readonly string[])[] = [
  ['X-Forwarded-For: not-an-address'],
  ['X-Forwarded-For: '],
  ['X-Forwarded-For: 203.0.113.7:8080'],
  ['X-Forwarded-For: 999.1.1.1'],
  ['X-Forwarded-For: 203.0.113.7,'],
  ['X-Forwarded-For: [2001:db8::1'],
];

const MALFORMED_FORWARDED: readonly string[] = [
  'Forwarded: for="203.0.113.7',
  'Forwarded: for=203.0.113.7;for=198.51.100.1',
  'Forwarded: for',
  'Forwarded: for=',
  'Forwarded: for=unknown',
  'Forwarded: for=_hidden',
  'Forwarded: for="[2001:db8::1]x"',
  'Forwarded: for="[2001:db8::1"',
  'Forwarded: for="203.0.113.7:99999"',
  'Forwarded: for=203.0.113.7 proto=https',
  'Forwarded: for="\\',
  'Forwarded: proto=https',
];

test('malformed values are ignored: the socket\'s address stands and the answer is 200', async () => {
  await withServer({ trustedProxies: ['127.0.0.1'] }, async ({ port }) => {
    for (const headers of MALFORMED_X_FORWARDED) {
      const { status, believed } = await rawWhoami(port, headers);
      assert.is(status, 200, headers.join(' | '));
      assert.match(believed.remote, /^127\.0\.0\.1:\d+$/, headers.join(' | '));
    }
    // A bad scheme or host is dropped on its own; the address is still taken.
    const { believed } = await rawWhoami(port, ['X-Forwarded-For: 203.0.113.7', 'X-Forwarded-Proto: javascript', 'X-Forwarded-Host: evil host/x']);
    assert.is(believed.remote, '203.0.113.7:0');
    assert.is(believed.scheme, 'http');
    assert.is(believed.host, 'origin.test');
  });
  await withServer({ trustedProxies: ['127.0.0.1'], headers: 'forwarded' }, async ({ port }) => {
    for (const header of MALFORMED_FORWARDED) {
      const { status, believed } = await rawWhoami(port, [header]);
      assert.is(status, 200, header);
      assert.match(believed.remote, /^127\.0\.0\.1:\d+$/, header);
      assert.is(believed.scheme, 'http', header);
    }
  });
});

test('bad options fail at once with a coded error', () => {
  const cases: unknown[] = [
    { trusted: ['127.0.0.1'] },
    { trustedProxies: ['not-an-address'] },
    { trustedProxies: ['10.0.0.0/33'] },
    { trustedProxies: '127.0.0.1' },
    { maxHops: 0 },
    { maxHops: 1.5 },
    { maxHops: 17 },
    { headers: 'both' },
  ];
  for (const options of cases) {
    try {
      forwardedHeaders(options as Parameters<typeof forwardedHeaders>[0]);
      assert.unreachable(JSON.stringify(options));
    } catch (err) {
      assert.instance(err, ForwardedOptionsError, JSON.stringify(options));
      assert.is((err as ForwardedOptionsError).code, 'ERR_TIERCEL_FORWARDED_OPTIONS');
    }
  }
});

test.run();
