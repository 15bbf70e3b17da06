// PROXY protocol connection middleware in a real Server over real sockets: the client's address
// reaches the pipeline over HTTP/1.1, HTTP/2 (h2c) and TLS (HTTP/1.1 and HTTP/2 by ALPN) after
// the header; bytes after the header in the same write go on untouched; LOCAL and UNKNOWN keep the
// socket's endpoints; TLVs reach the app as the feature; untrusted peers are closed (or served as
// they are); malformed, slow and cut-off headers close the connection before HTTP sees a byte,
// are counted and logged at debug; a stop does not wait for a header.
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import http2 from 'node:http2';
import net from 'node:net';
import { Duplex } from 'node:stream';
import tls from 'node:tls';
import { InvalidOptionError, type ConnectionMiddleware } from '../../../connection/index.js';
import { ManualClock } from '../../../hosting/index.js';
import { resolveProxyProtocolOptions } from '../../../protocols/proxy/index.js';
import { parseResponses } from '../../support/clients.js';
import { connectAndSend, connectPathAndSend, readUntilClosed, tlv, v1, v2 } from '../../support/proxy-headers.js';
import { h2Whoami, startProxiedServer, type ProxiedServer, type WhoAmI } from '../../support/proxy-server.js';
import { readUntil } from '../../support/streams.js';
import { CertDir, makeCa, makeLeaf } from '../../support/tls-certificates.js';
import { pollUntil } from '../../support/tls-server.js';

const dir = new CertDir();
const ca = await makeCa('tiercel PROXY test CA');
const certificate = dir.writePem('localhost', await makeLeaf(['localhost'], { ca }));
test.after(() => dir.remove());

const GET = Buffer.from('GET /whoami HTTP/1.1\r\nHost: a\r\n\r\n', 'latin1');
const CLIENT = { host: '203.0.113.7', port: 51000 };
const FRONT = { host: '198.51.100.1', port: 443 };

/** Reads `n` complete HTTP/1.1 responses from `socket` and returns their JSON bodies. */
async function whoami(socket: net.Socket | tls.TLSSocket, n = 1): Promise<WhoAmI[]> {
  const complete = (t: string): boolean => {
    try {
      return parseResponses(t).length >= n;
    } catch {
      return false;
    }
  };
  const text = await readUntil(socket, complete);
  return parseResponses(text).map((r) => {
    assert.is(r.status, 200, r.body);
    return JSON.parse(r.body) as WhoAmI;
  });
}

async function withServer(options: Parameters<typeof startProxiedServer>[0], body: (h: ProxiedServer) => Promise<void>): Promise<void> {
  const h = await startProxiedServer(options);
  try {
    await body(h);
  } finally {
    await h.stop();
  }
}

test('HTTP/1.1 after a v1 header in the same write: the pipeline sees the client, the feature keeps the proxy; keep-alive keeps it', async () => {
  await withServer({}, async (h) => {
    const s = await connectAndSend(h.port, Buffer.concat([v1('TCP4', CLIENT.host, FRONT.host, CLIENT.port, FRONT.port), GET]));
    const [first] = await whoami(s);
    assert.is(first.remote, '203.0.113.7:51000');
    assert.is(first.local, '198.51.100.1:443');
    assert.is(first.protocol, 'HTTP/1.1');
    assert.is(first.proxy!.version, 1);
    assert.is(first.proxy!.family, 'tcp4');
    assert.is(first.proxy!.transportRemote, `127.0.0.1:${s.localPort}`);
    assert.is(first.proxy!.transportLocal, `127.0.0.1:${h.port}`);
    s.write(GET);
    const [second] = await whoami(s);
    assert.equal([second.remote, second.connectionId], [first.remote, first.connectionId]);
    s.destroy();
    assert.equal(h.proxy.stats.accepted, 1);
  });
});

