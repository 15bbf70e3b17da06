// Why an HTTP/1.1 connection ends, from the outside: each case drives a real TCP connection into
// one way of ending it and reads the reason the connection gives in its debug log line (the
// closed set in keep-alive-reason.ts), and the response the client saw.
import 'reflect-metadata';
import { connect, type Socket } from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LifetimeFeature, type TcpEndpoint } from '../../../connection/index.js';
import { LOGGER } from '../../../di/index.js';
import { Server } from '../../../hosting/index.js';
import { KEEP_ALIVE_END_REASONS, type KeepAliveEndReason } from '../../../protocols/http1/index.js';
import { DEFAULT_HTTP_LIMITS, HttpUpgradeFeature, resolveHttpLimits, type HttpApplication, type HttpLimits } from '../../../protocols/index.js';
import { MemoryLogger } from '../../pipeline/support.js';
import { delay, readAll, readUntil } from '../../support/streams.js';

const LIMITS: Partial<HttpLimits> = {
  maxRequestBodySize: 1000,
  maxRequestBodyDrainSize: 2000,
  keepAliveTimeoutMs: 100,
  requestHeadersTimeoutMs: 100,
  requestBodyDrainTimeoutMs: 100,
  keepAliveShutdownGraceMs: 100,
};

// One route per way for the app to end a connection.
const app: HttpApplication = {
  async handle(ex) {
    switch (ex.target) {
      case '/throw':
        throw new Error('the app failed');
      case '/app-close':
        ex.responseHeaders.set('connection', 'close');
        ex.end('bye');
        return;
      case '/read': {
        try {
          while ((await ex.readBody()) !== null);
        } catch (err) {
          ex.statusCode = (err as { status?: number }).status ?? 500;
        }
        ex.end();
        return;
      }
      case '/stream':
        ex.write('a');
        ex.end('b');
        return;
      case '/short':
        ex.responseHeaders.set('content-length', '10');
        ex.end('short');
        return;
      case '/hang':
        await new Promise((resolve) => ex.aborted.addEventListener('abort', resolve));
        return;
      case '/upgrade': {
        // The protocol answers the 101 itself.
        const { transport } = ex.feature(HttpUpgradeFeature)!.upgrade();
        transport.end();
        return;
      }
      default:
        ex.end('ok');
    }
  },
};

interface Running {
  readonly server: Server;
  readonly logger: MemoryLogger;
  open(): Promise<Socket>;
}

async function withServer(fn: (srv: Running) => Promise<void>, limits: Partial<HttpLimits> = LIMITS, configure?: Parameters<Server['listen']>[1]): Promise<void> {
  const logger = new MemoryLogger();
  const server = new Server({ logLevel: 'silent' });
  server.services.register(LOGGER, { useValue: logger });
  server.useHttp(app, { limits });
  server.listen('http://127.0.0.1:0', configure);
  await server.start();
  const port = (server.endpoints[0] as TcpEndpoint).port;
  const open = (): Promise<Socket> =>
    new Promise((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => resolve(s));
      s.once('error', reject);
    });
  try {
    await fn({ server, logger, open });
  } finally {
    await server.stop(500);
  }
}

/** The reasons the connections gave when they were done (or handed off), in order. */
async function reasons(logger: MemoryLogger, count = 1): Promise<unknown[]> {
  const done = (): unknown[] =>
    logger.entries
      .filter((e) => e.level === 'debug' && (e.message === 'HTTP/1.1 connection done' || e.message === 'HTTP/1.1 connection upgraded'))
      .map((e) => e.fields?.reason);
  for (let i = 0; i < 300 && done().length < count; i++) await delay(10);
  return done();
}

/** Sends `request` on a new connection and reads everything until the server closes it. */
async function exchange(srv: Running, request: string): Promise<string> {
  const s = await srv.open();
  s.write(request);
  return readAll(s);
}

