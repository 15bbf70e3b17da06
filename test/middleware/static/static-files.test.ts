// Static files through the public API: TestServer (real HTTP/1.1 parser and pipeline, in memory)
// for the headers and conditional logic, raw bytes for the escapes the client would normalise, a
// real TCP server for HTTP/2 (node:http2), curl and a client that stops reading.
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import http2 from 'node:http2';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { TestServer } from '../../../hosting/index.js';
import { staticFiles, StaticFilesConfigError, type StaticFilesOptions } from '../../../middleware/index.js';
import { ApplicationBuilder } from '../../../pipeline/index.js';
import { rawExchange, withAppServer } from '../../support/app-server.js';
import { curl } from '../../support/clients.js';

const dir = mkdtempSync(join(tmpdir(), 'tiercel-static-'));
const root = join(dir, 'public');
const HELLO = 'hello, static world\n';
const APP_JS = 'console.log("app");\n'.repeat(200);
const BIG = randomBytes(1024 * 1024 + 7);
const MTIME = new Date('2026-01-02T03:04:05Z');
mkdirSync(join(root, 'sub'), { recursive: true });
mkdirSync(join(root, 'empty-dir'));
mkdirSync(join(root, '.git'));
writeFileSync(join(root, 'index.html'), '<h1>root index</h1>');
writeFileSync(join(root, 'hello.txt'), HELLO);
writeFileSync(join(root, 'app.js'), APP_JS);
writeFileSync(join(root, 'app.js.br'), brotliCompressSync(APP_JS));
writeFileSync(join(root, 'app.js.gz'), gzipSync(APP_JS));
writeFileSync(join(root, 'only-gz.css'), 'body{}');
writeFileSync(join(root, 'only-gz.css.gz'), gzipSync('body{}'));
writeFileSync(join(root, 'big.bin'), BIG);
writeFileSync(join(root, 'empty.txt'), '');
writeFileSync(join(root, 'sub', 'index.html'), '<h1>sub index</h1>');
writeFileSync(join(root, '.env'), 'SECRET=1');
writeFileSync(join(root, '.git', 'config'), '[core]');
writeFileSync(join(root, 'data.unknownext'), 'x');
writeFileSync(join(root, 'notes.md'), '# notes');
// A folder whose "index.html" is itself a folder, and a FIFO (opening one for reading would wait for a writer).
mkdirSync(join(root, 'odd', 'index.html'), { recursive: true });
execFileSync('mkfifo', [join(root, 'pipe.txt')]);
writeFileSync(join(dir, 'secret.txt'), 'TOP SECRET');
mkdirSync(join(dir, 'outside'));
writeFileSync(join(dir, 'outside', 'file.txt'), 'OUTSIDE');
symlinkSync(join(dir, 'secret.txt'), join(root, 'link-out.txt'));
symlinkSync(join(dir, 'outside'), join(root, 'dir-out'));
symlinkSync('hello.txt', join(root, 'link-in.txt'));
// A sibling that is a link out of the root must not be served in place of the file.
writeFileSync(join(root, 'evil.txt'), 'evil plain');
symlinkSync(join(dir, 'secret.txt'), join(root, 'evil.txt.gz'));
for (const f of ['hello.txt', 'app.js', 'app.js.br', 'app.js.gz', 'big.bin']) utimesSync(join(root, f), MTIME, MTIME);

function appWith(options: Partial<StaticFilesOptions> = {}): ApplicationBuilder {
  const app = new ApplicationBuilder();
  // A map() branch does not rejoin the main pipeline: what static files pass on goes to its own run().
  app.map('/static', (b) => b.use(staticFiles({ root, ...options })).run((ctx) => ctx.response.send(`app ${ctx.request.pathBase}${ctx.request.path}`)));
  app.run((ctx) => ctx.response.send(`app ${ctx.request.path}`));
  return app;
}

async function withStatic(fn: (ts: TestServer) => Promise<void>, options: Partial<StaticFilesOptions> = {}): Promise<void> {
  const ts = await TestServer.start(appWith(options), { server: { logLevel: 'silent' } });
  try {
    await fn(ts);
  } finally {
    await ts.stop();
  }
}

const withTcp = (fn: (port: number) => Promise<void>, options: Partial<StaticFilesOptions> = {}): Promise<void> => withAppServer(appWith(options), fn);

async function raw(ts: TestServer, target: string): Promise<{ status: number; text: string }> {
  const text = await rawExchange(ts, `GET ${target} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n`);
  return { status: Number(text.slice(9, 12)), text };
}

