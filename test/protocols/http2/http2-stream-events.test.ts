// A served HTTP/2 stream's 'close' and 'error' reach its exchange through the stream's own emit,
// not through listeners: a tunnel (an accepted CONNECT) is handed over with no 'error' listener
// of tiercel's, the new owner's listeners still get both events, and an 'error' nobody listens
// for is the server's to log, never an uncaught exception.
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import http2, { type ClientHttp2Session, type ClientHttp2Stream } from 'node:http2';
import type { Duplex } from 'node:stream';
import { HttpExtendedConnectFeature, type HttpApplication } from '../../../protocols/index.js';
import { eventually } from '../../support/real-server.js';
import { get, startH2 } from './h2-support.js';

interface Tunnels {
  /** `close`/`error` listener counts on each tunnel's stream when the app got it. */
  readonly listeners: string[];
  /** The `code` of each error the watched tunnels' owner saw. */
  readonly errors: string[];
  /** Tunnels whose owner saw 'close'. */
  closed: number;
}

/** Plain CONNECTs are accepted as tunnels; a tunnel to `watched:443` gets 'error' and 'close' listeners of its new owner. */
function tunnelApp(t: Tunnels): HttpApplication {
  return {
    handle(ex) {
      const connect = ex.feature(HttpExtendedConnectFeature);
      if (connect === undefined || ex.method !== 'CONNECT') return ex.end('ok');
      const { transport } = connect.accept();
      t.listeners.push(`${transport.listenerCount('close')}/${transport.listenerCount('error')}`);
      if (ex.target === 'watched:443') watch(transport, t);
    },
  };
}

function watch(transport: Duplex, t: Tunnels): void {
  transport.on('error', (err: Error & { code?: string }) => t.errors.push(err.code ?? err.message));
  transport.on('close', () => t.closed++);
}

/** Opens a plain CONNECT tunnel to `authority` and resolves with its stream once answered 200. */
async function tunnel(session: ClientHttp2Session, authority: string): Promise<ClientHttp2Stream> {
  const req = session.request({ ':method': 'CONNECT', ':authority': authority });
  req.on('error', () => {});
  const status = await new Promise((resolve, reject) => {
    req.once('response', (h) => resolve(h[':status']));
    req.once('close', () => reject(new Error(`the CONNECT to ${authority} closed before its response`)));
  });
  assert.is(status, 200, `CONNECT ${authority}`);
  return req;
}

/** Resets `req` with `code` and waits for it to close on the client. */
function reset(req: ClientHttp2Stream, code: number): Promise<void> {
  return new Promise((resolve) => {
    req.once('close', () => resolve());
    req.close(code);
  });
}

/** A server that accepts one tunnel at a time (so a slot not freed shows as a 503), and a session to it over TCP. */
async function withTunnels(fn: (s: ClientHttp2Session, t: Tunnels) => Promise<void>): Promise<void> {
  const t: Tunnels = { listeners: [], errors: [], closed: 0 };
  const h = await startH2({ app: tunnelApp(t), http: { limits: { maxConcurrentUpgradedConnections: 1 } } });
  try {
    await fn(h.connectTcp(), t);
  } finally {
    await h.stop();
  }
}

test('a tunnel is handed over with no error listener of the server, and a reset still reaches its new owner and frees its upgrade slot', () =>
  withTunnels(async (s, t) => {
    await reset(await tunnel(s, 'watched:443'), http2.constants.NGHTTP2_INTERNAL_ERROR);
    await eventually('the tunnel owner saw the reset and the close', () => t.closed === 1);
    assert.equal(t.errors, ['ERR_HTTP2_STREAM_ERROR']);
    // The slot the tunnel held (the server's only one) was freed by its close: a second is accepted.
    await reset(await tunnel(s, 'watched:443'), http2.constants.NGHTTP2_CANCEL);
    await eventually('the second tunnel closed', () => t.closed === 2);
    // One 'close' listener (the upgrade count's), no 'error' listener: the exchange listens on neither.
    assert.equal(t.listeners, ['1/0', '1/0']);
  }));

test('a stream error nobody listens for is logged by the server, not thrown: the connection goes on serving', () =>
  withTunnels(async (s, t) => {
    // An unwatched tunnel reset with an error code: node:http2 emits 'error' on the server's stream.
    await reset(await tunnel(s, 'unwatched:443'), http2.constants.NGHTTP2_INTERNAL_ERROR);
    // The same session is still served (and by the answer the server has read the reset)...
    const res = await get(s, '/');
    assert.is(res.status, 200);
    assert.is(res.body.toString(), 'ok');
    // ...and the tunnel's slot was freed: its close still reached the upgrade count.
    await reset(await tunnel(s, 'unwatched:443'), http2.constants.NGHTTP2_CANCEL);
    assert.equal(t.listeners, ['1/0', '1/0']);
    assert.equal(t.errors, []);
  }));

test('a tunnel owner hears the stream events the server has no listener for: resume, readable, prefinish and close', async () => {
  const heard: string[] = [];
  const app: HttpApplication = {
    handle(ex) {
      const { transport } = ex.feature(HttpExtendedConnectFeature)!.accept();
      for (const event of ['resume', 'prefinish', 'close']) transport.on(event, () => heard.push(`${ex.target} ${event}`));
      if (ex.target === 'flowing:443') {
        // Flowing mode: 'data' resumes the stream.
        transport.on('data', (chunk: Buffer) => transport.write(chunk));
      } else {
        transport.on('readable', () => {
          heard.push(`${ex.target} readable`);
          for (let chunk = transport.read() as Buffer | null; chunk !== null; chunk = transport.read() as Buffer | null) transport.write(chunk);
        });
      }
      transport.on('end', () => transport.end());
    },
  };
  const h = await startH2({ app });
  try {
    const s = h.connectTcp();
    for (const target of ['flowing:443', 'paused:443']) {
      const req = await tunnel(s, target);
      const echoed: Buffer[] = [];
      req.on('data', (chunk: Buffer) => echoed.push(chunk));
      let closed = false;
      req.once('close', () => (closed = true));
      req.end('ping');
      await eventually(`the tunnel to ${target} echoed and closed`, () => closed);
      assert.is(Buffer.concat(echoed).toString(), 'ping', target);
    }
    await eventually('both tunnels closed on the server', () => heard.filter((e) => e.endsWith(' close')).length === 2);
    assert.ok(heard.includes('flowing:443 resume'), heard.join(', '));
    assert.ok(heard.includes('paused:443 readable'), heard.join(', '));
    for (const target of ['flowing:443', 'paused:443']) assert.ok(heard.includes(`${target} prefinish`), heard.join(', '));
  } finally {
    await h.stop();
  }
});

test.run();
