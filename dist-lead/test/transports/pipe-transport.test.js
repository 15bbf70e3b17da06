import 'reflect-metadata';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { container } from 'tsyringe';
import { MAX_UNIX_SOCKET_PATH_BYTES, PIPE_TRANSPORT_OPTIONS, PipeTransport } from '../../transports/index.js';
import { transportConformance } from './transport-conformance.js';
import { rejectionCode, throwCode } from './error-codes.js';
import { connectPipe } from './socket-client.js';
const posix = process.platform !== 'win32';
/** A fresh directory for socket files; short, so paths stay far below the OS limit. */
function scratch() {
    return mkdtempSync(join(posix ? '/tmp' : tmpdir(), 'tcl-'));
}
let pipes = 0;
function pipePath(dir) {
    return posix ? join(dir, 's.sock') : `\\\\.\\pipe\\tiercel-test-${process.pid}-${++pipes}`;
}
// Unix sockets refuse (EAGAIN) past the backlog instead of retrying: room for 1,000 at once.
const roomyBacklog = { backlog: 2_048 };
transportConformance('pipe', () => {
    const dir = scratch();
    return {
        transport: new PipeTransport(),
        endpoint: { kind: 'pipe', path: pipePath(dir) },
        bindOptions: roomyBacklog,
        connect: (bound) => connectPipe(bound),
        fdsPerConnection: 2,
        socketBacked: true,
        cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    };
});
const test = suite('pipe transport (unix sockets)');
const transport = new PipeTransport();
let dir = '';
const listeners = [];
const sockets = [];
test.before.each(() => {
    dir = scratch();
});
test.after.each(async () => {
    for (const socket of sockets.splice(0))
        socket.destroy();
    for (const listener of listeners.splice(0))
        await listener.dispose();
    rmSync(dir, { recursive: true, force: true });
});
async function bind(path, options) {
    const listener = await transport.bind({ kind: 'pipe', path }, options);
    listeners.push(listener);
    return listener;
}
/** Connects, sends a line through an echo, and checks it comes back. */
async function assertServes(listener) {
    const client = await connectPipe(listener.endpoint);
    sockets.push(client);
    const ctx = await listener.accept();
    assert.ok(ctx);
    ctx.transport.pipe(ctx.transport);
    client.end('through the socket');
    const reply = [];
    for await (const chunk of client)
        reply.push(chunk);
    assert.is(Buffer.concat(reply).toString(), 'through the socket');
}
function listenRaw(path) {
    return new Promise((resolve, reject) => {
        const server = createServer((socket) => {
            socket.on('error', () => { });
            socket.end('raw');
        });
        server.once('error', reject);
        server.listen(path, () => resolve(server));
    });
}
/** Leaves a socket file behind the way a crash does: its process is killed while listening. */
async function leaveStaleSocket(path) {
    const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(path)}, () => console.log('up'))`], {
        stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise((resolve, reject) => {
        child.stdout.once('data', () => resolve());
        child.once('exit', (code) => reject(new Error(`the child exited (${code}) before listening`)));
    });
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
}
const posixTest = posix ? test : test.skip;
posixTest('a stale socket file from a killed process is replaced', async () => {
    const path = pipePath(dir);
    await leaveStaleSocket(path);
    assert.ok(lstatSync(path).isSocket(), 'the killed process left its socket file');
    await assertServes(await bind(path));
});
posixTest('a live socket is AddressInUseError and is left alone', async () => {
    const path = pipePath(dir);
    const live = await listenRaw(path);
    try {
        assert.is(await rejectionCode(transport.bind({ kind: 'pipe', path })), 'ERR_TIERCEL_ADDRESS_IN_USE');
        assert.ok(lstatSync(path).isSocket());
        const client = await connectPipe({ kind: 'pipe', path });
        sockets.push(client);
        const reply = [];
        for await (const chunk of client)
            reply.push(chunk);
        assert.is(Buffer.concat(reply).toString(), 'raw');
    }
    finally {
        live.close();
    }
});
posixTest('a file that is not a socket is refused with BindError and never deleted', async () => {
    const path = pipePath(dir);
    writeFileSync(path, 'precious');
    assert.is(await rejectionCode(transport.bind({ kind: 'pipe', path })), 'ERR_TIERCEL_BIND_FAILED');
    assert.is(readFileSync(path, 'utf8'), 'precious');
});
posixTest(`a path longer than ${MAX_UNIX_SOCKET_PATH_BYTES} bytes is EndpointPathTooLongError; exactly that many binds`, async () => {
    const longest = join(dir, 'x'.repeat(MAX_UNIX_SOCKET_PATH_BYTES - dir.length - 1));
    assert.is(Buffer.byteLength(longest), MAX_UNIX_SOCKET_PATH_BYTES);
    assert.is(await rejectionCode(transport.bind({ kind: 'pipe', path: longest + 'x' })), 'ERR_TIERCEL_PATH_TOO_LONG');
    assert.not.ok(existsSync(longest), 'nothing was bound at the truncated path');
    // Multi-byte characters count in bytes, as the kernel counts them.
    const wide = join(dir, 'é'.repeat(Math.ceil((MAX_UNIX_SOCKET_PATH_BYTES - dir.length) / 2)));
    assert.is(await rejectionCode(transport.bind({ kind: 'pipe', path: wide })), 'ERR_TIERCEL_PATH_TOO_LONG');
    await assertServes(await bind(longest));
});
posixTest('the socket file is owner-only (0600) by default, or the mode given', async () => {
    const owner = pipePath(dir);
    await bind(owner);
    assert.is(lstatSync(owner).mode & 0o777, 0o600);
    const shared = join(dir, 'group.sock');
    await bind(shared, { mode: 0o660 });
    assert.is(lstatSync(shared).mode & 0o777, 0o660);
});
posixTest('unbind removes the socket file', async () => {
    const path = pipePath(dir);
    const listener = await bind(path);
    assert.ok(existsSync(path));
    await listener.unbind();
    assert.not.ok(existsSync(path));
    // And the path is free again.
    await assertServes(await bind(path));
});
posixTest('a path in a missing directory is BindError with the platform error as cause', async () => {
    try {
        await transport.bind({ kind: 'pipe', path: join(dir, 'missing', 's.sock') });
        assert.unreachable('bound in a missing directory');
    }
    catch (err) {
        assert.is(err.code, 'ERR_TIERCEL_BIND_FAILED');
        // libuv reports a missing directory as EACCES, for compatibility with Windows.
        assert.ok(['ENOENT', 'EACCES'].includes(err.cause.code ?? ''));
    }
});
test('a bad mode is refused at configuration time', () => {
    assert.is(throwCode(() => new PipeTransport({ mode: 0o1777 })), 'ERR_TIERCEL_INVALID_OPTION');
    assert.is(throwCode(() => new PipeTransport({ mode: 0.5 })), 'ERR_TIERCEL_INVALID_OPTION');
});
test('claims only its platform\'s kind of pipe path', () => {
    const windowsPipe = { kind: 'pipe', path: '\\\\.\\pipe\\tiercel' };
    const unixPath = { kind: 'pipe', path: '/tmp/tiercel.sock' };
    assert.is(transport.canBind(windowsPipe), !posix);
    assert.is(transport.canBind(unixPath), posix);
    assert.not.ok(transport.canBind({ kind: 'tcp', host: '::1', port: 0 }));
});
test('resolves from a DI container, with registered options applied', async () => {
    assert.is(container.createChildContainer().resolve(PipeTransport).name, 'pipe');
    const configured = container.createChildContainer();
    configured.register(PIPE_TRANSPORT_OPTIONS, { useValue: { mode: 0o640 } });
    const path = pipePath(dir);
    listeners.push(await configured.resolve(PipeTransport).bind({ kind: 'pipe', path }));
    if (posix)
        assert.is(lstatSync(path).mode & 0o777, 0o640);
});
test.run();
//# sourceMappingURL=pipe-transport.test.js.map