test('a v2 header split across writes, then two pipelined requests in the write that ends it: both answered for the client', async () => {
  await withServer({}, async (h) => {
    const header = v2({ source: { host: '2001:db8::7', port: 4242 }, destination: { host: '2001:db8::1', port: 8443 }, tlvs: [tlv(0x02, 'shop.example'), tlv(0x05, 'req-1')] });
    const s = await connectAndSend(h.port, header.subarray(0, 5));
    await new Promise((r) => setTimeout(r, 20));
    s.write(header.subarray(5, 30));
    await new Promise((r) => setTimeout(r, 20));
    s.write(Buffer.concat([header.subarray(30), GET, GET]));
    const answers = await whoami(s, 2);
    for (const a of answers) {
      assert.is(a.remote, '[2001:db8::7]:4242');
      assert.is(a.local, '[2001:db8::1]:8443');
      assert.is(a.proxy!.family, 'tcp6');
      assert.is(a.proxy!.authority, 'shop.example');
      assert.is(a.proxy!.uniqueId, 'req-1');
      assert.equal(a.proxy!.tlvTypes, [0x02, 0x05]);
    }
    s.destroy();
  });
});

test('HTTP/2 with prior knowledge (h2c) after a v2 header: the preface after the header is sniffed, streams see the client', async () => {
  await withServer({}, async (h) => {
    const header = v2({ source: CLIENT, destination: FRONT });
    const session = http2.connect(`http://127.0.0.1:${h.port}`, {
      createConnection: () => {
        const socket = net.connect(h.port, '127.0.0.1');
        socket.write(header);
        return socket;
      },
    });
    try {
      const bodies = await Promise.all([h2Whoami(session), h2Whoami(session)]);
      for (const b of bodies) {
        assert.is(b.remote, '203.0.113.7:51000');
        assert.is(b.protocol, 'HTTP/2');
        assert.is(b.proxy!.version, 2);
      }
    } finally {
      session.close();
    }
  });
});

/** `socket` as a Duplex whose first write is sent with `prefix` before it, in one write. */
function prefixFirstWrite(socket: net.Socket, prefix: Buffer): Duplex {
  let first = true;
  const d = new Duplex({
    write(chunk: Buffer, _encoding, callback) {
      socket.write(first ? Buffer.concat([prefix, chunk]) : chunk, callback);
      first = false;
    },
    read() {
      socket.resume();
    },
    final(callback) {
      socket.end(callback);
    },
    destroy(err, callback) {
      socket.destroy();
      callback(err);
    },
  });
  socket.on('data', (chunk: Buffer) => {
    if (!d.push(chunk)) socket.pause();
  });
  socket.on('end', () => d.push(null));
  return d;
}

test('TLS after PROXY: the handshake starts right after the header; HTTP/1.1 and HTTP/2 (ALPN) see the client, and the TLS', async () => {
  await withServer({ certificate }, async (h) => {
    // HTTP/1.1 by ALPN, the ClientHello in the same write as the header: the TLS layer gets the
    // bytes the middleware read past the header.
    const raw = await connectAndSend(h.port, Buffer.alloc(0));
    const secure = tls.connect({ socket: prefixFirstWrite(raw, v1('TCP6', '2001:db8::9', '2001:db8::1', 1234, 443)), servername: 'localhost', ca: ca.cert, ALPNProtocols: ['http/1.1'] });
    await new Promise((r, j) => secure.once('secureConnect', r).once('error', j));
    secure.write(GET);
    const [one] = await whoami(secure);
    assert.equal([one.remote, one.secure, one.protocol], ['[2001:db8::9]:1234', true, 'HTTP/1.1']);
    secure.destroy();

    const session = http2.connect('https://localhost', {
      createConnection: () => {
        const socket = net.connect(h.port, '127.0.0.1');
        socket.write(v2({ source: CLIENT, destination: FRONT }));
        return tls.connect({ socket, servername: 'localhost', ca: ca.cert, ALPNProtocols: ['h2'] });
      },
    });
    try {
      const two = await h2Whoami(session);
      assert.equal([two.remote, two.secure, two.protocol], ['203.0.113.7:51000', true, 'HTTP/2']);
    } finally {
      session.close();
    }
  });
});

