// The access log over real sockets: HTTP/1.1 (net, undici's fetch) and HTTP/2 (node:http2's client)
// through the same pipeline. One record per request, written once the response has completed:
// status, body bytes, response time, the request id (taken from x-request-id when it is sane),
// a 500 for an app that threw, and `aborted` for a client that left mid-response.
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import http2 from 'node:http2';
import net from 'node:net';
import { once } from 'node:events';
import { LOGGER_FACTORY, type DependencyContainer } from '../../../di/index.js';
import { Server } from '../../../hosting/index.js';
import { accessLog, type AccessLogOptions } from '../../../middleware/index.js';
import { ApplicationBuilder } from '../../../pipeline/index.js';
import { appContainer, RecordingLoggerFactory, waitFor, type LogLine } from '../../di/support.js';
import { errorCodeOf } from '../../support/errors.js';

interface Logged {
  server: Server;
  port: number;
  logs: RecordingLoggerFactory;
  records(): LogLine[];
}

async function withAccessLog(fn: (s: Logged) => Promise<void>, options?: AccessLogOptions): Promise<void> {
  const services: DependencyContainer = appContainer();
  const logs = new RecordingLoggerFactory();
  services.register(LOGGER_FACTORY, { useValue: logs });
  const server = new Server(services);
  let release: () => void = () => {};
  const app = new ApplicationBuilder()
    .use(accessLog(options))
    .run(async (ctx) => {
      switch (ctx.request.path) {
        case '/boom':
          throw new Error('boom');
        case '/stream':
          ctx.response.write('ab');
          ctx.response.write(Buffer.from('cde'));
          ctx.response.end('f');
          return;
        case '/hang':
          // Headers out, then the client leaves; the app waits until it learns.
          ctx.response.write('partial');
          await new Promise<void>((resolve) => {
            release = resolve;
            ctx.signal.addEventListener('abort', () => resolve());
          });
          return;
        default:
          ctx.response.status = 201;
          ctx.response.send('hello');
      }
    });
  server.useHttp(app);
  server.listen('http://127.0.0.1:0');
  await server.start();
  try {
    await fn({ server, port: (server.endpoints[0] as { port: number }).port, logs, records: () => logs.of('tiercel.access') });
  } finally {
    release();
    await server.stop(500);
  }
}

test('HTTP/1.1: one record per request with pino-http\'s fields, bytes sent and the response time; a 500 for an app that threw', () =>
  withAccessLog(async ({ port, records }) => {
    const base = `http://127.0.0.1:${port}`;
    assert.is((await fetch(`${base}/ok?x=1`)).status, 201);
    assert.is(await (await fetch(`${base}/stream`, { method: 'POST', body: 'x' })).text(), 'abcdef');
    assert.is((await fetch(`${base}/boom`)).status, 500);
    await waitFor('three records', () => records().length === 3);
    const [ok, stream, boom] = records();
    assert.is(ok.level, 'info');
    assert.is(ok.message, 'request completed');
    assert.is(ok.fields?.event, 'RequestCompleted');
    assert.is(ok.fields?.eventId, 60);
    const req = ok.fields?.req as Record<string, unknown>;
    assert.equal([req.method, req.url, req.protocol, req.remoteAddress], ['GET', '/ok?x=1', 'HTTP/1.1', '127.0.0.1']);
    assert.match(String(req.id), /^[0-9a-f]{8}-[0-9a-z]+$/);
    assert.equal(ok.fields?.res, { statusCode: 201 });
    assert.is(ok.fields?.bytesSent, 5);
    assert.is(ok.fields?.aborted, false);
    assert.ok(typeof ok.fields?.responseTime === 'number' && ok.fields.responseTime >= 0);
    assert.equal([(stream.fields?.req as { method: string }).method, stream.fields?.bytesSent], ['POST', 6]);
    assert.equal(boom.fields?.res, { statusCode: 500 }, 'the status the pipeline answered with');
    const ids = [ok, stream, boom].map((r) => (r.fields?.req as { id: string }).id);
    assert.is(new Set(ids).size, 3, 'generated ids are unique');
  }));

test('HTTP/2: the same record through the same pipeline (h2c, node:http2 client), one per stream', () =>
  withAccessLog(async ({ port, records }) => {
    const client = http2.connect(`http://127.0.0.1:${port}`);
    try {
      const get = (path: string): Promise<number> =>
        new Promise((resolve, reject) => {
          const stream = client.request({ ':path': path });
          let status = 0;
          stream.on('response', (h) => (status = Number(h[':status'])));
          stream.on('error', reject);
          stream.resume();
          stream.on('end', () => resolve(status));
        });
      assert.equal(await Promise.all([get('/ok'), get('/stream'), get('/boom')]), [201, 200, 500]);
    } finally {
      client.close();
    }
    await waitFor('three records', () => records().length === 3);
    const byUrl = new Map(records().map((r) => [(r.fields?.req as { url: string }).url, r.fields!]));
    assert.equal((byUrl.get('/ok')!.req as { protocol: string }).protocol, 'HTTP/2');
    assert.equal([byUrl.get('/ok')!.bytesSent, byUrl.get('/stream')!.bytesSent], [5, 6]);
    assert.equal(byUrl.get('/boom')!.res, { statusCode: 500 });
  }));

test('a client that leaves mid-response: one record, aborted, with what was sent', () =>
  withAccessLog(async ({ port, records }) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.write('GET /hang HTTP/1.1\r\nHost: x\r\n\r\n');
    await once(socket, 'data');
    // A reset, not a FIN: a half-closed client still gets its response (RFC 9112 §9.6).
    socket.resetAndDestroy();
    await waitFor('the record', () => records().length === 1);
    const [hang] = records();
    assert.is(hang.message, 'request aborted');
    assert.is(hang.fields?.aborted, true);
    assert.is(hang.fields?.bytesSent, 7);
  }));

test('requestIdHeader: a sane x-request-id is the id; a long one or one with a control character is replaced', () =>
  withAccessLog(
    async ({ port, records }) => {
      const base = `http://127.0.0.1:${port}`;
      await fetch(`${base}/ok`, { headers: { 'x-request-id': 'req-42' } });
      await fetch(`${base}/ok`, { headers: { 'x-request-id': 'x'.repeat(33) } });
      await fetch(`${base}/ok`, { headers: { 'x-request-id': 'a\tb' } });
      await waitFor('three records', () => records().length === 3);
      const ids = records().map((r) => (r.fields?.req as { id: string }).id);
      assert.is(ids[0], 'req-42');
      assert.match(ids[1], /^[0-9a-f]{8}-/);
      assert.match(ids[2], /^[0-9a-f]{8}-/);
    },
    { requestIdHeader: 'X-Request-Id', maxRequestIdLength: 32 },
  ));

test('options are checked when the middleware is made', () => {
  for (const bad of [{ bogus: 1 }, { requestIdHeader: 'x request' }, { maxRequestIdLength: 0 }, { level: 'silent' }, { level: 'loud' }]) {
    assert.is(errorCodeOf(() => accessLog(bad as never)), 'ERR_TIERCEL_INVALID_OPTION', JSON.stringify(bad));
  }
});

test.run();
