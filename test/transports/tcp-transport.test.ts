import 'reflect-metadata';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { container } from 'tsyringe';
import type { ConnectionContext, ConnectionListener, TcpEndpoint } from '../../connection/index.js';
import { TCP_TRANSPORT_OPTIONS, TcpTransport, type TcpTransportOptions } from '../../transports/index.js';
import { transportConformance } from './transport-conformance.js';
import { rejectionCode } from './error-codes.js';
import { connectTcp } from './socket-client.js';

// 1,000 connects land in one tick, before the first accept: the default 511 would drop SYNs.
const roomyBacklog: TcpTransportOptions = { backlog: 2_048 };

transportConformance('tcp', () => ({
  transport: new TcpTransport(),
  endpoint: { kind: 'tcp', host: '127.0.0.1', port: 0 },
  bindOptions: roomyBacklog,
  connect: (bound) => connectTcp(bound),
  fdsPerConnection: 2,
  socketBacked: true,
}));

const test = suite('tcp transport');
const transport = new TcpTransport();
const listeners: ConnectionListener[] = [];
const sockets: Socket[] = [];

async function bind(host: string, port = 0, options?: TcpTransportOptions): Promise<ConnectionListener> {
  const listener = await transport.bind({ kind: 'tcp', host, port }, options);
  listeners.push(listener);
  return listener;
}

async function connectAccept(listener: ConnectionListener, host: string): Promise<ConnectionContext> {
  sockets.push(await connectTcp(listener.endpoint, host));
  const ctx = await listener.accept();
  assert.ok(ctx);
  return ctx;
}

function rawServer(host: string, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host, port }, () => resolve(server));
  });
}

async function isFree(host: string, port: number): Promise<boolean> {
  try {
    const probe = await rawServer(host, port);
    await new Promise((resolve) => probe.close(resolve));
    return true;
  } catch {
    return false;
  }
}

test.after.each(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  for (const listener of listeners.splice(0)) await listener.dispose();
});

test('port 0 resolves to the port the OS chose', async () => {
  const listener = await bind('127.0.0.1', 0);
  const { port, host } = listener.endpoint as TcpEndpoint;
  assert.ok(port > 0 && port < 65536, `port ${port}`);
  assert.is(host, '127.0.0.1');
  const ctx = await connectAccept(listener, '127.0.0.1');
  assert.equal(ctx.localEndpoint, { kind: 'tcp', host: '127.0.0.1', port });
  assert.is((ctx.remoteEndpoint as TcpEndpoint).host, '127.0.0.1');
  assert.ok((ctx.remoteEndpoint as TcpEndpoint).port > 0);
});

test('a port already bound is AddressInUseError, with the platform error as cause', async () => {
  const first = await bind('127.0.0.1', 0);
  const port = (first.endpoint as TcpEndpoint).port;
  try {
    await transport.bind({ kind: 'tcp', host: '127.0.0.1', port });
    assert.unreachable('bound a port twice');
  } catch (err) {
    assert.is((err as { code?: string }).code, 'ERR_TIERCEL_ADDRESS_IN_USE');
    assert.is(((err as Error).cause as { code?: string }).code, 'EADDRINUSE');
  }
});

test('an address this machine does not have is BindError', async () => {
  // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): never assigned to a host.
  assert.is(await rejectionCode(transport.bind({ kind: 'tcp', host: '192.0.2.1', port: 0 })), 'ERR_TIERCEL_BIND_FAILED');
});

test("'localhost' binds 127.0.0.1 and ::1 on one port", async () => {
  const listener = await bind('localhost', 0);
  const { host, port } = listener.endpoint as TcpEndpoint;
  assert.is(host, 'localhost');
  const v4 = await connectAccept(listener, '127.0.0.1');
  const v6 = await connectAccept(listener, '::1');
  assert.equal(v4.localEndpoint, { kind: 'tcp', host: '127.0.0.1', port });
  assert.equal(v6.localEndpoint, { kind: 'tcp', host: '::1', port });
});

test("'localhost' on a port taken on ::1 is AddressInUseError and leaves 127.0.0.1 free", async () => {
  // A port the kernel gave on ::1 may be in use on 127.0.0.1 by some other process's socket (an
  // outgoing connection's local port, on a busy machine): take one that is free on both first.
  let squatter = await rawServer('::1', 0);
  let port = (squatter.address() as { port: number }).port;
  for (let tries = 0; !(await isFree('127.0.0.1', port)); tries++) {
    squatter.close();
    assert.ok(tries < 20, 'found no port free on both ::1 and 127.0.0.1');
    squatter = await rawServer('::1', 0);
    port = (squatter.address() as { port: number }).port;
  }
  try {
    assert.is(await rejectionCode(transport.bind({ kind: 'tcp', host: 'localhost', port })), 'ERR_TIERCEL_ADDRESS_IN_USE');
    const v4 = await rawServer('127.0.0.1', port);
    v4.close();
  } finally {
    squatter.close();
  }
});

test("'*' binds every address, dual-stack, and reports IPv4 peers as IPv4", async () => {
  const listener = await bind('*', 0);
  assert.is((listener.endpoint as TcpEndpoint).host, '*');
  const v4 = await connectAccept(listener, '127.0.0.1');
  const v6 = await connectAccept(listener, '::1');
  assert.is((v4.remoteEndpoint as TcpEndpoint).host, '127.0.0.1');
  assert.is((v4.localEndpoint as TcpEndpoint).host, '127.0.0.1');
  assert.is((v6.remoteEndpoint as TcpEndpoint).host, '::1');
});