test('LOCAL (a health check from the proxy) and UNKNOWN keep the socket’s own endpoints', async () => {
  await withServer({}, async (h) => {
    for (const header of [v2({ command: 'local' }), v1('UNKNOWN'), v2({ family: 0x00, addressBlock: Buffer.alloc(8) })]) {
      const s = await connectAndSend(h.port, Buffer.concat([header, GET]));
      const [a] = await whoami(s);
      assert.is(a.remote, `127.0.0.1:${s.localPort}`);
      assert.is(a.local, `127.0.0.1:${h.port}`);
      assert.is(a.proxy!.family, 'unknown');
      s.destroy();
    }
    assert.equal([h.proxy.stats.accepted, h.proxy.stats.local], [3, 1]);
  });
});

test('malformed headers close the connection with a reset before HTTP sees a byte; counted by reason, logged at debug with the code', async () => {
  await withServer({}, async (h) => {
    const cases: [Buffer, string][] = [
      [GET, 'signature'],
      [Buffer.from('PROXY TCP4 1.2.3.4 5.6.7.8 80 080\r\n'), 'port'],
      [Buffer.from('PROXY TCP4 1.2.3.4 5.6.7.8 80 80\n'), 'line'],
      [v2({ source: CLIENT, destination: FRONT, versionCommand: 0x11 }), 'version'],
      [v2({ source: CLIENT, destination: FRONT, tlvs: [tlv(0x01, 'h2')], crc: 'wrong' }), 'checksum'],
      [v2({ source: CLIENT, destination: FRONT, length: 5000 }), 'too-large'],
      [Buffer.from(`PROXY UNKNOWN ${'x'.repeat(120)}`), 'too-large'],
    ];
    for (const [bytes, reason] of cases) {
      const s = await connectAndSend(h.port, Buffer.concat([bytes, GET]));
      const { data, how } = await readUntilClosed(s);
      assert.is(data.length, 0, `nothing is answered for ${reason}`);
      assert.is(how, 'ECONNRESET', reason);
    }
    assert.is(h.requests(), 0);
    assert.equal(h.refusals(), cases.map(([, reason]) => reason));
    const entry = h.logger.entries.find((e) => e.message.startsWith('PROXY protocol header refused'))!;
    assert.is(entry.level, 'debug');
    assert.is((entry.fields!.err as { code: string }).code, 'ERR_TIERCEL_PROXY_PROTOCOL');
    assert.is(h.logger.errors().length, 0);
    const s = h.proxy.stats.rejected;
    assert.equal([s.signature, s.port, s.line, s.version, s.checksum, s['too-large']], [1, 1, 1, 1, 1, 2]);
  });
});

test('a slow header is closed at headerTimeoutMs (on the clock), not before; a peer that ends mid-header is closed and counted', async () => {
  const clock = new ManualClock();
  await withServer({ clock, proxy: { trustedProxies: ['127.0.0.1'], headerTimeoutMs: 2_000 } }, async (h) => {
    const s = await connectAndSend(h.port, Buffer.from('PROXY TCP4 1.2.3.4 '));
    const ended = readUntilClosed(s);
    await pollUntil('the middleware waits for the header', () => clock.pendingTimers === 1);
    clock.advance(1_999);
    await new Promise((r) => setTimeout(r, 30));
    assert.not.ok(s.destroyed, 'still open a millisecond before the deadline');
    clock.advance(1);
    const { how } = await ended;
    assert.is(how, 'ECONNRESET');
    assert.is(h.proxy.stats.rejected.timeout, 1);

    const cut = await connectAndSend(h.port, v2({ source: CLIENT, destination: FRONT }).subarray(0, 20));
    const cutClosed = readUntilClosed(cut);
    cut.end();
    await cutClosed;
    await pollUntil('the cut header is counted', () => h.proxy.stats.rejected.closed === 1);
    assert.is(clock.pendingTimers, 0, 'no timer left behind');
    assert.equal(h.refusals(), ['timeout', 'closed']);
    assert.is(h.requests(), 0);
  });
});

