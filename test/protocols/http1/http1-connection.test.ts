import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TestServer } from '../../../hosting/index.js';
import type { HttpApplication, HttpExchange } from '../../../protocols/index.js';
import { readAll, readUntil, delay } from '../../support/streams.js';

// A raw HttpApplication (no pipeline): the protocol adapter's own contract.
const hello: HttpApplication = {
  handle(ex: HttpExchange) {
    ex.responseHeaders.set('content-type', 'text/plain');
    ex.end(`${ex.method} ${ex.target}`);
  },
};

test('undici over the in-memory transport gets a response through the real parser', async () => {
  const ts = await TestServer.start(hello);
  try {
    const res = await ts.fetch('/a?b=1');
    assert.is(res.status, 200);
    assert.is(await res.text(), 'GET /a?b=1');
    assert.is(res.headers.get('content-length'), '10');
    assert.is(res.headers.get('server'), 'tiercel');
    assert.ok(res.headers.get('date'));
  } finally {
    await ts.stop();
  }
});

test('pipelined requests are answered in order in one batch', async () => {
  const ts = await TestServer.start(hello);
  try {
    const c = ts.connect();
    let req = '';
    for (let i = 0; i < 16; i++) req += `GET /${i} HTTP/1.1\r\nHost: x\r\n\r\n`;
    c.write(req);
    const text = await readUntil(c, (t) => t.includes('GET /15'));
    for (let i = 0; i < 16; i++) assert.ok(text.includes(`GET /${i}`));
    assert.ok(text.indexOf('GET /3') < text.indexOf('GET /4'));
    c.end();
  } finally {
    await ts.stop();
  }
});

