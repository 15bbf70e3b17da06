// tiercel serving its own demo app (the same routes as every other server here), as users get it:
// the published esbuild bundle (bundle/, npm run bench builds it first), not tsc's one module per
// file dist/ the tests run (which measured 7-10 MiB more RSS at start). No `import 'reflect-metadata'`:
// tiercel loads it (with require()); an ES import of that CommonJS file cost ~3 MiB of RSS at start.
// The endpoint serves HTTP/1.1 and HTTP/2 (h2c by prior knowledge: the preface sniffing is part of the HTTP/2 row's cost), and /ws.
// Usage: node servers/tiercel.mjs <port>   (prints "listening" when ready)
import { Server } from '../../bundle/hosting/index.js';
import { demoApp } from '../../bundle/hosting/demo-app.js';

const port = Number(process.argv[2] ?? 3000);
const server = new Server({ logLevel: 'warn' });
server.useHttp(demoApp());
server.listen(`http://127.0.0.1:${port}`);
await server.start();
console.log('listening');
