import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Server } from '../../hosting/index.js';
import { MemoryTransport } from '../../transports/index.js';
import { LineEchoHandler } from '../../examples/line-echo/line-echo-handler.js';
import { readUntil, readAll } from '../support/streams.js';
const sock = path.join(os.tmpdir(), `tiercel-echo-${process.pid}.sock`);
async function startEcho() {
    const server = new Server({ logLevel: 'silent' });
    for (const url of ['http://127.0.0.1:0', `http://unix:${sock}`, 'http://memory:echo']) {
        server.listen(url, (ep) => ep.useConnectionHandler(LineEchoHandler));
    }
    await server.start();
    return server;
}
async function converse(client) {
    client.write('hello\nwor');
    client.write('ld\r\n');
    const text = await readUntil(client, (t) => t.includes('echo: world\n'));
    assert.is(text, 'echo: hello\necho: world\n');
    client.write('quit\n');
    const rest = await readAll(client);
    assert.is(rest, 'bye\n');
}
test('the line-echo protocol works over TCP, a unix socket and in-memory', async () => {
    const server = await startEcho();
    try {
        const [tcp, unix, memory] = server.endpoints;
        assert.is(tcp.kind, 'tcp');
        assert.ok(tcp.port > 0);
        await converse(net.connect(tcp.port, '127.0.0.1'));
        assert.is(unix.kind, 'pipe');
        await converse(net.connect(sock));
        assert.is(memory.kind, 'memory');
        await converse(server.getTransport(MemoryTransport).connect('echo'));
        assert.is(server.stats.accepted, 3);
    }
    finally {
        await server.stop(1_000);
    }
});
test('a line longer than the limit is refused and the connection closed', async () => {
    const server = await startEcho();
    try {
        const client = server.getTransport(MemoryTransport).connect('echo');
        client.write('x'.repeat(5_000));
        assert.is(await readAll(client), 'ERR line too long\n');
    }
    finally {
        await server.stop(1_000);
    }
});
test('stop() lets a line-echo connection finish: it says bye and closes', async () => {
    const server = await startEcho();
    const client = server.getTransport(MemoryTransport).connect('echo');
    client.write('one\n');
    await readUntil(client, (t) => t.includes('echo: one\n'));
    const rest = readAll(client);
    await server.stop(2_000);
    assert.is(await rest, 'bye\n');
    assert.is(server.stats.active, 0);
});
test.run();
//# sourceMappingURL=line-echo.test.js.map