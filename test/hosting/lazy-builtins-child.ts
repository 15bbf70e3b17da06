// Run by lazy-loading.test.ts in a fresh process (argv: a PEM certificate and key file): imports
// 'tiercel/hosting' as an app would (the package's export: bundle/) and prints one JSON line, which of node:http2,
// node:tls and node:crypto are loaded after each step: the import, an HTTP/1.1 request to an
// http:// endpoint, starting an https:// endpoint, the first h2c connection (with a stop requested
// before HTTP/2 could load for it), an h2c request. The clients are raw net sockets, which load
// none of them; nothing of tiercel's is imported statically.
import { connect, type Socket } from 'node:net';

const BUILTINS = ['http2', 'tls', 'crypto'];
/** The built-ins of BUILTINS that Node has loaded so far, in that order. */
function loaded(): string[] {
  // Node's own record of the built-ins it has loaded (not in @types/node).
  const list = new Set((process as unknown as { moduleLoadList: string[] }).moduleLoadList);
  return BUILTINS.filter((b) => list.has(`NativeModule ${b}`));
}

/** A raw client on `port`: what it received so far, and a promise of everything once the server closes. */
function rawClient(port: number, bytes: string | Buffer): { socket: Socket; received: () => Buffer; closed: Promise<Buffer> } {
  const socket = connect(port, '127.0.0.1');
  let received = Buffer.alloc(0);
  socket.on('data', (d: Buffer) => (received = Buffer.concat([received, d])));
  const closed = new Promise<Buffer>((resolve, reject) => {
    socket.on('error', reject);
    socket.on('close', () => resolve(received));
  });
  socket.write(bytes);
  return { socket, received: () => received, closed };
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setImmediate(r));
}

/** The frame types (as text) of the HTTP/2 frames in `bytes`. */
function frameTypes(bytes: Buffer): string[] {
  const types: string[] = [];
  for (let at = 0; at + 9 <= bytes.length; at += 9 + bytes.readUIntBE(at, 3)) types.push(String(bytes[at + 3]));
  return types;
}

// The client preface and an empty SETTINGS frame; the server answers with its own SETTINGS frame.
const PREFACE = Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1'), Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0])]);

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
const late = new Server({ logLevel: 'silent' }).useHttp(app);
late.listen('http://127.0.0.1:0');
const sockets: Socket[] = [];
const port = (s: InstanceType<typeof Server>): number => (s.endpoints[0] as { port: number }).port;
try {
  await server.start();
  const h1 = rawClient(port(server), 'GET / HTTP/1.1\r\nhost: x\r\n\r\n');
  sockets.push(h1.socket);
  await until(() => h1.received().toString('latin1').endsWith('ok'));
  stages.http1 = loaded();

  await secure.start();
  stages.https = loaded();

  // The process's first HTTP/2 connection; the stop comes as soon as the server has accepted it,
  // before HTTP/2 (several files to read) can have loaded for it. The graceful stop's own deadline
  // is far beyond the test's: only a close honoured once HTTP/2 is there ends it in time.
  await late.start();
  const first = rawClient(port(late), PREFACE);
  await until(() => late.stats.active > 0);
  const stopped = late.stop(60_000);
  stages.stopRequested = loaded();
  await stopped;
  stages.framesAfterStop = frameTypes(await first.closed);
  stages.afterStop = loaded();

  const h2 = rawClient(port(server), PREFACE);
  sockets.push(h2.socket);
  await until(() => frameTypes(h2.received()).includes('4'));
  stages.http2 = loaded();
} finally {
  for (const s of sockets) s.destroy();
  await Promise.all([server.stop(), secure.stop(), late.stop()]);
}
process.stdout.write(JSON.stringify(stages) + '\n');