test('GET a file: body, content type, length, ETag, Last-Modified, cache-control, accept-ranges', () =>
  withStatic(async (ts) => {
    const res = await ts.request('/static/hello.txt');
    assert.is(res.status, 200);
    assert.is(res.text(), HELLO);
    assert.is(res.headers['content-type'], 'text/plain; charset=utf-8');
    assert.is(res.headers['content-length'], String(HELLO.length));
    assert.match(res.headers.etag ?? '', /^"[0-9a-f]+-[0-9a-f]+"$/);
    assert.is(res.headers['last-modified'], MTIME.toUTCString());
    assert.is(res.headers['cache-control'], 'public, max-age=0');
    assert.is(res.headers['accept-ranges'], 'bytes');
    assert.is((await ts.request('/static/data.unknownext')).headers['content-type'], 'application/octet-stream');
    assert.is((await ts.request('/static/notes.md')).headers['content-type'], 'text/markdown');
  }, { contentTypes: { '.md': 'text/markdown' } }));

test('not a regular file: a FIFO (opened without waiting for a writer) and an index.html that is a folder are not found', () =>
  withStatic(async (ts) => {
    assert.is((await ts.request('/static/pipe.txt')).status, 404);
    assert.is((await ts.request('/static/odd/')).status, 404);
  }, { fallthrough: false }));

test('HEAD: the same head with content-length, and no body', () =>
  withStatic(async (ts) => {
    const get = await ts.request('/static/hello.txt');
    const head = await ts.request({ method: 'HEAD', path: '/static/hello.txt' });
    assert.is(head.status, 200);
    assert.is(head.body.length, 0);
    assert.is(head.headers['content-length'], String(HELLO.length));
    assert.is(head.headers.etag, get.headers.etag);
  }));

test('If-None-Match → 304 (weak comparison, lists, *); a stale tag → 200; If-None-Match wins over If-Modified-Since', () =>
  withStatic(async (ts) => {
    const { etag } = (await ts.request('/static/hello.txt')).headers;
    for (const value of [etag, `W/${etag}`, `"nope", ${etag}`, `bogus, ${etag}`, '*']) {
      const res = await ts.request({ path: '/static/hello.txt', headers: { 'if-none-match': value } });
      assert.is(res.status, 304, value);
      assert.is(res.body.length, 0);
      assert.is(res.headers.etag, etag);
      assert.is(res.headers['content-type'], undefined);
    }
    const stale = await ts.request({ path: '/static/hello.txt', headers: { 'if-none-match': '"stale"', 'if-modified-since': new Date().toUTCString() } });
    assert.is(stale.status, 200);
    assert.is((await ts.request({ path: '/static/hello.txt', headers: { 'if-none-match': `${etag.slice(0, -1)}` } })).status, 200);
    assert.is(stale.text(), HELLO);
  }));

test('If-Modified-Since → 304 when not modified since; 200 when modified after; an invalid date is ignored', () =>
  withStatic(async (ts) => {
    const at = (date: string) => ts.request({ path: '/static/hello.txt', headers: { 'if-modified-since': date } });
    assert.is((await at(MTIME.toUTCString())).status, 304);
    assert.is((await at(new Date(MTIME.getTime() + 60_000).toUTCString())).status, 304);
    assert.is((await at(new Date(MTIME.getTime() - 60_000).toUTCString())).status, 200);
    assert.is((await at('not a date')).status, 200);
  }));

test('If-Match and If-Unmodified-Since → 412 when they fail, 200 when they hold (strong comparison for If-Match)', () =>
  withStatic(async (ts) => {
    const { etag } = (await ts.request('/static/hello.txt')).headers;
    const with_ = (headers: Record<string, string>) => ts.request({ path: '/static/hello.txt', headers });
    assert.is((await with_({ 'if-match': '"other"' })).status, 412);
    assert.is((await with_({ 'if-match': `W/${etag}` })).status, 412);
    assert.is((await with_({ 'if-match': etag })).status, 200);
    assert.is((await with_({ 'if-match': '*' })).status, 200);
    assert.is((await with_({ 'if-unmodified-since': new Date(MTIME.getTime() - 1000).toUTCString() })).status, 412);
    assert.is((await with_({ 'if-unmodified-since': MTIME.toUTCString() })).status, 200);
  }));

