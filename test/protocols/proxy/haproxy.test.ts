// A real HAProxy (the Debian package) in TCP mode in front of tiercel, started here with a config
// generated on free ports: `send-proxy-v2` (with the CRC32C and unique-id TLVs), `send-proxy`
// (v1), TLS passed through to a tiercel HTTPS endpoint, and HTTP health checks, which HAProxy
// sends with a v2 LOCAL header. Clients connect to HAProxy from 127.0.0.2 (curl, a raw socket,
// node:http2, node:tls) while HAProxy connects to tiercel from 127.0.0.1, the only trusted
// proxy: the app must see 127.0.0.2 and the client's own port. Skipped, loudly, without haproxy.
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http2 from 'node:http2';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { curl, parseResponses } from '../../support/clients.js';
import { Daemon, freePort } from '../../support/daemon.js';
import { connectAndSend, readUntilClosed } from '../../support/proxy-headers.js';
import { h2Whoami, startProxiedServer, type ProxiedServer, type WhoAmI } from '../../support/proxy-server.js';
import { testRequiring } from '../../support/skip.js';
import { readUntil } from '../../support/streams.js';
import { CertDir, makeCa, makeLeaf } from '../../support/tls-certificates.js';
import { pollUntil } from '../../support/tls-server.js';

const haproxyVersion = spawnSync('haproxy', ['-v'], { encoding: 'utf8' });
const missing = haproxyVersion.status === 0 ? undefined : 'haproxy is not installed (apt-get install haproxy; .ci/run installs it)';
const it = testRequiring(test, missing);

const CLIENT_ADDRESS = '127.0.0.2';

const ipv6 = await freePort('::1').then(
  () => true,
  () => false,
);

interface Haproxy {
  readonly v2: number;
  readonly v1: number;
  readonly tls: number;
  /** HAProxy terminates TLS here (h2 and http/1.1 by ALPN) and sends the SSL, ALPN and authority TLVs. */
  readonly offload: number;
  /** A frontend on [::1] (v2), when the host has IPv6 loopback. */
  readonly v6: number | undefined;
  readonly daemon: Daemon;
}

let cleartext: ProxiedServer;
let secure: ProxiedServer;
let haproxy: Haproxy;
let dir: string;
const certs = new CertDir();
const ca = await makeCa('tiercel HAProxy test CA');
const leaf = await makeLeaf(['localhost'], { ca });
const certificate = certs.writePem('localhost', leaf);
// HAProxy reads the certificate and its key from one file.
const haproxyPem = certs.write('haproxy.pem', `${leaf.cert.trimEnd()}\n${leaf.key.trimEnd()}\n`);

test.before(async () => {
  if (missing !== undefined) return;
  cleartext = await startProxiedServer({ proxy: { trustedProxies: ['127.0.0.1/32'] } });
  secure = await startProxiedServer({ proxy: { trustedProxies: ['127.0.0.1/32'] }, certificate });
  const ports = { v2: await freePort(), v1: await freePort(), tls: await freePort(), offload: await freePort(), v6: ipv6 ? await freePort('::1') : undefined };
  dir = mkdtempSync(join(tmpdir(), 'tiercel-haproxy-'));
  const config = join(dir, 'haproxy.cfg');
  writeFileSync(
    config,
    [
      'global',
      '  maxconn 200',
      'defaults',
      '  mode tcp',
      '  timeout connect 2s',
      '  timeout client 10s',
      '  timeout server 10s',
      // A check waits as long as a request would: on a loaded machine a slow answer must not mark
      // the server down (HAProxy then answers clients with nothing) or reset a check unaccepted.
      '  timeout check 10s',
      '  default-server inter 100ms fall 1000 rise 1',
      'frontend fe_v2',
      `  bind 127.0.0.1:${ports.v2}`,
      ...(ports.v6 === undefined ? [] : [`  bind [::1]:${ports.v6}`]),
      // The unique id HAProxy sends as a TLV: the client's address and port, to check against.
      '  unique-id-format %ci:%cp',
      '  default_backend be_v2',
      'backend be_v2',
      // Health checks over HTTP; with send-proxy-v2 HAProxy opens them with a LOCAL header.
      '  option httpchk',
      '  http-check send meth GET uri /whoami ver HTTP/1.1 hdr Host haproxy',
      `  server app 127.0.0.1:${cleartext.port} send-proxy-v2 proxy-v2-options crc32c,unique-id check`,
      'frontend fe_v1',
      `  bind 127.0.0.1:${ports.v1}`,
      '  default_backend be_v1',
      'backend be_v1',
      `  server app 127.0.0.1:${cleartext.port} send-proxy`,
      'frontend fe_tls',
      `  bind 127.0.0.1:${ports.tls}`,
      '  default_backend be_tls',
      'backend be_tls',
      `  server app 127.0.0.1:${secure.port} send-proxy-v2`,
      'frontend fe_offload',
      `  bind 127.0.0.1:${ports.offload} ssl crt ${haproxyPem} alpn h2,http/1.1`,
      '  default_backend be_offload',
      'backend be_offload',
      `  server app 127.0.0.1:${cleartext.port} send-proxy-v2 proxy-v2-options ssl,ssl-cipher,cert-sig,cert-key,authority,crc32c`,
      '',
    ].join('\n'),
  );
  haproxy = { ...ports, daemon: await Daemon.start('haproxy', ['-db', '-f', config], ports.v2) };
});

