// One tiercel instance behind HAProxy (README "Deploying", haproxy.cfg beside this file): HTTP on
// one endpoint that first reads the PROXY protocol v2 header HAProxy's `send-proxy-v2` sends, from
// the trusted proxy only; /healthz and /readyz for HAProxy's checks (readiness turns 503 the
// moment a stop begins); /whoami; SIGTERM (systemd's, Docker's stop) drains and exits 0.
//   node dist/examples/haproxy/server.js --url http://127.0.0.1:5001 --trust 127.0.0.1/32
// test/examples/haproxy-rolling-restart.test.ts runs two of these behind haproxy.cfg under load.
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { formatEndpoint } from '../../connection/index.js';
import { Server, stopOnSignals } from '../../hosting/index.js';
import { useHealthChecks } from '../../middleware/index.js';
import { ApplicationBuilder } from '../../pipeline/index.js';
import { proxyProtocolMiddleware } from '../../protocols/index.js';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://127.0.0.1:5001' },
    // Who may send a PROXY header: HAProxy's address as this host sees it (CIDR ranges allowed).
    trust: { type: 'string', default: '127.0.0.1/32' },
    'log-level': { type: 'string', default: 'info' },
  },
});

const server = new Server({ logLevel: values['log-level'] as 'info' });
const app = new ApplicationBuilder();
useHealthChecks(app);
app.run((ctx) => {
  if (ctx.request.path !== '/whoami') return void ctx.response.send('Hello, World!');
  // The client HAProxy accepted, not HAProxy: the PROXY header set the connection's remote endpoint.
  ctx.response.json({ client: formatEndpoint(ctx.connection.remoteEndpoint), pid: process.pid });
});
// A stop answers each connection's next request with `connection: close`. HAProxy in TCP mode
// cannot retry a request for its client: wait for one already on its way through it (1 s is far
// above a round trip through HAProxy, and a stop only waits for connections that still have one).
// The HTTP limit keepAliveShutdownGraceMs (default 1 s) keeps an idle connection open that long during a stop
// for a request still inside HAProxy, which in TCP mode cannot retry it for its client.
server.useHttp(app);

const proxy = proxyProtocolMiddleware({ trustedProxies: values.trust.split(',') }, server.logger);
server.listen(values.url, (ep) => ep.use(proxy.middleware));
await server.start();
stopOnSignals(server);
