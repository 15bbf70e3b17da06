// The soak harness's server: tiercel's demo app on one cleartext and one TLS endpoint, in a
// process of its own so that its memory, descriptors and handles are measured alone. Started by
// soak.mjs with an IPC channel (never run by hand):
//
//   node server.mjs <certFile> <keyFile>
//
// It answers two messages on the channel, and only there (nothing is added to the app or to
// tiercel): `diag` → memory, active handles and resources, live connections and the request
// count; `gc` → a full collection first (the process runs with --expose-gc), then `diag`.
// The request count is a one-line middleware in front of the demo app, the only difference from
// `tiercel serve`: the harness needs it to stop the load at exactly N requests.
import 'reflect-metadata';
import { Server } from '../../dist/hosting/index.js';
import { demoApp } from '../../dist/hosting/demo-app.js';
import { ApplicationBuilder } from '../../dist/pipeline/index.js';

const [certFile, keyFile] = process.argv.slice(2);
if (!process.send || !certFile || !keyFile) {
  console.error('server.mjs is started by soak.mjs (with an IPC channel, a certificate and a key)');
  process.exit(2);
}

let requests = 0;
const app = new ApplicationBuilder().use((ctx, next) => {
  requests++;
  return next();
});
demoApp(app);

const server = new Server({ logLevel: 'warn' });
server.useHttp(app);
server.listen('http://127.0.0.1:0');
server.listen('https://127.0.0.1:0', (endpoint) => endpoint.useHttps({ certificate: { certFile, keyFile } }));
await server.start();

/** Counts by kind: `{ TCPSocketWrap: 3, Timeout: 2, … }`. */
function histogram(names) {
  const out = {};
  for (const name of names) out[name] = (out[name] ?? 0) + 1;
  return out;
}

function diag() {
  const memory = process.memoryUsage();
  const handles = process._getActiveHandles();
  return {
    rss: memory.rss,
    heapUsed: memory.heapUsed,
    heapTotal: memory.heapTotal,
    external: memory.external,
    arrayBuffers: memory.arrayBuffers,
    handles: handles.length,
    handleKinds: histogram(handles.map((h) => h?.constructor?.name ?? typeof h)),
    resources: histogram(process.getActiveResourcesInfo()),
    connections: server.stats.active,
    accepted: server.stats.accepted,
    requests,
  };
}

process.on('message', (message) => {
  if (message?.type === 'gc') globalThis.gc?.();
  if (message?.type === 'diag' || message?.type === 'gc') process.send({ type: 'diag', id: message.id, ...diag() });
  if (message?.type === 'stop') void server.stop().then(() => process.exit(0));
});
// The harness going away (the channel closes) ends the server too.
process.on('disconnect', () => process.exit(0));

process.send({ type: 'ready', urls: server.urls });
