import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { WebSocket } from 'ws';
import {
  ApplicationBuilder,
  PipelineConfigError,
  WebSocketAcceptError,
  WebSocketHandshakeError,
  type HttpContext,
  type WebSocketOptions,
} from '../../pipeline/index.js';
import { TiercelError } from '../../connection/index.js';
import { parseResponses } from '../support/clients.js';
import { removeScratch } from '../support/real-server.js';
import { TRANSPORTS, closed, nextMessage, opened, refusal, startWs, type WsHarness } from './web-socket-support.js';

/** An app whose `/ws` echoes, with `configure` applied to the builder first. */
function echoApp(options?: WebSocketOptions, accept: (ctx: HttpContext) => Promise<WebSocket> = (ctx) => ctx.webSockets.accept()): ApplicationBuilder {
  const app = new ApplicationBuilder();
  if (options !== undefined) app.useWebSockets(options);
  return app.run(async (ctx) => {
    if (ctx.request.path !== '/ws') {
      ctx.response.send(`plain ${String(ctx.webSockets.isWebSocketRequest)}`);
      return;
    }
    const ws = await accept(ctx);
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  });
}

async function withServer(app: ApplicationBuilder, fn: (h: WsHarness) => Promise<void>, http?: Parameters<typeof startWs>[1]): Promise<void> {
  const h = await startWs(app, http);
  try {
    await fn(h);
  } finally {
    await h.stop();
  }
}

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
function handshake(extra: string, requestLine = 'GET /ws HTTP/1.1'): string {
  return `${requestLine}\r\nhost: tiercel.test\r\n${extra}\r\n`;
}
const GOOD = `upgrade: websocket\r\nconnection: upgrade\r\nsec-websocket-key: ${KEY}\r\nsec-websocket-version: 13\r\n`;

// ---- echo over every transport -------------------------------------------------------------

for (const transport of TRANSPORTS) {
  test(`echoes text and binary over ${transport}`, async () => {
    await withServer(echoApp(), async (h) => {
      const ws = await opened(h.client(transport, '/ws'));
      // Over memory the echo can come back inside send(): listen first.
      const textReply = nextMessage(ws);
      ws.send('héllo');
      const text = await textReply;
      assert.is(text.isBinary, false);
      assert.is(text.data.toString(), 'héllo');
      const bytes = Buffer.from([0, 1, 2, 255, 254]);
      const binReply = nextMessage(ws);
      ws.send(bytes);
      const bin = await binReply;
      assert.is(bin.isBinary, true);
      assert.equal([...bin.data], [...bytes]);
      ws.close(1000, 'bye');
      const c = await closed(ws);
      assert.is(c.code, 1000);
    });
  });
}

test('a message split over many frames and a 64 KiB message come back whole (memory)', async () => {
  await withServer(echoApp(), async (h) => {
    const ws = await opened(h.client('memory', '/ws'));
    const big = Buffer.alloc(64 * 1024, 7);
    const bigReply = nextMessage(ws);
    ws.send(big);
    assert.equal((await bigReply).data.equals(big), true);
    const joined = nextMessage(ws);
    ws.send('ab', { fin: false });
    ws.send('cd', { fin: false });
    ws.send('ef', { fin: true });
    assert.is((await joined).data.toString(), 'abcdef');
    ws.close();
    await closed(ws);
  });
});

test('middleware before the WebSocket route runs, and sees isWebSocketRequest', async () => {
  const trace: string[] = [];
  const app = new ApplicationBuilder()
    .use(async (ctx, next) => {
      trace.push(`before ${ctx.request.path} ${String(ctx.webSockets.isWebSocketRequest)}`);
      await next();
      trace.push('after');
    })
    .map('/live', (live) =>
      live.run(async (ctx) => {
        const ws = await ctx.webSockets.accept();
        ws.send(`hi ${ctx.request.pathBase}`);
      }),
    );
  await withServer(app, async (h) => {
    const ws = h.client('tcp', '/live');
    const first = nextMessage(ws);
    await opened(ws);
    assert.is((await first).data.toString(), 'hi /live');
    assert.equal(trace, ['before /live true', 'after']);
    ws.close();
    await closed(ws);
  });
});

