// tiercel's demo app over HTTP/2 (h2c with prior knowledge), from the repository's dist/.
// The endpoint keeps the default 'http1AndHttp2', so the preface sniffing is part of the cost.
// Usage: node servers/h2-tiercel.mjs <port>   (prints "listening" when ready)
import 'reflect-metadata';
import { Server } from '../../dist/hosting/index.js';
import { demoApp } from '../../dist/hosting/demo-app.js';

const port = Number(process.argv[2] ?? 3000);
const server = new Server({ logLevel: 'warn' });
server.useHttp(demoApp());
server.listen(`http://127.0.0.1:${port}`);
await server.start();
console.log('listening');
