// Peers that never complete a handshake: silent ones are cut off after handshakeTimeoutMs, garbage
// is refused at once; neither reaches the app, and the server keeps serving.
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { once } from 'node:events';
import { connectSocket } from '../../transports/socket-client.js';
import { closed, readAll } from '../../support/streams.js';
import { makeCa, makeLeaf } from '../../support/tls-certificates.js';
import { getOver, handshakeFailures, pollUntil, startTlsServer, tlsConnect } from '../../support/tls-server.js';

const ca = await makeCa();
const leaf = await makeLeaf(['localhost'], { ca });

test('TCP: a client that connects and sends nothing is closed after handshakeTimeoutMs', async () => {
  const h = await startTlsServer({ certificate: leaf, handshakeTimeoutMs: 200 });
  try {
    const started = Date.now();
    const socket = await connectSocket({ host: '127.0.0.1', port: h.port });
    socket.on('error', () => undefined);
    // The half-open client sees the server's FIN ('end').
    assert.is(await readAll(socket), '');
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 150 && elapsed < 2_000, `closed after ${elapsed} ms`);
    assert.equal(handshakeFailures(h), ['timeout']);
    assert.is(h.requests, 0);
  } finally {
    await h.stop();
  }
});

test('memory: the timeout holds over the in-memory transport too', async () => {
  const h = await startTlsServer({ certificate: leaf, handshakeTimeoutMs: 200 });
  try {
    const started = Date.now();
    const raw = h.connectMemory();
    raw.on('error', () => undefined);
    // As over TCP: the server's close is a FIN the half-open client reads as the end.
    assert.is(await readAll(raw), '');
    assert.ok(Date.now() - started >= 150);
    assert.equal(handshakeFailures(h), ['timeout']);
    assert.is(h.server.stats.active, 0);
  } finally {
    await h.stop();
  }
});

test('a slow client that trickles a partial ClientHello is still cut off at the deadline', async () => {
  const h = await startTlsServer({ certificate: leaf, handshakeTimeoutMs: 300 });
  try {
    const socket = await connectSocket({ host: '127.0.0.1', port: h.port });
    socket.on('error', () => undefined);
    // A TLS record header announcing a 512-byte handshake message, then a byte every 50 ms.
    socket.write(Buffer.from('160301020001', 'hex'));
    const timer = setInterval(() => socket.writable && socket.write(Buffer.from([0])), 50);
    await readAll(socket);
    clearInterval(timer);
    assert.equal(handshakeFailures(h), ['timeout']);
  } finally {
    await h.stop();
  }
});

test('garbage instead of a ClientHello (a plain HTTP request) is closed at once; the app never sees it; the server stays healthy', async () => {
  const h = await startTlsServer({ certificate: leaf });
  try {
    for (const garbage of ['GET / HTTP/1.1\r\nHost: x\r\n\r\n', '\x16\x03\x01\x00\x05hello', '\x00'.repeat(64)]) {
      const socket = await connectSocket({ host: '127.0.0.1', port: h.port });
      socket.on('error', () => undefined);
      socket.write(garbage, 'latin1');
      const started = Date.now();
      const answer = await readAll(socket, 3_000);
      assert.ok(Date.now() - started < 2_000, 'closed at once, not at the handshake timeout');
      // At most a TLS alert record (content type 21), never an HTTP response.
      assert.ok(answer === '' || answer.charCodeAt(0) === 21, JSON.stringify(answer));
    }
    assert.is(h.requests, 0);
    assert.equal(handshakeFailures(h), ['protocol', 'protocol', 'protocol']);
    const socket = await tlsConnect({ port: h.port, host: '127.0.0.1', ca: ca.cert, servername: 'localhost' });
    assert.is((await getOver(socket)).status, 200);
    assert.is(h.requests, 1);
  } finally {
    await h.stop();
  }
});

test('a client that ends its side before the handshake is done is closed at once, not at handshakeTimeoutMs', async () => {
  // Found by the soak (bench/soak): connect-then-FIN over TLS held each connection for the whole
  // handshake timeout, because transports are half-open and nothing else watched for the end.
  const h = await startTlsServer({ certificate: leaf, handshakeTimeoutMs: 60_000 });
  try {
    // Nothing sent, then a partial ClientHello record: neither can ever become a handshake.
    for (const sent of ['', '160301020001']) {
      const socket = await connectSocket({ host: '127.0.0.1', port: h.port });
      socket.on('error', () => undefined);
      socket.end(Buffer.from(sent, 'hex'));
      // readAll rejects after 3 s: far below the 60 s timeout, far above a prompt close.
      assert.is(await readAll(socket, 3_000), '');
      await closed(socket);
    }
    assert.equal(handshakeFailures(h), ['closed', 'closed']);
    await pollUntil('both connections are gone', () => h.server.stats.active === 0);
    assert.is(h.requests, 0);
    const socket = await tlsConnect({ port: h.port, host: '127.0.0.1', ca: ca.cert, servername: 'localhost' });
    assert.is((await getOver(socket)).status, 200);
  } finally {
    await h.stop();
  }
});

test('memory: an end before the handshake closes the in-memory connection at once too', async () => {
  const h = await startTlsServer({ certificate: leaf, handshakeTimeoutMs: 60_000 });
  try {
    const raw = h.connectMemory();
    raw.on('error', () => undefined);
    raw.resume();
    raw.end();
    await Promise.race([once(raw, 'close'), new Promise((_, reject) => setTimeout(() => reject(new Error('not closed within 3 s')), 3_000))]);
    assert.equal(handshakeFailures(h), ['closed']);
    await pollUntil('the connection is gone', () => h.server.stats.active === 0);
  } finally {
    await h.stop();
  }
});

test('a handshake in progress does not hold up server.stop()', async () => {
  const h = await startTlsServer({ certificate: leaf, handshakeTimeoutMs: 10_000 });
  const socket = await connectSocket({ host: '127.0.0.1', port: h.port });
  socket.on('error', () => undefined);
  await pollUntil('the connection is live', () => h.server.stats.active === 1);
  const started = Date.now();
  await h.stop();
  assert.ok(Date.now() - started < 1_000, `stop took ${Date.now() - started} ms`);
  assert.equal(handshakeFailures(h), ['closed']);
});

test.run();