test('isWebSocketRequest is false for a plain request, which accept() answers 426', async () => {
  await withServer(echoApp(), async (h) => {
    const plain = await h.raw('GET /other HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
    assert.ok(plain.endsWith('plain false'), plain);
    const res = parseResponses(await h.raw('GET /ws HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n'))[0];
    assert.is(res.status, 426);
    assert.is(res.headers['upgrade'], 'websocket');
  });
});

// ---- handshake refusals ----------------------------------------------------------------------

const BAD_HANDSHAKES: readonly { name: string; request: string; status: number; code: string; header?: [string, string] }[] = [
  { name: 'no key', request: handshake('upgrade: websocket\r\nconnection: upgrade\r\nsec-websocket-version: 13\r\n'), status: 400, code: 'ERR_TIERCEL_WS_BAD_KEY' },
  { name: 'a short key', request: handshake(GOOD.replace(KEY, 'abc==')), status: 400, code: 'ERR_TIERCEL_WS_BAD_KEY' },
  { name: 'version 8', request: handshake(GOOD.replace('version: 13', 'version: 8')), status: 426, code: 'ERR_TIERCEL_WS_BAD_VERSION', header: ['sec-websocket-version', '13'] },
  { name: 'no version', request: handshake(GOOD.replace('sec-websocket-version: 13\r\n', '')), status: 426, code: 'ERR_TIERCEL_WS_BAD_VERSION', header: ['sec-websocket-version', '13'] },
  { name: 'POST', request: handshake(GOOD + 'content-length: 0\r\n', 'POST /ws HTTP/1.1'), status: 400, code: 'ERR_TIERCEL_WS_BAD_METHOD' },
  { name: 'a bad subprotocol list', request: handshake(GOOD + 'sec-websocket-protocol: a, a\r\n'), status: 400, code: 'ERR_TIERCEL_WS_BAD_SUBPROTOCOL_HEADER' },
  { name: 'a cross-site origin', request: handshake(GOOD + 'origin: https://evil.example\r\n'), status: 403, code: 'ERR_TIERCEL_WS_ORIGIN_REFUSED' },
];

test('a bad handshake gets a normal 400/403/426 response, and the connection closes after it', async () => {
  const codes: string[] = [];
  const app = new ApplicationBuilder().run(async (ctx) => {
    try {
      await ctx.webSockets.accept();
    } catch (err) {
      codes.push((err as TiercelError).code);
      throw err;
    }
  });
  await withServer(app, async (h) => {
    for (const c of BAD_HANDSHAKES) {
      const all = await h.raw(c.request);
      const [res, ...rest] = parseResponses(all);
      assert.is(res.status, c.status, c.name);
      assert.is(rest.length, 0, c.name);
      assert.is(codes.at(-1), c.code, c.name);
      if (c.header !== undefined) assert.is(res.headers[c.header[0]], c.header[1], c.name);
      assert.not.ok(all.includes('101'), c.name);
    }
  });
});

test('the 101 names websocket alone, with the accept of the key, whatever else Upgrade listed (RFC 6455 §4.2.2)', async () => {
  const app = new ApplicationBuilder().run(async (ctx) => (await ctx.webSockets.accept()).terminate());
  await withServer(app, async (h) => {
    const all = await h.raw(handshake(GOOD.replace('upgrade: websocket', 'upgrade: h2c, WebSocket')));
    const head = all.slice(0, all.indexOf('\r\n\r\n')).split('\r\n');
    assert.is(head[0], 'HTTP/1.1 101 Switching Protocols');
    assert.ok(head.includes('upgrade: websocket'), head.join(' | '));
    assert.ok(head.includes('connection: upgrade'), head.join(' | '));
    // RFC 6455 §1.3's own example: this key's accept value.
    assert.ok(head.includes('sec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo='), head.join(' | '));
  });
});

test('a handshake error is a WebSocketHandshakeError the app can catch and answer itself', async () => {
  const app = new ApplicationBuilder().run(async (ctx) => {
    try {
      await ctx.webSockets.accept();
    } catch (err) {
      assert.instance(err, WebSocketHandshakeError);
      ctx.response.status = 418;
      ctx.response.send(`no: ${(err as WebSocketHandshakeError).reason}`);
    }
  });
  await withServer(app, async (h) => {
    const res = parseResponses(await h.raw(handshake(GOOD.replace('version: 13', 'version: 7'))))[0];
    assert.is(res.status, 418);
    assert.is(res.body, 'no: version');
  });
});

test('accept() twice is an app error', async () => {
  let second: unknown;
  const app = new ApplicationBuilder().run(async (ctx) => {
    const ws = await ctx.webSockets.accept();
    second = await ctx.webSockets.accept().catch((e: unknown) => e);
    ws.close();
  });
  await withServer(app, async (h) => {
    const ws = await opened(h.client('memory', '/'));
    await closed(ws);
    assert.instance(second, WebSocketAcceptError);
    assert.is((second as WebSocketAcceptError).code, 'ERR_TIERCEL_WS_ACCEPT');
  });
});

// ---- subprotocols -----------------------------------------------------------------------------

test('accept({ protocol }) picks an offered subprotocol; none is chosen unless the app asks', async () => {
  const app = new ApplicationBuilder().run(async (ctx) => {
    const wanted = ctx.request.query.get('p') ?? undefined;
    const ws = await ctx.webSockets.accept({ protocol: wanted });
    ws.send(`${ctx.webSockets.requestedProtocols.join('|')} -> ${ws.protocol}`);
  });
  await withServer(app, async (h) => {
    const ws = h.client('tcp', '/?p=chat.v2', ['chat.v1', 'chat.v2']);
    const msg = nextMessage(ws);
    await opened(ws);
    assert.is(ws.protocol, 'chat.v2');
    assert.is((await msg).data.toString(), 'chat.v1|chat.v2 -> chat.v2');
    ws.close();
    await closed(ws);

    const plain = h.client('tcp', '/');
    const msg2 = nextMessage(plain);
    await opened(plain);
    assert.is(plain.protocol, '');
    assert.is((await msg2).data.toString(), ' -> ');
    plain.close();
    await closed(plain);
  });
});

test('accept({ protocol }) with a subprotocol the client did not offer answers 400 with a clear message', async () => {
  const app = new ApplicationBuilder().run((ctx) => ctx.webSockets.accept({ protocol: 'graphql-ws' }).then(() => undefined));
  await withServer(app, async (h) => {
    const r = await refusal(h.client('tcp', '/', ['mqtt']));
    assert.is(r.status, 400);
    assert.match(r.body, /offered 'mqtt', not 'graphql-ws'/);
  });
});

// ---- limits -------------------------------------------------------------------------------------

test('a message over maxPayload closes the socket with 1009', async () => {
  await withServer(echoApp({ maxPayload: 1024 }), async (h) => {
    const ws = await opened(h.client('tcp', '/ws'));
    const reply = nextMessage(ws);
    ws.send(Buffer.alloc(1024, 1));
    assert.is((await reply).data.length, 1024);
    const c = closed(ws);
    ws.send(Buffer.alloc(1025, 1));
    assert.is((await c).code, 1009);
  });
});

test('the default maxPayload is 1 MiB', async () => {
  await withServer(echoApp(), async (h) => {
    const ws = await opened(h.client('memory', '/ws'));
    const reply = nextMessage(ws);
    ws.send(Buffer.alloc(1024 * 1024));
    assert.is((await reply).data.length, 1024 * 1024);
    const c = closed(ws);
    ws.send(Buffer.alloc(1024 * 1024 + 1));
    assert.is((await c).code, 1009);
  });
});

test('over maxConcurrentUpgradedConnections the client gets a normal 503, and a freed slot is reused', async () => {
  await withServer(
    echoApp(),
    async (h) => {
      const first = await opened(h.client('tcp', '/ws'));
      const r = await refusal(h.client('tcp', '/ws'));
      assert.is(r.status, 503);
      first.close();
      await closed(first);
      // The slot is released when the transport closes, a moment after the close handshake.
      for (let i = 0; ; i++) {
        const next = h.client('tcp', '/ws');
        const ok = await opened(next).then(
          () => true,
          () => false,
        );
        if (ok) {
          next.close();
          await closed(next);
          break;
        }
        if (i > 50) assert.unreachable('the upgrade slot was never released');
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    { limits: { maxConcurrentUpgradedConnections: 1 } },
  );
});

// ---- origins ------------------------------------------------------------------------------------

test('default origin policy: no Origin and same-origin are allowed, another origin gets 403', async () => {
  await withServer(echoApp(), async (h) => {
    const none = await opened(h.client('tcp', '/ws'));
    none.close();
    const same = await opened(h.client('tcp', '/ws', undefined, { origin: `http://127.0.0.1:${h.port}` }));
    same.close();
    const otherPort = await refusal(h.client('tcp', '/ws', undefined, { origin: `http://127.0.0.1:${h.port + 1}` }));
    assert.is(otherPort.status, 403);
    const evil = await refusal(h.client('tcp', '/ws', undefined, { origin: 'https://evil.example' }));
    assert.is(evil.status, 403);
    const nul = await refusal(h.client('tcp', '/ws', undefined, { origin: 'null' }));
    assert.is(nul.status, 403);
  });
});

test('same-origin compares default ports by scheme (Host without :80 equals http://x:80)', async () => {
  await withServer(echoApp(), async (h) => {
    // Over memory the client's Host header is 'tiercel.test'.
    const ok = await opened(h.client('memory', '/ws', undefined, { origin: 'http://tiercel.test:80' }));
    ok.close();
    // The Host header has no scheme: only host and port can differ.
    const https = await opened(h.client('memory', '/ws', undefined, { origin: 'https://tiercel.test' }));
    https.close();
    const no = await refusal(h.client('memory', '/ws', undefined, { origin: 'http://tiercel.test:8080' }));
    assert.is(no.status, 403);
  });
});

test('allowedOrigins: the list replaces same-origin; ["*"] allows any origin', async () => {
  await withServer(echoApp({ allowedOrigins: ['https://App.Example.com:443'] }), async (h) => {
    const listed = await opened(h.client('tcp', '/ws', undefined, { origin: 'https://app.example.com' }));
    listed.close();
    const same = await refusal(h.client('tcp', '/ws', undefined, { origin: `http://127.0.0.1:${h.port}` }));
    assert.is(same.status, 403);
    const none = await opened(h.client('tcp', '/ws'));
    none.close();
  });
  await withServer(echoApp({ allowedOrigins: ['*'] }), async (h) => {
    const any = await opened(h.client('tcp', '/ws', undefined, { origin: 'https://anything.example' }));
    any.close();
  });
});

// ---- configuration ------------------------------------------------------------------------------

test('useWebSockets refuses bad options at configuration time', () => {
  const bad: [unknown, RegExp][] = [
    [{ maxPayload: 0 }, /maxPayload/],
    [{ maxPayload: 1.5 }, /maxPayload/],
    [{ keepAliveIntervalMs: -1 }, /keepAliveIntervalMs/],
    [{ allowedOrigins: [] }, /allowedOrigins/],
    [{ allowedOrigins: ['*', 'https://a.example'] }, /cannot be combined/],
    [{ allowedOrigins: ['https://a.example/path'] }, /is not an origin/],
    [{ allowedOrigins: ['a.example'] }, /is not an origin/],
    [{ perMessageDeflate: 'yes' }, /perMessageDeflate/],
    [{ perMessageDeflate: { serverMaxWindowBits: 16 } }, /serverMaxWindowBits/],
    [{ perMessageDeflate: { windowBits: 9 } }, /perMessageDeflate.windowBits.*not a known option/],
    [{ maxMessageSize: 1 }, /webSockets.maxMessageSize.*not a known option/],
  ];
  for (const [options, message] of bad) {
    try {
      new ApplicationBuilder().useWebSockets(options as WebSocketOptions);
      assert.unreachable(`accepted ${JSON.stringify(options)}`);
    } catch (err) {
      assert.is((err as TiercelError).code, 'ERR_TIERCEL_INVALID_OPTION', JSON.stringify(options));
      assert.match((err as Error).message, message);
    }
  }
  assert.throws(() => new ApplicationBuilder().useWebSockets().useWebSockets(), (e: unknown) => e instanceof PipelineConfigError);
  assert.throws(
    () => new ApplicationBuilder().map('/a', (b) => b.useWebSockets()),
    (e: unknown) => e instanceof PipelineConfigError && /root builder/.test((e as Error).message),
  );
});

test('perMessageDeflate: on when configured, with no context takeover both ways', async () => {
  await withServer(echoApp({ perMessageDeflate: true }), async (h) => {
    const ws = h.client('tcp', '/ws', undefined, { perMessageDeflate: true });
    let extensions = '';
    ws.once('upgrade', (res) => (extensions = String(res.headers['sec-websocket-extensions'])));
    await opened(ws);
    assert.match(extensions, /permessage-deflate/);
    assert.match(extensions, /server_no_context_takeover/);
    assert.match(extensions, /client_no_context_takeover/);
    assert.match(extensions, /server_max_window_bits=13/);
    const text = 'compress me '.repeat(1000);
    const reply = nextMessage(ws);
    ws.send(text);
    assert.is((await reply).data.toString(), text);
    ws.close();
    await closed(ws);
  });
  // Off by default: the offer is ignored.
  await withServer(echoApp(), async (h) => {
    const ws = h.client('tcp', '/ws', undefined, { perMessageDeflate: true });
    let extensions: unknown = 'unset';
    ws.once('upgrade', (res) => (extensions = res.headers['sec-websocket-extensions']));
    await opened(ws);
    assert.is(extensions, undefined);
    ws.close();
    await closed(ws);
  });
});

test.after(() => removeScratch());

test.run();