test("an untrusted peer is closed unread by default, even with a valid header (it could claim any address)", async () => {
  await withServer({ proxy: { trustedProxies: ['127.0.0.1'] } }, async (h) => {
    const s = await connectAndSend(h.port, Buffer.concat([v1('TCP4', CLIENT.host, FRONT.host, CLIENT.port, FRONT.port), GET]), '127.0.0.2');
    const { data, how } = await readUntilClosed(s);
    assert.equal([data.length, how], [0, 'ECONNRESET']);
    assert.equal([h.proxy.stats.rejected.untrusted, h.proxy.stats.accepted, h.requests()], [1, 0, 0]);
  });
});

test("untrusted: 'serve' serves a direct client with its own address; a PROXY header it sends is not believed (HTTP refuses it: 501 for v1, 400 for v2)", async () => {
  await withServer({ proxy: { trustedProxies: ['10.0.0.0/8', '127.0.0.1/32'], untrusted: 'serve' } }, async (h) => {
    const direct = await connectAndSend(h.port, GET, '127.0.0.2');
    const [a] = await whoami(direct);
    assert.equal([a.remote, a.proxy], [`127.0.0.2:${direct.localPort}`, null]);
    direct.destroy();
    const spoof = await connectAndSend(h.port, Buffer.concat([v1('TCP4', '10.9.9.9', FRONT.host, 1, 2), GET]), '127.0.0.2');
    const { data } = await readUntilClosed(spoof);
    assert.match(data.toString('latin1'), /^HTTP\/1\.1 501 /, JSON.stringify(data.toString('latin1')));
    const spoof2 = await connectAndSend(h.port, Buffer.concat([v2({ source: { host: '10.9.9.9', port: 1 }, destination: FRONT }), GET]), '127.0.0.2');
    assert.match((await readUntilClosed(spoof2)).data.toString('latin1'), /^HTTP\/1\.1 400 /);
    // The trusted proxy on the same port still gets its header read.
    const proxied = await connectAndSend(h.port, Buffer.concat([v1('TCP4', '10.9.9.9', FRONT.host, 1, 2), GET]));
    const [b] = await whoami(proxied);
    assert.is(b.remote, '10.9.9.9:1');
    proxied.destroy();
    assert.equal([h.proxy.stats.direct, h.proxy.stats.accepted], [3, 1]);
  });
});

test('a unix socket peer is trusted only with trustNonIpPeers; a v2 header over it sets a TCP client endpoint', async () => {
  await withServer({ unix: true, proxy: { trustedProxies: ['127.0.0.1'], trustNonIpPeers: true } }, async (h) => {
    const s = await connectPathAndSend(h.socketPath!, Buffer.concat([v2({ source: CLIENT, destination: FRONT }), GET]));
    const [a] = await whoami(s);
    assert.equal([a.remote, a.proxy!.transportRemote.startsWith('unix:')], ['203.0.113.7:51000', true]);
    s.destroy();
  });
  await withServer({ unix: true, proxy: { trustedProxies: ['127.0.0.1'] } }, async (h) => {
    const s = await connectPathAndSend(h.socketPath!, Buffer.concat([v2({ source: CLIENT, destination: FRONT }), GET]));
    const { data } = await readUntilClosed(s);
    assert.is(data.length, 0);
    assert.equal(h.refusals(), ['untrusted']);
  });
});

test('a stop does not wait for a header that has not come: the waiting connection is closed at once', async () => {
  const h = await startProxiedServer({ proxy: { trustedProxies: ['127.0.0.1'], headerTimeoutMs: 60_000 } });
  const s = await connectAndSend(h.port, Buffer.from('PROXY '));
  const ended = readUntilClosed(s);
  await pollUntil('the connection is accepted', () => h.server.stats.active === 1);
  const started = Date.now();
  await h.stop();
  await ended;
  assert.ok(Date.now() - started < 5_000, 'the stop did not wait for the header timeout');
  assert.equal(h.refusals(), ['closed']);
});

