import 'reflect-metadata';
import { Server } from '../../dist/hosting/index.js';
const port = Number(process.argv[2] ?? 3000);
const server = new Server({ logLevel: 'warn' });
server.useHttp({ handle(ex) { ex.responseHeaders.set('content-type', 'text/plain'); ex.end('Hello, World!'); } }, { protocols: 'http2', serverHeader: false });
server.listen(`http://127.0.0.1:${port}`);
await server.start();
console.log('listening');