test('Range: 206 with content-range for a-b, a- and -n; 416 with bytes */size when unsatisfiable; ignored when malformed or multiple', () =>
  withStatic(async (ts) => {
    const range = (value: string, extra: Record<string, string> = {}) => ts.request({ path: '/static/hello.txt', headers: { range: value, ...extra } });
    const size = HELLO.length;
    let res = await range('bytes=0-4');
    assert.is(res.status, 206);
    assert.is(res.text(), 'hello');
    assert.is(res.headers['content-range'], `bytes 0-4/${size}`);
    assert.is(res.headers['content-length'], '5');
    res = await range('bytes=7-');
    assert.is(res.text(), HELLO.slice(7));
    res = await range('bytes=-6');
    assert.is(res.text(), HELLO.slice(-6));
    assert.is(res.headers['content-range'], `bytes ${size - 6}-${size - 1}/${size}`);
    res = await range('bytes=5-99999');
    assert.is(res.text(), HELLO.slice(5));
    res = await range(`bytes=${size}-`);
    assert.is(res.status, 416);
    assert.is(res.headers['content-range'], `bytes */${size}`);
    assert.is((await range('bytes=-0')).status, 416);
    for (const ignored of ['bytes=5-2', 'bytes=a-b', 'items=0-1', 'bytes=0-1,3-4']) {
      res = await range(ignored);
      assert.is(res.status, 200, ignored);
      assert.is(res.text(), HELLO);
    }
    assert.is((await ts.request({ method: 'HEAD', path: '/static/hello.txt', headers: { range: 'bytes=0-1' } })).status, 200);
  }));

test('If-Range: the current ETag or Last-Modified date lets the range apply; a stale one (or a weak tag) gets the whole file', () =>
  withStatic(async (ts) => {
    const { etag } = (await ts.request('/static/hello.txt')).headers;
    const ifRange = (value: string) => ts.request({ path: '/static/hello.txt', headers: { range: 'bytes=0-4', 'if-range': value } });
    assert.is((await ifRange(etag)).status, 206);
    assert.is((await ifRange(MTIME.toUTCString())).status, 206);
    for (const stale of ['"old"', `W/${etag}`, new Date(MTIME.getTime() - 1000).toUTCString()]) {
      const res = await ifRange(stale);
      assert.is(res.status, 200, stale);
      assert.is(res.text(), HELLO);
    }
  }));

test('index files: /static/ and /static/sub/ serve index.html; /static/sub redirects 301 to the slash, query kept; index: false → not found', async () => {
  await withStatic(async (ts) => {
    assert.is((await ts.request('/static/')).text(), '<h1>root index</h1>');
    assert.is((await ts.request('/static/sub/')).text(), '<h1>sub index</h1>');
    assert.is((await ts.request('/static/sub/')).headers['content-type'], 'text/html; charset=utf-8');
    const res = await ts.request('/static/sub?x=1');
    assert.is(res.status, 301);
    assert.is(res.headers.location, '/static/sub/?x=1');
    assert.is((await ts.request('/static/empty-dir/')).text(), 'app /static/empty-dir/');
  });
  await withStatic(async (ts) => {
    assert.is((await ts.request('/static/sub/')).text(), 'app /static/sub/');
  }, { index: false });
});

