// Run by lazy-loading.test.ts in a fresh process (argv: a PEM certificate and key file): imports
// 'tiercel/hosting' from dist/ as an app would and prints one JSON line, which of node:http2,
// node:tls and node:crypto are loaded after each step: the import, an HTTP/1.1 request to an
// http:// endpoint, starting an https:// endpoint, an h2c connection. The clients are raw net
// sockets, which load none of them; nothing of tiercel's is imported statically.
import { connect, type Socket } from 'node:net';

const BUILTINS = ['http2', 'tls', 'crypto'];
/** The built-ins of BUILTINS that Node has loaded so far, in that order. */
function loaded(): string[] {
  // Node's own record of the built-ins it has loaded (not in @types/node).
  const list = new Set((process as unknown as { moduleLoadList: string[] }).moduleLoadList);
  return BUILTINS.filter((b) => list.has(`NativeModule ${b}`));
}

/** Writes `bytes` on a new connection to `port` and resolves with the socket once `done` holds for what came back. */
function exchange(port: number, bytes: string | Buffer, done: (received: Buffer) => boolean): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = Buffer.alloc(0);
    socket.on('data', (d: Buffer) => {
      received = Buffer.concat([received, d]);
      if (done(received)) resolve(socket);
    });
    socket.on('error', reject);
    socket.on('close', () => reject(new Error(`closed before the answer: ${received.toString('latin1')}`)));
    socket.write(bytes);
  });
}

const [certFile, keyFile] = process.argv.slice(2);
const stages: Record<string, string[]> = {};
const { Server } = await import('tiercel/hosting');
const { ApplicationBuilder } = await import('tiercel/pipeline');
stages.import = loaded();

const app = new ApplicationBuilder().run((ctx) => ctx.response.send('ok'));
const server = new Server({ logLevel: 'silent' }).useHttp(app);
server.listen('http://127.0.0.1:0');
const secure = new Server({ logLevel: 'silent' }).useHttp(app);
secure.listen('https://127.0.0.1:0', (ep) => ep.useHttps({ certificate: { certFile, keyFile } }));
const sockets: Socket[] = [];
try {
  await server.start();
  const port = (server.endpoints[0] as { port: number }).port;
  const h1 = await exchange(port, 'GET / HTTP/1.1\r\nhost: x\r\n\r\n', (r) => r.toString('latin1').endsWith('ok'));
  sockets.push(h1);
  stages.http1 = loaded();

  await secure.start();
  stages.https = loaded();

  // The client preface and an empty SETTINGS frame; the server answers with its own SETTINGS
  // frame (type 4 at byte 3 of the frame header).
  const preface = Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1'), Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0])]);
  sockets.push(await exchange(port, preface, (r) => r.length >= 9 && r[3] === 4));
  stages.http2 = loaded();
} finally {
  for (const s of sockets) s.destroy();
  await Promise.all([server.stop(), secure.stop()]);
}
process.stdout.write(JSON.stringify(stages) + '\n');
