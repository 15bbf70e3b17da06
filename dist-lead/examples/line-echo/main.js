// Runs the line-echo protocol on TCP, a unix socket and an in-memory endpoint at once:
//   node dist/examples/line-echo/main.js
// then `nc 127.0.0.1 5050` or `nc -U /tmp/tiercel-echo.sock`, and type lines.
import 'reflect-metadata';
import { Server } from '../../hosting/index.js';
import { MemoryTransport } from '../../transports/index.js';
import { LineEchoHandler } from './line-echo-handler.js';
const server = new Server();
for (const url of ['http://127.0.0.1:5050', 'http://unix:/tmp/tiercel-echo.sock', 'http://memory:echo']) {
    server.listen(url, (ep) => ep.useConnectionHandler(LineEchoHandler));
}
await server.start();
// The in-memory endpoint has no socket: talk to it from inside the process.
const client = server.getTransport(MemoryTransport).connect('echo');
client.once('data', (d) => console.log(`memory:echo said ${JSON.stringify(d.toString())}`));
client.write('hello from memory\n');
process.once('SIGINT', () => void server.stop(5_000));
//# sourceMappingURL=main.js.map