test('precompressed siblings: br or gz by q-values, with content-encoding, vary and its own ETag; identity when not accepted', () =>
  withStatic(async (ts) => {
    const get = (ae?: string) => ts.request({ path: '/static/app.js', headers: ae === undefined ? {} : { 'accept-encoding': ae } });
    const plain = await get();
    assert.is(plain.text(), APP_JS);
    assert.is(plain.headers['content-encoding'], undefined);
    assert.is(plain.headers.vary, 'accept-encoding');
    const br = await get('gzip, br');
    assert.is(br.headers['content-encoding'], 'br');
    assert.is(br.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.ok(br.body.equals(brotliCompressSync(APP_JS)));
    assert.is.not(br.headers.etag, plain.headers.etag);
    const gz = await get('br;q=0.5, gzip');
    assert.is(gz.headers['content-encoding'], 'gzip');
    assert.ok(gz.body.equals(gzipSync(APP_JS)));
    assert.is((await get('identity')).headers['content-encoding'], undefined);
    assert.is((await get('br;q=0, gzip;q=0')).headers['content-encoding'], undefined);
    // Only a .gz exists: a client preferring br gets gzip.
    const css = await ts.request({ path: '/static/only-gz.css', headers: { 'accept-encoding': 'br, gzip;q=0.8' } });
    assert.is(css.headers['content-encoding'], 'gzip');
    // A 304 for the encoded variant's tag.
    assert.is((await ts.request({ path: '/static/app.js', headers: { 'accept-encoding': 'br', 'if-none-match': br.headers.etag } })).status, 304);
  }));

test('escape: encoded dot segments (%2e%2e, %2E%2E, .%2e) never reach a file outside the root', () =>
  withStatic(async (ts) => {
    for (const target of ['/static/%2e%2e/secret.txt', '/static/%2E%2E/%2e%2e/secret.txt', '/static/.%2e/secret.txt', '/static/sub/%2e%2e/%2e%2e/secret.txt', '/static/../secret.txt']) {
      const res = await raw(ts, target);
      assert.not.match(res.text, 'TOP SECRET', target);
      assert.ok(res.status === 404 || res.text.includes('app /'), `${target}: ${res.text.slice(0, 40)}`);
    }
  }));

test('escape: NUL (%00), backslashes (%5c) and escaped slashes (%2f) are not found', () =>
  withStatic(async (ts) => {
    for (const target of ['/static/hello.txt%00.png', '/static/..%5c..%5csecret.txt', '/static/%5c..%5csecret.txt', '/static/sub%2f..%2f..%2fsecret.txt', '/static/sub%2Findex.html']) {
      const res = await raw(ts, target);
      assert.not.match(res.text, 'TOP SECRET', target);
      assert.not.match(res.text, 'sub index', target);
      assert.is(res.status, 200, target);
      assert.match(res.text, 'app /static/', target);
    }
  }));

test('escape: a symbolic link (file or folder) out of the root is not found; a link inside the root is served', () =>
  withStatic(async (ts) => {
    for (const path of ['/static/link-out.txt', '/static/dir-out/file.txt']) {
      const res = await ts.request(path);
      assert.is(res.status, 404, path);
      assert.not.match(res.text(), 'SECRET');
      assert.not.match(res.text(), 'OUTSIDE');
    }
    assert.is((await ts.request('/static/link-in.txt')).text(), HELLO);
    // A precompressed sibling that links out of the root is not used.
    const evil = await ts.request({ path: '/static/evil.txt', headers: { 'accept-encoding': 'gzip' } });
    assert.is(evil.text(), 'evil plain');
    assert.is(evil.headers['content-encoding'], undefined);
  }, { fallthrough: false }));

test('escape: a path rewritten by an earlier middleware to hold .., NUL or a backslash is not found', async () => {
  const app = new ApplicationBuilder();
  app.use((ctx, next) => {
    const rewrite = ctx.request.headers.get('x-rewrite');
    if (rewrite !== undefined) ctx.request.path = decodeURIComponent(rewrite);
    return next();
  });
  app.use(staticFiles({ root, fallthrough: false }));
  const ts = await TestServer.start(app, { server: { logLevel: 'silent' } });
  try {
    for (const path of ['/../secret.txt', '/sub/../../secret.txt', '/hello.txt\0.png', '/..\\secret.txt', 'hello.txt']) {
      const res = await ts.request({ path: '/', headers: { 'x-rewrite': encodeURIComponent(path) } });
      assert.is(res.status, 404, JSON.stringify(path));
    }
    assert.is((await ts.request({ path: '/', headers: { 'x-rewrite': '/hello.txt' } })).text(), HELLO);
    // `//sub` names the folder sub; the redirect to its slash must not be `//sub/`, which a
    // browser reads as the host `sub`.
    const res = await raw(ts, '//sub');
    assert.is(res.status, 301);
    assert.match(res.text, '\r\nlocation: /sub/\r\n');
  } finally {
    await ts.stop();
  }
});

test('dotfiles: ignored by default (not found), 403 with deny, served with allow', async () => {
  await withStatic(async (ts) => {
    assert.is((await ts.request('/static/.env')).status, 404);
    assert.is((await ts.request('/static/.git/config')).status, 404);
  }, { fallthrough: false });
  await withStatic(async (ts) => assert.is((await ts.request('/static/.env')).status, 403), { dotfiles: 'deny' });
  await withStatic(async (ts) => assert.is((await ts.request('/static/.env')).text(), 'SECRET=1'), { dotfiles: 'allow' });
});

test('fallthrough: a missing file or another method reaches the app; off, 404 and 405 with Allow', async () => {
  await withStatic(async (ts) => {
    assert.is((await ts.request('/static/missing.txt')).text(), 'app /static/missing.txt');
    assert.is((await ts.request({ method: 'POST', path: '/static/hello.txt', body: 'x' })).text(), 'app /static/hello.txt');
  });
  await withStatic(async (ts) => {
    assert.is((await ts.request('/static/missing.txt')).status, 404);
    const post = await ts.request({ method: 'POST', path: '/static/hello.txt', body: 'x' });
    assert.is(post.status, 405);
    assert.is(post.headers.allow, 'GET, HEAD');
  }, { fallthrough: false });
});

test('an empty file: 200 with content-length 0; maxAgeSeconds sets cache-control', () =>
  withStatic(async (ts) => {
    const res = await ts.request('/static/empty.txt');
    assert.is(res.status, 200);
    assert.is(res.headers['content-length'], '0');
    assert.is(res.headers['cache-control'], 'public, max-age=3600');
  }, { maxAgeSeconds: 3600 }));

test('a 1 MiB file streams whole over HTTP/1.1 (in memory) and HTTP/2 (node:http2 over TCP), and as a range over HTTP/2', async () => {
  await withStatic(async (ts) => {
    const res = await ts.request('/static/big.bin');
    assert.ok(res.body.equals(BIG));
  }, { readChunkSize: 16 * 1024 });
  await withTcp(async (port) => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    try {
      const get = (headers: http2.OutgoingHttpHeaders): Promise<{ status: number; headers: http2.IncomingHttpHeaders; body: Buffer }> =>
        new Promise((resolve, reject) => {
          const req = session.request({ ':path': '/static/big.bin', ...headers });
          const chunks: Buffer[] = [];
          let head: http2.IncomingHttpHeaders = {};
          req.on('response', (h) => (head = h));
          req.on('data', (d: Buffer) => chunks.push(d));
          req.on('end', () => resolve({ status: Number(head[':status']), headers: head, body: Buffer.concat(chunks) }));
          req.on('error', reject);
        });
      const whole = await get({});
      assert.is(whole.status, 200);
      assert.ok(whole.body.equals(BIG));
      const part = await get({ range: 'bytes=1000-1999' });
      assert.is(part.status, 206);
      assert.is(part.headers['content-range'], `bytes 1000-1999/${BIG.length}`);
      assert.ok(part.body.equals(BIG.subarray(1000, 2000)));
      const etag = whole.headers.etag as string;
      assert.is((await get({ 'if-none-match': etag })).status, 304);
    } finally {
      session.close();
    }
  });
});

