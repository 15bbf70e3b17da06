// HTTP/2 when the client stops half-way, over real TCP sockets with a raw-frame client (node's
// client never half-closes its socket): a FIN in the middle of a stream, and a stream reset in the
// middle of its request body.
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import http2 from 'node:http2';
import { eventually } from '../../support/real-server.js';
import { withServer, type H2Harness } from './h2-support.js';
import { RawH2, requestFrame, rstStream, S, T } from './raw-h2.js';

const { NGHTTP2_CANCEL } = http2.constants;

/** A POST to `/sha` (which reads its body) with 1,000 bytes of a body that does not end yet. */
async function uploadStarted(h: H2Harness): Promise<RawH2> {
  const c = await RawH2.connect(h.port);
  c.write(requestFrame(1, 'POST', '/sha', false));
  c.sendBody(1, 1_000);
  await eventually('the app reads the body', () => h.seen.requests.includes('POST /sha'));
  return c;
}

// ---- the client's FIN ----------------------------------------------------------------------

test('a client that half-closes with a POST body incomplete gets GOAWAY and a close; the body read fails', () =>
  withServer(async (h) => {
    const c = await uploadStarted(h);
    c.socket.end();
    assert.ok(await c.serverCloses(3_000), 'the server closes the connection');
    assert.ok(c.frames.some((f) => f.type === T.GOAWAY), 'with a GOAWAY first');
    await eventually('the body read failed', () => h.seen.bodyErrors.includes('ERR_TIERCEL_CONNECTION_ABORTED'));
    assert.ok(h.seen.aborted.includes('/sha'));
    await eventually('the connection is gone', () => h.server.stats.active === 0);
  }));

test('a client that half-closes while a response waits on a zero window: the response is aborted and the connection closed', () =>
  withServer(async (h) => {
    const c = await RawH2.connect(h.port, { settings: { [S.INITIAL_WINDOW_SIZE]: 0 } });
    c.write(requestFrame(1, 'GET', '/stream?n=3&size=1000', true));
    await eventually('the response started', () => c.frames.some((f) => f.type === T.HEADERS && f.streamId === 1));
    c.socket.end();
    assert.ok(await c.serverCloses(3_000), 'the server closes the connection');
    await eventually('the app saw the abort', () => h.seen.aborted.includes('/stream'));
    await eventually('the connection is gone', () => h.server.stats.active === 0);
  }));

// ---- a reset in the middle of the body ------------------------------------------------------

test('a stream reset by the client in the middle of its body fails the body read; the app never sees a short body as complete', () =>
  withServer(async (h) => {
    const c = await uploadStarted(h);
    await eventually('the body arrived', () => c.sent.get(1) === 1_000);
    c.write(rstStream(1, NGHTTP2_CANCEL));
    await eventually('the body read failed', () => h.seen.bodyErrors.includes('ERR_TIERCEL_CONNECTION_ABORTED'));
    assert.ok(h.seen.aborted.includes('/sha'));
    c.destroy();
  }));

// ---- a client that does not close ----------------------------------------------------------

test('an idle session gets GOAWAY at keepAliveTimeoutMs; a client that then neither closes nor reads is dropped after the linger', () =>
  withServer(
    async (h) => {
      const c = await RawH2.connect(h.port);
      assert.is(await c.goawayCode(4_000), 0, 'GOAWAY(NO_ERROR) for the idle session');
      // The server ended its side; the client keeps its own open and the server gives up on it
      // within a few heartbeats (node:http2 alone would wait for the client's FIN forever).
      assert.ok(await c.serverCloses(), 'FIN after the GOAWAY');
      await eventually('the connection is gone', () => h.server.stats.active === 0, 5_000);
      c.destroy();
    },
    { http: { limits: { keepAliveTimeoutMs: 300 } } },
  ));

test.run();
