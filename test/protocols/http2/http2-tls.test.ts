// HTTP/2 over TLS: `httpsMiddleware` offers h2 by ALPN and the HTTP terminal follows it, with
// curl (--http2 --cacert) and Node's http2 client; HTTP/1.1 by ALPN on the same port.
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import http2 from 'node:http2';
import { curl } from '../../support/clients.js';
import { CertDir, makeCa, makeLeaf } from '../../support/tls-certificates.js';
import { startTlsServer, type TlsReport } from '../../support/tls-server.js';
import { RawH2, requestFrame, S, T } from './raw-h2.js';

const ca = await makeCa('tiercel h2 test CA');
const leaf = await makeLeaf(['localhost'], { ca });
const dir = new CertDir();
const caFile = dir.write('ca.crt', ca.cert);

async function withTls(fn: (port: number) => Promise<void>): Promise<void> {
  const h = await startTlsServer({ certificate: dir.writePem('leaf', leaf), alpnProtocols: ['h2', 'http/1.1'] });
  try {
    await fn(h.port);
  } finally {
    await h.stop();
  }
}

test('curl --http2 over TLS negotiates h2 by ALPN; --http1.1 on the same port gets HTTP/1.1', () =>
  withTls(async (port) => {
    const r = await curl(['-sS', '-v', '--http2', '--cacert', caFile, `https://localhost:${port}/tls`]);
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stderr, /ALPN.*h2/);
    assert.match(r.stderr, /^< HTTP\/2 200\b/m);
    assert.is((JSON.parse(r.stdout.toString()) as TlsReport).alpnProtocol, 'h2');
    const r1 = await curl(['-sS', '-v', '--http1.1', '--cacert', caFile, `https://localhost:${port}/tls`]);
    assert.match(r1.stderr, /^< HTTP\/1\.1 200 OK\r?$/m);
    assert.is((JSON.parse(r1.stdout.toString()) as TlsReport).alpnProtocol, 'http/1.1');
  }));

test("Node's http2 client over TLS: several streams on one session", () =>
  withTls(async (port) => {
    const session = http2.connect(`https://localhost:${port}`, { ca: ca.cert });
    session.on('error', () => {});
    try {
      const bodies = await Promise.all(
        [1, 2, 3].map(
          () =>
            new Promise<string>((resolve, reject) => {
              const req = session.request({ ':path': '/tls' });
              let text = '';
              req.on('data', (d) => (text += d));
              req.on('end', () => resolve(text));
              req.on('error', reject);
            }),
        ),
      );
      const reports = bodies.map((b) => JSON.parse(b) as TlsReport);
      assert.ok(reports.every((r) => r.alpnProtocol === 'h2'));
      assert.is(new Set(reports.map((r) => r.connectionId)).size, 1, 'one connection');
    } finally {
      session.destroy();
    }
  }));

test('over TLS, a client that half-closes while a response waits on a zero window gets GOAWAY and a close', () =>
  withTls(async (port) => {
    const c = await RawH2.connect(port, { tls: { ca: ca.cert }, settings: { [S.INITIAL_WINDOW_SIZE]: 0 } });
    c.write(requestFrame(1, 'GET', '/tls', true));
    await c.waitFor((f) => f.type === T.HEADERS && f.streamId === 1);
    c.socket.end();
    assert.ok(await c.serverCloses(3_000), 'the server closes the connection');
    assert.ok(c.frames.some((f) => f.type === T.GOAWAY), 'with a GOAWAY first');
    assert.not.ok(c.endedStreams.has(1), 'the response never completed');
  }));

test.after(() => dir.remove());

test.run();
