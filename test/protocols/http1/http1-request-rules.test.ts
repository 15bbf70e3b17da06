// The request-target, Host and header-size rules, over real TCP sockets to a running server: a
// refused request gets its status and a closed connection, and never reaches the app; a request
// that keeps the rules is served. The cases are the parser tests' (request-rules.ts).
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { serverEnds, startServer, type Harness } from '../../support/real-server.js';
import { readAll } from '../../support/streams.js';
import { connectTcp } from '../../transports/socket-client.js';
import { acceptedTargets, invalidHosts, targetRejections, validHosts } from './request-rules.js';

let h: Harness;
test.before(async () => {
  h = await startServer();
});
test.after(() => h.stop());

interface Answer {
  status: number;
  text: string;
  /** The server sent FIN. */
  ended: boolean;
}

async function send(raw: string): Promise<Answer> {
  const s = await connectTcp(h.tcp);
  const ended = serverEnds(s);
  s.write(raw, 'latin1');
  const text = await readAll(s);
  s.destroy();
  return { status: Number(text.slice(9, 12)), text, ended: await ended };
}

/** Sends a keep-alive request the server must refuse: `status`, a close, and the app untouched. */
async function refused(raw: string, status: number, what: string): Promise<void> {
  const before = h.seen.requests.length;
  const a = await send(raw);
  assert.is(a.status, status, `${what}: ${JSON.stringify(a.text.slice(0, 60))}`);
  assert.ok(a.text.includes('\r\nconnection: close\r\n'), `${what}: announces the close`);
  assert.ok(a.ended, `${what}: the server closed the connection`);
  assert.is(h.seen.requests.length, before, `${what}: the app never saw it`);
}

/** Sends a request the app must be handed (whatever it answers). */
async function served(raw: string, seenAs: string, what: string): Promise<Answer> {
  const a = await send(raw);
  assert.ok(a.status !== 400 && a.status >= 200, `${what}: got ${a.status}`);
  assert.is(h.seen.requests.at(-1), seenAs, `${what}: reached the app`);
  return a;
}

test('request-targets the RFCs forbid are a 400 and a close: empty host, userinfo, other schemes, * without OPTIONS, host:port without CONNECT', async () => {
  for (const [line] of targetRejections) await refused(`${line} HTTP/1.1\r\nHost: a.example\r\n\r\n`, 400, line);
});

test('request-targets in each allowed form reach the app', async () => {
  for (const [line] of acceptedTargets) {
    await served(`${line} HTTP/1.1\r\nHost: a.example\r\nConnection: close\r\n\r\n`, line, line);
  }
  const a = await served('GET HTTP://A.EXAMPLE:80/hello HTTP/1.1\r\nHost: a.example\r\nConnection: close\r\n\r\n', 'GET HTTP://A.EXAMPLE:80/hello', 'absolute');
  assert.ok(a.text.endsWith('\r\n\r\nhello'));
  // RFC 9112 §3.2.2: the target names the authority and the Host field is ignored, so one that
  // differs is served (it must still be a valid Host, RFC 9112 §3.2).
  await served('GET http://a.example/hello HTTP/1.1\r\nHost: b.example\r\nConnection: close\r\n\r\n', 'GET http://a.example/hello', 'Host differs');
});

test('a Host that is not RFC 3986 host[:port] is a 400 and a close; a valid one is served', async () => {
  for (const host of invalidHosts) {
    // Only what a field value can carry on the wire: latin1 bytes (obs-text included).
    if ([...host].some((c) => c.charCodeAt(0) > 0xff)) continue;
    await refused(`GET /hello HTTP/1.1\r\nHost: ${host}\r\n\r\n`, 400, `Host: ${host}`);
  }
  for (const host of validHosts) {
    const a = await served(`GET /hello HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`, 'GET /hello', `Host: ${host}`);
    assert.is(a.status, 200, `Host: ${host}`);
  }
});

test('a keep-alive connection that sent a valid Host is still refused a bad one later', async () => {
  const before = h.seen.requests.length;
  const a = await send('GET /hello HTTP/1.1\r\nHost: [::1]\r\n\r\nGET /hello HTTP/1.1\r\nHost: [::1\r\n\r\nGET /hello HTTP/1.1\r\nHost: a\r\n\r\n');
  assert.ok(a.text.startsWith('HTTP/1.1 200 OK'));
  assert.is(a.text.split('HTTP/1.1 ').length, 3, 'two responses');
  assert.match(a.text, /\r\n\r\nhelloHTTP\/1\.1 400 /);
  assert.ok(a.ended);
  assert.is(h.seen.requests.length, before + 1);
});

// Each field line counts with its CRLF; the request line and the empty line do not.
const withFieldLines = (total: number): string =>
  `GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Big: ${'b'.repeat(total - 9 - 19 - 9)}\r\n\r\n`;

test('the default header limit: exactly 32,768 bytes of field lines are served, 32,769 get 431 and a close', async () => {
  const at = withFieldLines(32768);
  assert.is(at.length, 21 + 32768 + 2);
  const a = await served(at, 'GET /hello', '32,768 bytes');
  assert.is(a.status, 200);
  assert.ok(a.text.endsWith('\r\n\r\nhello'));
  await refused(withFieldLines(32769).replace('Connection: close', 'Connection: other'), 431, '32,769 bytes');
});

test.run();