test('a client that stops reading for a while still gets the whole file, in order, once it reads (streamed with backpressure)', () =>
  withTcp(async (port) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.pause();
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write('GET /static/big.bin HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
    await new Promise((r) => setTimeout(r, 200));
    const chunks: Buffer[] = [];
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.resume();
    await new Promise<void>((resolve) => socket.on('end', () => resolve()));
    const all = Buffer.concat(chunks);
    const body = all.subarray(all.indexOf('\r\n\r\n') + 4);
    assert.ok(body.equals(BIG));
  }, { readChunkSize: 16 * 1024 }));

test('curl: a range and a conditional request over HTTP/1.1 and HTTP/2 (prior knowledge)', () =>
  withTcp(async (port) => {
    for (const proto of ['--http1.1', '--http2-prior-knowledge']) {
      const ranged = await curl(['-s', proto, '-r', '0-4', '-w', '%{http_code}', `http://127.0.0.1:${port}/static/hello.txt`]);
      assert.is(ranged.stdout.toString(), 'hello206', proto);
      const head = await curl(['-s', '-I', proto, `http://127.0.0.1:${port}/static/hello.txt`]);
      const etag = /etag: (\S+)/i.exec(head.stdout.toString())?.[1] ?? '';
      assert.ok(etag !== '', proto);
      const cond = await curl(['-s', proto, '-o', '/dev/null', '-w', '%{http_code}', '-H', `if-none-match: ${etag}`, `http://127.0.0.1:${port}/static/hello.txt`]);
      assert.is(cond.stdout.toString(), '304', proto);
      const br = await curl(['-s', proto, '--compressed', '-H', 'accept-encoding: br', `http://127.0.0.1:${port}/static/app.js`]);
      assert.is(br.stdout.toString(), APP_JS, proto);
    }
  }));

test('configuration errors: missing root, a file as root, unknown option, bad values', () => {
  const bad: unknown[] = [
    {},
    { root: join(dir, 'nope') },
    { root: join(root, 'hello.txt') },
    { root, colour: 'red' },
    { root, index: ['../x'] },
    { root, maxAgeSeconds: -1 },
    { root, dotfiles: 'show' },
    { root, readChunkSize: 0 },
    { root, contentTypes: { md: 'text/markdown' } },
    { root, etag: 'yes' },
  ];
  for (const options of bad) {
    try {
      staticFiles(options as StaticFilesOptions);
      assert.unreachable(JSON.stringify(options));
    } catch (err) {
      assert.instance(err, StaticFilesConfigError);
      assert.is((err as StaticFilesConfigError).code, 'ERR_TIERCEL_STATIC_CONFIG');
    }
  }
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