test('the connections of an address share its local endpoint; a wildcard bind reports each connection its own', async () => {
  const one = await bind('127.0.0.1', 0);
  const first = await connectAccept(one, '127.0.0.1');
  const second = await connectAccept(one, '127.0.0.1');
  assert.equal(first.localEndpoint, { kind: 'tcp', host: '127.0.0.1', port: (one.endpoint as TcpEndpoint).port });
  assert.is(second.localEndpoint, first.localEndpoint);
  assert.is.not(second.remoteEndpoint, first.remoteEndpoint);

  const any = await bind('*', 0);
  const { port } = any.endpoint as TcpEndpoint;
  const hosts = [];
  for (const host of ['127.0.0.1', '::1', '::1', '127.0.0.1']) {
    const ctx = await connectAccept(any, host);
    assert.is((ctx.localEndpoint as TcpEndpoint).port, port);
    hosts.push((ctx.localEndpoint as TcpEndpoint).host);
  }
  assert.equal(hosts, ['127.0.0.1', '::1', '::1', '127.0.0.1']);
});

test('a peer that resets before anyone asks its address: that connection ends by itself, with an empty address; the next has its own', async () => {
  const listener = await bind('127.0.0.1');
  const { port } = listener.endpoint as TcpEndpoint;
  // spawnSync holds this event loop while a child connects and resets (SO_LINGER 0): the connection
  // is reset in the kernel's accept queue before node accepts it, as a fast health check's can be.
  const client = `const s=require('net').connect(${port},'127.0.0.1',()=>{s.resetAndDestroy();setTimeout(()=>process.exit(0),50)})`;
  assert.is(spawnSync(process.execPath, ['-e', client], { stdio: 'ignore', timeout: 10_000 }).status, 0);
  sockets.push(await connectTcp(listener.endpoint, '127.0.0.1'));
  // The peer's address is read when first asked (not at accept): the reset connection is handed on
  // unless the queue saw it die first, and can no longer tell its peer.
  let ctx = await listener.accept();
  assert.ok(ctx);
  if ((ctx.remoteEndpoint as TcpEndpoint).host === '') {
    assert.equal(ctx.remoteEndpoint, { kind: 'tcp', host: '', port: 0 });
    const reset = ctx;
    await new Promise<void>((resolve) => reset.onClosed(() => resolve()));
    assert.is(reset.closeKind, 'abort', 'the reset is read as the transport failing');
    ctx = await listener.accept();
    assert.ok(ctx);
  }
  assert.is((ctx.remoteEndpoint as TcpEndpoint).host, '127.0.0.1', 'the next connection has its address');
});

test("the peer's endpoint is read at the first ask and kept, also once the socket is gone", async () => {
  const listener = await bind('127.0.0.1');
  const ctx = await connectAccept(listener, '127.0.0.1');
  const remote = ctx.remoteEndpoint as TcpEndpoint;
  assert.is(remote.host, '127.0.0.1');
  assert.is(remote.port, sockets[sockets.length - 1].localPort);
  assert.is(ctx.remoteEndpoint, remote, 'read once');
  ctx.abort();
  await new Promise<void>((resolve) => ctx.onClosed(() => resolve()));
  assert.is(ctx.remoteEndpoint, remote, 'still known once the socket is gone');
});

test('the buffer options become the sockets\' high-water mark (the smaller of the two)', async () => {
  const defaults = await connectAccept(await bind('127.0.0.1'), '127.0.0.1');
  assert.is(defaults.transport.writableHighWaterMark, 64 * 1024);
  assert.is(defaults.transport.readableHighWaterMark, 64 * 1024);
  const custom = await connectAccept(await bind('127.0.0.1', 0, { maxReadBufferSize: 32 * 1024, maxWriteBufferSize: 128 * 1024 }), '127.0.0.1');
  assert.is(custom.transport.readableHighWaterMark, 32 * 1024);
  assert.is(custom.transport.writableHighWaterMark, 32 * 1024);
});

test('bad options are refused at construction and at bind, naming the option', () => {
  const refused = (make: () => unknown) => {
    try {
      make();
      assert.unreachable('accepted a bad option');
    } catch (err) {
      assert.is((err as { code?: string }).code, 'ERR_TIERCEL_INVALID_OPTION');
      return (err as { option?: string }).option;
    }
  };
  assert.is(refused(() => new TcpTransport({ backlog: -1 })), 'backlog');
  assert.is(refused(() => new TcpTransport({ noDelay: 'yes' as unknown as boolean })), 'noDelay');
  assert.is(refused(() => new TcpTransport({ maxReadBufferSize: 0 })), 'maxReadBufferSize');
  assert.is(refused(() => new TcpTransport({ maxWriteBuferSize: 1 } as TcpTransportOptions)), 'maxWriteBuferSize');
});

test('claims tcp endpoints only', async () => {
  assert.ok(transport.canBind({ kind: 'tcp', host: '::1', port: 0 }));
  assert.not.ok(transport.canBind({ kind: 'pipe', path: '/tmp/x.sock' }));
  assert.is(await rejectionCode(transport.bind({ kind: 'memory', name: 'x' })), 'ERR_TIERCEL_INVALID_ENDPOINT');
});

test('resolves from a DI container, with or without registered options', async () => {
  const plain = container.createChildContainer().resolve(TcpTransport);
  assert.is(plain.name, 'tcp');
  const configured = container.createChildContainer();
  configured.register(TCP_TRANSPORT_OPTIONS, { useValue: { maxWriteBufferSize: 8 * 1024 } });
  const listener = await configured.resolve(TcpTransport).bind({ kind: 'tcp', host: '127.0.0.1', port: 0 });
  listeners.push(listener);
  const ctx = await connectAccept(listener, '127.0.0.1');
  assert.is(ctx.transport.writableHighWaterMark, 8 * 1024);
});

test.run();