test('a slow handler delays only the responses after it', async () => {
  const app: HttpApplication = {
    async handle(ex) {
      if (ex.target === '/slow') await delay(50);
      ex.end(ex.target);
    },
  };
  const ts = await TestServer.start(app);
  try {
    const c = ts.connect();
    c.write('GET /fast HTTP/1.1\r\nHost: x\r\n\r\nGET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /after HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    const text = await readAll(c);
    const a = text.indexOf('/fast'), b = text.indexOf('/slow'), d = text.indexOf('/after');
    assert.ok(a > 0 && b > a && d > b, text);
    assert.ok(text.includes('connection: close'));
  } finally {
    await ts.stop();
  }
});

test('a bad request gets 400 and the connection closes', async () => {
  const ts = await TestServer.start(hello);
  try {
    const c = ts.connect();
    c.write('GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n');
    const text = await readAll(c);
    assert.ok(text.startsWith('HTTP/1.1 400 Bad Request\r\n'), text);
    assert.ok(text.includes('connection: close'));
  } finally {
    await ts.stop();
  }
});

test('a keep-alive connection checks every Host that differs from the last valid one, long or short, of the same length or not', async () => {
  // The connection skips the check for the Host it found valid last (a keep-alive client sends the
  // same one every time): any other value is checked, one of the same length too. Values of 13
  // characters or more are slices of the decoded head in V8, shorter ones copies.
  const ts = await TestServer.start(hello);
  try {
    const c = ts.connect();
    const hosts = ['127.0.0.1:8080', '127.0.0.1:8080', '127.0.0.2:8080', 'x', 'y', '127.0.0.2:8080', '127.0.0.1:80x0', '127.0.0.1:8080'];
    c.write(hosts.map((h, i) => `GET /${i} HTTP/1.1\r\nHost: ${h}\r\n\r\n`).join(''));
    const text = await readAll(c);
    const statuses = text.match(/HTTP\/1\.1 \d{3}/g);
    assert.equal(statuses, ['HTTP/1.1 200', 'HTTP/1.1 200', 'HTTP/1.1 200', 'HTTP/1.1 200', 'HTTP/1.1 200', 'HTTP/1.1 200', 'HTTP/1.1 400'], text);
    assert.ok(text.includes('GET /5') && !text.includes('GET /6'), text);
  } finally {
    await ts.stop();
  }
});

test('a Host that begins with the last one found valid, or has OWS after it, is its own value, on every connection', async () => {
  // The scanner remembers the last Host any connection found valid and gives a head with the same
  // bytes that very string: more bytes after them make another value, which is checked; trailing
  // OWS is trimmed; another connection's Host is its own.
  const echoHost: HttpApplication = {
    handle(ex: HttpExchange) {
      ex.end(`[${ex.headers.get('host')}]`);
    },
  };
  const ts = await TestServer.start(echoHost);
  try {
    const a = ts.connect();
    const b = ts.connect();
    const ask = async (c: typeof a, host: string): Promise<string> => {
      const answer = readUntil(c, (t) => /\r\n\r\n\[.*\]$/s.test(t) || t.includes('HTTP/1.1 400'));
      c.write(`GET / HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
      const text = await answer;
      return text.startsWith('HTTP/1.1 400') ? '400' : text.slice(text.lastIndexOf('['));
    };
    assert.is(await ask(a, 'a.example:8080'), '[a.example:8080]');
    assert.is(await ask(b, 'b.example:8080'), '[b.example:8080]');
    assert.is(await ask(a, 'a.example:8080'), '[a.example:8080]');
    assert.is(await ask(b, 'b.example:8080 \t '), '[b.example:8080]');
    assert.is(await ask(b, 'b.example:80801'), '[b.example:80801]');
    assert.is(await ask(b, 'b.example:8080'), '[b.example:8080]');
    assert.is(await ask(b, 'b.example:8080@evil'), '400');
    assert.is(await ask(a, 'a.example:8080'), '[a.example:8080]');
  } finally {
    await ts.stop();
  }
});

test('a target asked for again gets the same answer, and one that differs from the last by a byte, in length or in case is its own', async () => {
  // The scanner remembers the last origin-form target any connection decoded (up to 64 bytes) and
  // gives a head with the same bytes that very string; with a remembered Host too, the head's bytes
  // are not decoded at all. Every request here must still reach the app exactly as sent.
  const echo: HttpApplication = {
    handle(ex: HttpExchange) {
      // The names as sent: `raw` is the flat [name, value, …] list.
      const names = ex.headers.raw.filter((_, i) => i % 2 === 0);
      ex.end(`<${ex.method} ${ex.target} ${ex.headers.get('host')} ${names.join(',')}>`);
    },
  };
  const ts = await TestServer.start(echo);
  try {
    const long = `/${'a'.repeat(70)}`;
    const requests: [string, string][] = [
      ['/plaintext', 'Host: x'],
      ['/plaintext', 'Host: x'],
      ['/plaintexu', 'Host: x'],
      ['/plaintex', 'Host: x'],
      ['/Plaintext', 'Host: x'],
      ['/plaintext', 'Host: x'],
      ['/plaintext', 'Host: y'],
      ['/plaintext', 'HOST: y'],
      ['/plaintext', 'host: y'],
      ['/plaintext', 'Host: y\r\nAccept: */*'],
      [long, 'Host: y'],
      [long, 'Host: y'],
      ['/plaintext?q=1', 'Host: y'],
      ['/plaintext', 'Host: y'],
    ];
    const a = ts.connect();
    a.write(requests.map(([target, fields]) => `GET ${target} HTTP/1.1\r\n${fields}\r\n\r\n`).join('') + 'GET /plaintext HTTP/1.0\r\n\r\n');
    const answers = (await readAll(a)).match(/<[^>]*>/g);
    assert.equal(answers, [
      ...requests.map(([target, fields]) => {
        const lines = fields.split('\r\n').map((line) => line.split(': '));
        return `<GET ${target} ${lines[0][1]} ${lines.map(([name]) => name).join(',')}>`;
      }),
      '<GET /plaintext undefined >',
    ]);
    // Another connection, with the target and Host the first one left remembered.
    const b = ts.connect();
    b.write('GET /plaintext HTTP/1.1\r\nHost: y\r\nConnection: close\r\n\r\n');
    assert.ok((await readAll(b)).endsWith('<GET /plaintext y Host,Connection>'));
  } finally {
    await ts.stop();
  }
});

test('connections whose heads arrive in pieces at the same time are each answered their own request (the endpoint shares its head scanners)', async () => {
  const ts = await TestServer.start(hello);
  try {
    const heads = ['/first', '/second', '/third'].map((path) => `GET ${path} HTTP/1.1\r\nHost: x\r\nX-Path: ${path}\r\nConnection: close\r\n\r\n`);
    const clients = heads.map(() => ts.connect());
    const answers = clients.map((c) => readAll(c));
    // Every connection has a head half-read before any of them is complete.
    for (let at = 0; at < Math.max(...heads.map((h) => h.length)); at += 9) {
      clients.forEach((c, i) => {
        if (at < heads[i].length) c.write(heads[i].slice(at, at + 9));
      });
      await delay(1);
    }
    const texts = await Promise.all(answers);
    texts.forEach((text, i) => {
      assert.match(text, /^HTTP\/1\.1 200 /, text);
      assert.ok(text.endsWith(`GET ${['/first', '/second', '/third'][i]}`), text);
    });
    // Idle again between requests: a keep-alive connection still parses its next head.
    const c = ts.connect();
    c.write('GET /one HTTP/1.1\r\nHost: x\r\n\r\n');
    await readUntil(c, (t) => t.endsWith('GET /one'));
    c.write('GET /two HTTP/1.1\r\nHo');
    await delay(5);
    c.write('st: x\r\nConnection: close\r\n\r\n');
    assert.ok((await readAll(c)).endsWith('GET /two'));
  } finally {
    await ts.stop();
  }
});

test.run();
