// Run by lazy-loading.test.ts in a fresh process: imports 'tiercel/hosting' as an app would (the
// package's own export: the bundle/ the package publishes) and prints one JSON line, which of
// tiercel's heavy dependencies are loaded after each step: the import, a TestServer (its
// container: tsyringe) and one request, a WebSocket upgrade, a dev certificate. Nothing of tiercel's is imported statically: that would load it first.
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';

const PACKAGES = ['tsyringe', 'ws', 'undici', 'selfsigned'];
const cache = createRequire(import.meta.url).cache;
/** The packages with a file in require's cache: CommonJS, whether reached by require() or import. */
function loaded(): string[] {
  const files = Object.keys(cache);
  return PACKAGES.filter((p) => files.some((f) => f.includes(`${sep}node_modules${sep}${p}${sep}`)));
}

const stages: Record<string, string[]> = {};
const hosting = await import('tiercel/hosting');
const { ApplicationBuilder } = await import('tiercel/pipeline');
const { ensureDevCertificate } = await import('tiercel/protocols');
stages.import = loaded();

const ts = await hosting.TestServer.start(
  new ApplicationBuilder().run(async (ctx) => {
    if (!ctx.webSockets.isWebSocketRequest) return ctx.response.send('ok');
    (await ctx.webSockets.accept()).close(1000);
  }),
);
try {
  const res = await ts.request('/');
  if (res.status !== 200) throw new Error(`GET / answered ${res.status}`);
  stages.request = loaded();

  // A raw upgrade: the server's side of ws only, no ws client.
  const client = ts.connect();
  client.write(
    'GET /ws HTTP/1.1\r\nhost: x\r\nupgrade: websocket\r\nconnection: upgrade\r\n' +
      'sec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\nsec-websocket-version: 13\r\n\r\n',
  );
  const head = await new Promise<string>((resolve, reject) => {
    let text = '';
    client.on('data', (d: Buffer) => {
      text += d.toString('latin1');
      if (text.includes('\r\n\r\n')) resolve(text);
    });
    client.on('error', reject);
    client.on('close', () => reject(new Error(`closed before the 101: ${text}`)));
  });
  if (!head.startsWith('HTTP/1.1 101')) throw new Error(`the upgrade answered ${head}`);
  client.destroy();
  stages.webSocket = loaded();
} finally {
  await ts.stop();
}

const dir = await mkdtemp(join(tmpdir(), 'tiercel-lazy-'));
try {
  await ensureDevCertificate({ dir });
  stages.devCertificate = loaded();
} finally {
  await rm(dir, { recursive: true, force: true });
}
process.stdout.write(JSON.stringify(stages) + '\n');
