// Connection logging (Kestrel's UseConnectionLogging) on a real HTTPS endpoint: placed before TLS
// it dumps the TLS records, placed after it the HTTP bytes; the dumps add up to exactly what
// crossed the socket. HTTP/1.1 and HTTP/2 both run through it; off at the category's level, it
// leaves the transport alone.
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import http2 from 'node:http2';
import net from 'node:net';
import tls from 'node:tls';
import { once } from 'node:events';
import { LOGGER_FACTORY } from '../../../di/index.js';
import { Server } from '../../../hosting/index.js';
import { ApplicationBuilder } from '../../../pipeline/index.js';
import { LoggingDuplex, hexDump } from '../../../protocols/index.js';
import { appContainer, RecordingLoggerFactory, waitFor, type LogLine } from '../../di/support.js';
import { errorCodeOf } from '../../support/errors.js';
import { makeCa, makeLeaf } from '../../support/tls-certificates.js';

const ca = await makeCa();
const leaf = await makeLeaf(['localhost'], { ca });

/** The bytes a set of dumps showed, put back together from their hex columns. */
function undump(records: LogLine[]): Buffer {
  const bytes: number[] = [];
  for (const r of records) {
    for (const line of String(r.fields?.hex).split('\n')) {
      const hex = line.slice(6, 6 + 16 * 3).trim();
      if (hex !== '') for (const pair of hex.split(' ')) bytes.push(parseInt(pair, 16));
    }
  }
  return Buffer.from(bytes);
}

async function withLoggedServer(fn: (port: number, logs: RecordingLoggerFactory) => Promise<void>, logLevel?: 'info'): Promise<void> {
  const services = appContainer(logLevel === undefined ? {} : { server: { logLevel } });
  const logs = new RecordingLoggerFactory();
  if (logLevel === undefined) services.register(LOGGER_FACTORY, { useValue: logs });
  const server = new Server(services);
  server.useHttp(new ApplicationBuilder().run((ctx) => ctx.response.send('secret body')));
  server.listen('https://127.0.0.1:0', (ep) =>
    ep
      .useConnectionLogging({ label: 'raw' })
      .useHttps({ certificate: { cert: leaf.cert, key: leaf.key } })
      .useConnectionLogging({ label: 'plain' })
      // Sees what the protocol will get: a LoggingDuplex when logging is on.
      .use((ctx, next) => {
        logs.categories.push(ctx.transport instanceof LoggingDuplex ? 'wrapped' : 'untouched');
        return next();
      }),
  );
  await server.start();
  try {
    await fn((server.endpoints[0] as { port: number }).port, logs);
  } finally {
    await server.stop(500);
  }
}

const of = (logs: RecordingLoggerFactory, label: string, direction: string): LogLine[] =>
  logs.of('tiercel.connection-logging').filter((l) => l.fields?.label === label && l.fields?.direction === direction);

test('before TLS the dump shows ciphertext, after it plaintext; each adds up to exactly the bytes that crossed', () =>
  withLoggedServer(async (port, logs) => {
    const socket = net.connect(port, '127.0.0.1');
    const secure = tls.connect({ socket, ca: ca.cert, servername: 'localhost', ALPNProtocols: ['http/1.1'] });
    await once(secure, 'secureConnect');
    const request = 'GET /x HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n';
    secure.end(request);
    let response = '';
    secure.on('data', (d) => (response += d));
    await once(secure, 'close');
    assert.match(response, /^HTTP\/1\.1 200 [^]*secret body$/, JSON.stringify(response));
    await waitFor('the last write record', () => undump(of(logs, 'raw', 'read')).length === socket.bytesWritten && undump(of(logs, 'raw', 'write')).length === socket.bytesRead);

    // Plaintext: the request as sent, the response as received, the dump's text column readable.
    assert.is(undump(of(logs, 'plain', 'read')).toString('latin1'), request);
    assert.is(undump(of(logs, 'plain', 'write')).toString('latin1'), response);
    assert.match(String(of(logs, 'plain', 'read')[0].fields?.hex), /^0000  47 45 54 20 2f 78 20 48 54 54 50 2f 31 2e 31 0d  GET \/x HTTP\/1\.1\.$/m);
    // Ciphertext: a TLS handshake record (0x16) first, and neither the request nor the body in clear.
    const rawIn = undump(of(logs, 'raw', 'read'));
    const rawOut = undump(of(logs, 'raw', 'write'));
    assert.is(rawIn[0], 0x16);
    assert.not.ok(rawIn.includes('GET /x'));
    assert.not.ok(rawOut.includes('secret body'));
    const first = of(logs, 'raw', 'read')[0];
    assert.equal([first.level, first.fields?.event, first.fields?.eventId], ['debug', 'ConnectionBytes', 50]);
    assert.ok(logs.categories.includes('wrapped'));
  }));

test('HTTP/2 over TLS through both loggers: the plaintext shows the client preface', () =>
  withLoggedServer(async (port, logs) => {
    const client = http2.connect(`https://127.0.0.1:${port}`, { ca: ca.cert, servername: 'localhost' });
    try {
      const body = await new Promise<string>((resolve, reject) => {
        const stream = client.request({ ':path': '/' });
        let text = '';
        stream.setEncoding('utf8');
        stream.on('data', (d: string) => (text += d));
        stream.on('end', () => resolve(text));
        stream.on('error', reject);
      });
      assert.is(body, 'secret body');
    } finally {
      client.close();
    }
    await waitFor('the preface', () => undump(of(logs, 'plain', 'read')).includes('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'));
  }));

test('with debug off for the category, the transport is handed on untouched', () =>
  withLoggedServer(async (port, logs) => {
    const secure = tls.connect({ port, host: '127.0.0.1', ca: ca.cert, servername: 'localhost' });
    await once(secure, 'secureConnect');
    secure.end('GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    secure.resume();
    await once(secure, 'close');
    assert.equal(logs.categories, ['untouched']);
  }, 'info'));

test('a dump shows at most maxDumpBytes of a chunk, then counts the rest; options are checked when added', () => {
  const dump = hexDump(Buffer.from('0123456789abcdefXYZ'), 17);
  assert.equal(dump.split('\n'), [
    '0000  30 31 32 33 34 35 36 37 38 39 61 62 63 64 65 66  0123456789abcdef',
    '0010  58                                               X',
    '(2 more bytes not shown)',
  ]);
  assert.is(hexDump(Buffer.from([0, 0x7f, 0x41]), 16), '0000  00 7f 41                                         ..A');
  const server = new Server(appContainer());
  for (const bad of [{ maxDumpBytes: 0 }, { label: '' }, { bogus: true }]) {
    assert.is(errorCodeOf(() => server.listen('http://127.0.0.1:0', (ep) => ep.useConnectionLogging(bad as never))), 'ERR_TIERCEL_INVALID_OPTION', JSON.stringify(bad));
  }
});

test.run();