test('a peer that reset the connection before its address was read is refused as closed, not as an untrusted proxy', async () => {
  // Connection middleware before the PROXY middleware that holds the connection until the client's
  // reset has closed it: the kernel then has no peer address to give (as when a proxy drops a
  // health check the server has not accepted yet).
  const before: ConnectionMiddleware = async (ctx, next) => {
    if (!ctx.transport.destroyed) await new Promise((done) => ctx.transport.once('close', done));
    return next();
  };
  const h = await startProxiedServer({ proxy: { trustedProxies: ['127.0.0.1'] }, before });
  try {
    const s = net.connect(h.port, '127.0.0.1');
    await new Promise((connected) => s.once('connect', connected));
    s.resetAndDestroy();
    await pollUntil('the refusal', () => h.refusals().length === 1, 5_000);
    assert.equal(h.refusals(), ['closed']);
    assert.equal([h.proxy.stats.rejected.closed, h.proxy.stats.rejected.untrusted], [1, 0]);
  } finally {
    await h.stop();
  }
});

test('options: checked at configuration time with the rule in the message; named ranges and CIDR as proxy-addr reads them', () => {
  const bad: [unknown, string][] = [
    [{ trusted: [] }, 'trusted'],
    [{ trustedProxies: '127.0.0.1' }, 'trustedProxies'],
    [{ trustedProxies: ['10.0.0.0/33'] }, 'trustedProxies'],
    [{ trustedProxies: ['::/129'] }, 'trustedProxies'],
    [{ trustedProxies: ['10.0.0.0/08'] }, 'trustedProxies'],
    [{ trustedProxies: ['proxy.example'] }, 'trustedProxies'],
    [{ trustedProxies: ['fe80::1%eth0'] }, 'trustedProxies'],
    [{ trustedProxies: [7] }, 'trustedProxies'],
    [{ untrusted: 'allow' }, 'untrusted'],
    [{ trustNonIpPeers: 'yes' }, 'trustNonIpPeers'],
    [{ headerTimeoutMs: 0 }, 'headerTimeoutMs'],
    [{ headerTimeoutMs: Infinity }, 'headerTimeoutMs'],
    [{ maxHeaderBytes: 231 }, 'maxHeaderBytes'],
    [{ maxHeaderBytes: 65_552 }, 'maxHeaderBytes'],
  ];
  for (const [options, name] of bad) {
    try {
      resolveProxyProtocolOptions(options as never);
      assert.unreachable(`accepted ${JSON.stringify(options)}`);
    } catch (err) {
      assert.instance(err, InvalidOptionError);
      assert.is((err as InvalidOptionError).option, name);
    }
  }
  const o = resolveProxyProtocolOptions({ trustedProxies: ['loopback', '10.0.0.0/8', '2001:db8::/32', '192.0.2.1'] });
  const tcp = (host: string) => ({ kind: 'tcp', host, port: 1 }) as const;
  assert.equal(
    ['127.0.0.1', '127.255.0.9', '::1', '10.200.1.1', '::ffff:10.1.2.3', '2001:db8:ffff::1', '192.0.2.1', '192.0.2.2', '11.0.0.1', '2001:db9::1', 'fe80::1'].map((h) => o.isTrusted(tcp(h))),
    [true, true, true, true, true, true, true, false, false, false, false],
  );
  assert.is(o.isTrusted({ kind: 'memory', name: 'x' }), false);
  assert.is(resolveProxyProtocolOptions({ trustNonIpPeers: true }).isTrusted({ kind: 'pipe', path: '/x' }), true);
  assert.equal(resolveProxyProtocolOptions({ trustedProxies: ['uniquelocal', 'linklocal'] }).isTrusted(tcp('fd12::1')), true);
  assert.equal(resolveProxyProtocolOptions().trustedProxies, []);
});

test('a middleware that trusts nobody says so once, at configuration time', async () => {
  await withServer({ proxy: {} }, async (h) => {
    assert.equal(
      h.logger.entries.filter((e) => e.level === 'warn').map((e) => e.message),
      ['PROXY protocol: no trusted proxies (trustedProxies is empty), so every connection will be closed'],
    );
    const s = await connectAndSend(h.port, Buffer.concat([v2({ source: CLIENT, destination: FRONT }), GET]));
    await readUntilClosed(s);
    assert.equal(h.refusals(), ['untrusted']);
  });
});

test.run();
