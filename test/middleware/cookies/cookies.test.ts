// Cookies through the public API over HTTP/1.1 and HTTP/2, and a real client's cookie jar (curl).
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CookieInvalidError, cookies, CookiesConfigError, requestCookies, Router, type CookiesOptions } from '../../../middleware/index.js';
import { ApplicationBuilder } from '../../../pipeline/index.js';
import { curl } from '../../support/clients.js';
import { overBoth, withH2 } from '../support.js';

const SECRET = 'k'.repeat(32);
const OLD_SECRET = 'o'.repeat(32);

function app(options: CookiesOptions = { secrets: [SECRET] }): ApplicationBuilder {
  const router = new Router()
    .get('/read', (ctx) => ctx.response.json(requestCookies(ctx).all()))
    .get('/one/:name', (ctx) => ctx.response.json({ value: requestCookies(ctx).get(ctx.route!.params.name) ?? null }))
    .get('/signed/:name', (ctx) => ctx.response.json({ value: requestCookies(ctx).getSigned(ctx.route!.params.name) ?? null }))
    .get('/set', (ctx) => {
      const jar = requestCookies(ctx);
      jar.set('plain', 'a b;c');
      jar.set('session', 'user-7', { signed: true, maxAge: 60 });
      jar.set('pref', 'dark', { httpOnly: false, sameSite: 'strict', path: '/app', secure: true });
      ctx.response.send('set');
    })
    .get('/delete', (ctx) => {
      requestCookies(ctx).delete('plain');
      ctx.response.send('deleted');
    })
    .get('/bad', (ctx) => {
      try {
        requestCookies(ctx).set('bad name', 'x');
      } catch (err) {
        ctx.response.send((err as CookieInvalidError).code);
      }
    });
  return new ApplicationBuilder().use(cookies(options)).use(router.middleware());
}

test('reads the Cookie header, decoded; several cookie fields (HTTP/2 splits them) are joined', () =>
  overBoth(app, async (c) => {
    const res = await c.request('/read', { headers: { cookie: 'a=1; b=hello%20world; broken; c="q"' } });
    assert.equal(res.json(), { a: '1', b: 'hello world', c: '"q"' });
    assert.equal((await c.request('/read', { headers: { cookie: ['a=1', 'b=2'] } })).json(), { a: '1', b: '2' });
    assert.equal((await c.request('/read')).json(), {});
    assert.equal((await c.request('/one/b', { headers: { cookie: 'a=1; b=two' } })).json(), { value: 'two' });
    assert.equal((await c.request('/one/z', { headers: { cookie: 'a=1' } })).json(), { value: null });
  }));

test('sets cookies with safe defaults (Path=/, HttpOnly, SameSite=Lax), values encoded, attributes overridable', () =>
  overBoth(app, async (c) => {
    const res = await c.request('/set');
    const [plain, session, pref] = res.cookies;
    assert.is(res.cookies.length, 3);
    assert.is(plain, 'plain=a%20b%3Bc; Path=/; HttpOnly; SameSite=Lax');
    assert.match(session, /^session=user-7\.[A-Za-z0-9_-]{43}; Max-Age=60; Path=\/; HttpOnly; SameSite=Lax$/);
    assert.is(pref, 'pref=dark; Path=/app; Secure; SameSite=Strict');
  }));

test('signed cookies: the signed value verifies; a tampered value, a moved signature or no signature does not', () =>
  overBoth(app, async (c) => {
    const session = (await c.request('/set')).cookies[1].split(';')[0];
    const signature = session.slice(session.indexOf('.') + 1);
    const signed = async (cookie: string, name = 'session'): Promise<unknown> =>
      (await c.request(`/signed/${name}`, { headers: { cookie } })).json<{ value: unknown }>().value;
    assert.is(await signed(session), 'user-7');
    assert.is(await signed(`session=user-8.${signature}`), null);
    assert.is(await signed(`other=user-7.${signature}`, 'other'), null);
    assert.is(await signed('session=user-7'), null);
    assert.is(await signed(`session=user-7.${signature.slice(1)}`), null);
    assert.is(await signed(`session=user-7x${signature}`), null);
  }));

test('a key can be rotated: a cookie signed with an older secret still verifies', async () => {
  let old = '';
  await overBoth(
    () => app({ secrets: [OLD_SECRET] }),
    async (c) => {
      old = (await c.request('/set')).cookies[1].split(';')[0];
    },
  );
  await overBoth(
    () => app({ secrets: [SECRET, OLD_SECRET] }),
    async (c) => {
      assert.is((await c.request('/signed/session', { headers: { cookie: old } })).json<{ value: unknown }>().value, 'user-7');
    },
  );
  await overBoth(
    () => app({ secrets: [SECRET] }),
    async (c) => {
      assert.is((await c.request('/signed/session', { headers: { cookie: old } })).json<{ value: unknown }>().value, null);
    },
  );
});

test('delete expires the cookie; a bad name is a coded error; signing without secrets too', () =>
  overBoth(
    () => app({}),
    async (c) => {
      assert.equal((await c.request('/delete')).cookies, ['plain=; Max-Age=0; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax']);
      assert.is((await c.request('/bad')).text(), 'ERR_TIERCEL_COOKIE_INVALID');
      assert.is((await c.request('/set')).status, 500);
    },
  ));

test('requestCookies without the middleware is a coded error; bad options are refused at once', () => {
  const codeOf = (fn: () => unknown): unknown => {
    try {
      fn();
    } catch (err) {
      return (err as CookiesConfigError).code;
    }
    return undefined;
  };
  assert.is(codeOf(() => cookies({ secrets: ['short'] })), 'ERR_TIERCEL_COOKIES_CONFIG');
  assert.is(codeOf(() => cookies({ secrets: 'x'.repeat(40) as never })), 'ERR_TIERCEL_COOKIES_CONFIG');
  assert.is(codeOf(() => cookies({ secret: SECRET } as never)), 'ERR_TIERCEL_COOKIES_CONFIG');
  return overBoth(
    () => new ApplicationBuilder().run((ctx) => void requestCookies(ctx)),
    async (c) => assert.is((await c.request('/')).status, 500),
  );
});

test('curl keeps the cookies in its jar and sends them back (signed one verified)', () =>
  withH2(app(), async (_c, port) => {
    const dir = mkdtempSync(join(tmpdir(), 'tiercel-cookies-'));
    try {
      const jar = join(dir, 'jar.txt');
      const set = await curl(['-s', '-c', jar, `http://127.0.0.1:${port}/set`]);
      assert.is(set.code, 0);
      assert.match(readFileSync(jar, 'utf8'), /#HttpOnly_127\.0\.0\.1\tFALSE\t\/\tFALSE\t\d+\tsession\tuser-7\./);
      const back = await curl(['-s', '-b', jar, `http://127.0.0.1:${port}/signed/session`]);
      assert.is(back.stdout.toString(), '{"value":"user-7"}');
      const read = await curl(['-s', '-b', jar, `http://127.0.0.1:${port}/read`]);
      assert.equal(Object.keys(JSON.parse(read.stdout.toString()) as object).sort(), ['plain', 'session']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }));

test.run();