// `close`: the response says `connection: close` (an upgrade, a response cut short and a body
// drained after a keep-alive response cannot say it).
const cases: { reason: KeepAliveEndReason; request: string; response: string; close?: false }[] = [
  { reason: 'client-close', request: 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', response: 'HTTP/1.1 200 OK' },
  { reason: 'client-close', request: 'GET / HTTP/1.0\r\n\r\n', response: 'HTTP/1.1 200 OK' },
  { reason: 'app-close', request: 'GET /app-close HTTP/1.1\r\nHost: x\r\n\r\n', response: 'HTTP/1.1 200 OK' },
  { reason: 'app-error', request: 'GET /throw HTTP/1.1\r\nHost: x\r\n\r\n', response: 'HTTP/1.1 500 Internal Server Error' },
  { reason: 'upgrade', request: 'GET / HTTP/1.1\r\nHost: x\r\nConnection: upgrade\r\nUpgrade: echo\r\n\r\n', response: 'HTTP/1.1 200 OK' },
  { reason: 'upgrade', request: 'GET /upgrade HTTP/1.1\r\nHost: x\r\nConnection: upgrade\r\nUpgrade: echo\r\n\r\n', response: 'HTTP/1.1 101 Switching Protocols', close: false },
  { reason: 'bad-request', request: 'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n', response: 'HTTP/1.1 400 Bad Request' },
  { reason: 'request-body-failed', request: 'POST /read HTTP/1.1\r\nHost: x\r\nContent-Length: 1500\r\n\r\n', response: 'HTTP/1.1 413 Content Too Large' },
  { reason: 'unread-body-too-large', request: 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n', response: 'HTTP/1.1 200 OK' },
  { reason: 'continue-not-sent', request: 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nExpect: 100-continue\r\n\r\n', response: 'HTTP/1.1 200 OK' },
  { reason: 'request-body-drain-timeout', request: 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1500\r\n\r\nabc', response: 'HTTP/1.1 200 OK', close: false },
  { reason: 'request-headers-timeout', request: 'GET / HTTP/1.1\r\nHost:', response: 'HTTP/1.1 408 Request Timeout' },
  { reason: 'close-delimited-response', request: 'GET /stream HTTP/1.0\r\nConnection: keep-alive\r\n\r\n', response: 'HTTP/1.1 200 OK' },
  { reason: 'content-length-mismatch', request: 'GET /short HTTP/1.1\r\nHost: x\r\n\r\n', response: 'HTTP/1.1 200 OK', close: false },
];

for (const c of cases) {
  test(`${c.reason}: ${JSON.stringify(c.request.slice(0, c.request.indexOf('\r\n')))}`, () =>
    withServer(async (srv) => {
      const text = await exchange(srv, c.request);
      assert.ok(text.startsWith(c.response), text);
      assert.is(text.includes('connection: close'), c.close ?? true, text);
      assert.equal(await reasons(srv.logger), [c.reason]);
      assert.equal(srv.logger.errors().length, c.reason === 'app-error' ? 1 : 0);
    }),
  );
}

test('client-end: a FIN after a keep-alive response ends the connection', () =>
  withServer(async (srv) => {
    const s = await srv.open();
    s.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    const text = await readUntil(s, (t) => t.endsWith('ok'));
    assert.not.ok(text.includes('connection: close'), text);
    s.end();
    await readAll(s);
    assert.equal(await reasons(srv.logger), ['client-end']);
  }));

test('keep-alive-timeout: an idle keep-alive connection is closed', () =>
  withServer(async (srv) => {
    const text = await exchange(srv, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.ok(text.startsWith('HTTP/1.1 200 OK') && text.endsWith('ok'), text);
    assert.equal(await reasons(srv.logger), ['keep-alive-timeout']);
  }));

test('transport-closed: the client resets while the app is still working', () =>
  withServer(async (srv) => {
    const s = await srv.open();
    s.write('GET /hang HTTP/1.1\r\nHost: x\r\n\r\n');
    await delay(20);
    s.resetAndDestroy(); // a FIN would be a half-close, and the app's answer still awaited
    assert.equal(await reasons(srv.logger), ['transport-closed']);
    // The reset reached the connection through its context's 'error' listener: logged at debug.
    const logged = srv.logger.entries.find((e) => e.message === 'Transport error');
    assert.is(logged?.level, 'debug');
    assert.is((logged?.fields?.err as NodeJS.ErrnoException | undefined)?.code, 'ECONNRESET');
    assert.equal(srv.logger.errors(), []);
  }));

test("an idle keep-alive connection's socket has one 'error' and one 'close' listener: its context's, which the connection watches through", async () => {
  // A listener of the connection's own beside the context's (and the transport's own 'error'
  // listener) made node keep an array for each event on every idle connection.
  const transports: import('node:stream').Duplex[] = [];
  await withServer(
    async (srv) => {
      const s = await srv.open();
      s.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      await readUntil(s, (t) => t.endsWith('ok'));
      const [transport] = transports;
      assert.is(transport.listenerCount('error'), 1);
      assert.is(transport.listenerCount('close'), 1);
      // Still served through them: the next request on the connection is answered, a FIN ends it.
      s.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      await readUntil(s, (t) => t.endsWith('ok'));
      s.end();
      await readAll(s);
      assert.equal(await reasons(srv.logger), ['client-end']);
    },
    LIMITS,
    (ep) =>
      ep.use((ctx, next) => {
        transports.push(ctx.transport);
        return next();
      }),
  );
});

test('server-shutdown: an idle keep-alive connection is closed by a graceful stop', async () => {
  let logger: MemoryLogger | undefined;
  await withServer(async (srv) => {
    logger = srv.logger;
    const s = await srv.open();
    s.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await readUntil(s, (t) => t.endsWith('ok'));
    s.on('error', () => {});
  });
  assert.equal(await reasons(logger!), ['server-shutdown']);
});

test('server-shutdown: a request that reaches an idle connection within keepAliveShutdownGraceMs is answered, with connection: close', async () => {
  let logger: MemoryLogger | undefined;
  await withServer(
    async (srv) => {
      logger = srv.logger;
      const s = await srv.open();
      s.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      await readUntil(s, (t) => t.endsWith('ok'));
      const stopping = srv.server.stop(5_000);
      // Well after the stop asked the connection to close, well within its grace: a keep-alive
      // client's next request, sent as the stop began.
      await delay(200);
      s.write('GET /next HTTP/1.1\r\nHost: x\r\n\r\n');
      const text = await readAll(s);
      assert.ok(text.includes('HTTP/1.1 200 OK'), text);
      assert.match(text.toLowerCase(), /connection: close\r\n/);
      assert.ok(text.endsWith('ok'), text);
      await stopping;
    },
    { ...LIMITS, keepAliveShutdownGraceMs: 2_000 },
  );
  assert.equal(await reasons(logger!), ['server-shutdown']);
});

test('server-shutdown: a request already sent, still unread when the stop asks the connection to close, is answered with connection: close rather than reset', async () => {
  let lifetime: LifetimeFeature | undefined;
  await withServer(
    async (srv) => {
      const s = await srv.open();
      s.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      await readUntil(s, (t) => t.endsWith('ok'));
      // The next request is in the server socket's receive buffer within this turn; the close
      // request comes before node has read it (as a stop finds a busy server's connections).
      s.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      lifetime!.requestClose();
      const rest = await readAll(s);
      assert.ok(rest.startsWith('HTTP/1.1 200 OK\r\n'), rest);
      assert.ok(rest.includes('\r\nconnection: close\r\n') && rest.endsWith('ok'), rest);
      assert.equal(await reasons(srv.logger), ['server-shutdown']);
    },
    LIMITS,
    (ep) =>
      ep.use((ctx, next) => {
        lifetime = ctx.features.get(LifetimeFeature);
        return next();
      }),
  );
});

test('the first reason is kept: Connection: close on a request the app fails', () =>
  withServer(async (srv) => {
    const text = await exchange(srv, 'GET /throw HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    assert.ok(text.startsWith('HTTP/1.1 500'), text);
    assert.equal(await reasons(srv.logger), ['client-close']);
  }));

test('a pipelined run served whole keeps alive: no reason until the client ends it', () =>
  withServer(async (srv) => {
    const s = await srv.open();
    s.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(8));
    const text = await readUntil(s, (t) => t.split('HTTP/1.1 200 OK').length === 9 && t.endsWith('ok'));
    assert.not.ok(text.includes('connection: close'));
    assert.equal(await reasons(srv.logger, 0), []);
    s.end();
    await readAll(s);
    assert.equal(await reasons(srv.logger), ['client-end']);
  }));

test('every reason is one of the closed set, listed once', () => {
  assert.is(new Set(KEEP_ALIVE_END_REASONS).size, KEEP_ALIVE_END_REASONS.length);
  assert.ok(Object.isFrozen(KEEP_ALIVE_END_REASONS));
});

test.run();