test.after(async () => {
  certs.remove();
  if (missing !== undefined) return;
  await haproxy.daemon.stop('SIGTERM');
  await cleartext.stop();
  await secure.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function rawGet(port: number, host = '127.0.0.1', localAddress = CLIENT_ADDRESS): Promise<{ body: WhoAmI; clientPort: number }> {
  const s = await connectAndSend(port, Buffer.from('GET /whoami HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n'), localAddress, host);
  const clientPort = s.localPort!;
  const text = await readUntil(s, () => false);
  const [r] = parseResponses(text);
  assert.is(r?.status, 200, `${text}\nhaproxy: ${haproxy.daemon.output}`);
  return { body: JSON.parse(r.body) as WhoAmI, clientPort };
}

it('send-proxy-v2: the app sees the real client (127.0.0.2 and its port), with the CRC32C and unique-id TLVs HAProxy added', async () => {
  const { body, clientPort } = await rawGet(haproxy.v2);
  assert.is(body.remote, `${CLIENT_ADDRESS}:${clientPort}`);
  assert.is(body.local, `127.0.0.1:${haproxy.v2}`);
  assert.is(body.proxy!.version, 2);
  assert.is(body.proxy!.command, 'proxy');
  assert.is(body.proxy!.family, 'tcp4');
  assert.match(body.proxy!.transportRemote, /^127\.0\.0\.1:\d+$/);
  assert.ok(body.proxy!.tlvTypes.includes(0x03), 'a CRC32C TLV, checked');
  assert.is(body.proxy!.uniqueId, `${CLIENT_ADDRESS}:${clientPort}`);
});

it('send-proxy (v1): the app sees the real client', async () => {
  const { body, clientPort } = await rawGet(haproxy.v1);
  assert.is(body.remote, `${CLIENT_ADDRESS}:${clientPort}`);
  assert.equal([body.proxy!.version, body.proxy!.family], [1, 'tcp4']);
});

it('curl through HAProxy (v2): the real client', async () => {
  const r = await curl(['-sS', '--fail', '--interface', CLIENT_ADDRESS, `http://127.0.0.1:${haproxy.v2}/whoami`]);
  assert.is(r.code, 0, `${r.stderr}\nhaproxy: ${haproxy.daemon.output}`);
  const body = JSON.parse(r.stdout.toString()) as WhoAmI;
  assert.match(body.remote, /^127\.0\.0\.2:\d+$/);
  assert.is(body.protocol, 'HTTP/1.1');
});

it('HTTP/2 with prior knowledge through HAProxy (v2): streams see the real client', async () => {
  let clientPort = 0;
  const session = http2.connect(`http://127.0.0.1:${haproxy.v2}`, {
    createConnection: () => {
      const socket = net.connect({ port: haproxy.v2, host: '127.0.0.1', localAddress: CLIENT_ADDRESS });
      socket.once('connect', () => (clientPort = socket.localPort!));
      return socket;
    },
  });
  try {
    const body = await h2Whoami(session);
    assert.equal([body.remote, body.protocol], [`${CLIENT_ADDRESS}:${clientPort}`, 'HTTP/2']);
  } finally {
    session.close();
  }
});

it('TLS passed through HAProxy (v2) to a tiercel HTTPS endpoint: the handshake and the app see the real client', async () => {
  const socket = tls.connect({ socket: net.connect({ host: '127.0.0.1', port: haproxy.tls, localAddress: CLIENT_ADDRESS }), servername: 'localhost', ca: ca.cert, ALPNProtocols: ['http/1.1'] });
  await new Promise((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
  socket.write('GET /whoami HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
  const [r] = parseResponses(await readUntil(socket, () => false));
  const body = JSON.parse(r.body) as WhoAmI;
  assert.equal([body.remote, body.secure], [`${CLIENT_ADDRESS}:${socket.localPort}`, true]);
});

it('HAProxy terminating TLS (send-proxy-v2 with the SSL TLVs): the app sees the client, the ALPN and SNI it chose, and its TLS details', async () => {
  const session = http2.connect('https://localhost', {
    createConnection: () =>
      tls.connect({ socket: net.connect({ host: '127.0.0.1', port: haproxy.offload, localAddress: CLIENT_ADDRESS }), servername: 'localhost', ca: ca.cert, ALPNProtocols: ['h2'] }),
  });
  try {
    const body = await h2Whoami(session);
    // HAProxy speaks cleartext HTTP/2 to tiercel: the bytes after the header are the h2 preface.
    assert.equal([body.protocol, body.secure], ['HTTP/2', false]);
    assert.match(body.remote, /^127\.0\.0\.2:\d+$/);
    const p = body.proxy!;
    assert.equal([p.alpn, p.authority], ['h2', 'localhost']);
    assert.ok(p.tlvTypes.includes(0x03), 'a CRC32C TLV over the SSL TLVs, checked');
    assert.is(p.ssl!.ssl, true);
    assert.match(p.ssl!.version!, /^TLSv1\.[23]$/);
    assert.ok(p.ssl!.cipher !== null && p.ssl!.cipher.length > 0);
    // The frontend certificate's signature and key algorithms: the test CA signs EC P-256.
    assert.match(p.ssl!.signatureAlgorithm!, /SHA256|sha256/i);
    assert.match(p.ssl!.keyAlgorithm!, /EC|256/);
  } finally {
    session.close();
  }
});

const it6 = testRequiring(test, missing ?? (ipv6 ? undefined : 'no IPv6 loopback (::1) on this host'));
it6('a client over IPv6 (HAProxy on [::1]) arrives as a TCP6 v2 header: the app sees ::1 and the client port', async () => {
  const { body, clientPort } = await rawGet(haproxy.v6!, '::1', '::1');
  assert.is(body.remote, `[::1]:${clientPort}`);
  assert.is(body.local, `[::1]:${haproxy.v6}`);
  assert.is(body.proxy!.family, 'tcp6');
});

it("HAProxy's health checks arrive with a v2 LOCAL header and are served with the proxy's own address", async () => {
  await pollUntil('a health check', () => cleartext.proxy.stats.local >= 2, 5_000);
  assert.is(cleartext.proxy.stats.rejected.checksum, 0);
  const peers = (h: ProxiedServer): string => JSON.stringify(h.logger.entries.map((e) => [e.message, e.fields?.peer, String(e.fields?.err)]));
  // 'closed' is a connection HAProxy gave up before tiercel read it (a check on a loaded machine):
  // not a refusal of what HAProxy sent.
  assert.equal(refused(cleartext), [], `${peers(cleartext)}\nhaproxy: ${haproxy.daemon.output}`);
  assert.equal(refused(secure), [], peers(secure));
});

it('a client that goes around HAProxy to tiercel directly, from an untrusted address, is closed unread', async () => {
  const s = await connectAndSend(cleartext.port, Buffer.from('PROXY TCP4 10.1.1.1 10.2.2.2 1 2\r\nGET /whoami HTTP/1.1\r\nHost: a\r\n\r\n'), CLIENT_ADDRESS);
  const { data, how } = await readUntilClosed(s);
  assert.equal([data.length, how], [0, 'ECONNRESET']);
  assert.equal(refused(cleartext), ['untrusted']);
});

/** The refusals of what arrived: all but connections closed before their header was read. */
function refused(h: ProxiedServer): string[] {
  return h.refusals().filter((reason) => reason !== 'closed');
}

test.run();
