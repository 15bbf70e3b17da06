// tiercel serving its own demo app (the same routes as every other server here), built from the
// repository's dist/ (npm run bench builds it first). The endpoint serves HTTP/1.1 and HTTP/2
// (h2c by prior knowledge: the preface sniffing is part of the HTTP/2 row's cost), and /ws.
// Usage: node servers/tiercel.mjs <port>   (prints "listening" when ready)
import 'reflect-metadata';
import { Server } from '../../dist/hosting/index.js';
import { demoApp } from '../../dist/hosting/demo-app.js';

const port = Number(process.argv[2] ?? 3000);
const server = new Server({ logLevel: 'warn' });
server.useHttp(demoApp());
server.listen(`http://127.0.0.1:${port}`);
await server.start();
console.log('listening');
