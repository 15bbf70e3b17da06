// The harness's settings, read from the environment and validated (run.mjs, h2.mjs and ws.mjs
// share them), the list of rows (scenarios) they select, and the command that reproduces a row.
import os from 'node:os';

/** Servers of the wrk rows (HTTP/1.1); the h2 and ws rows bring their own pair (see scenarioList). */
export const SERVERS = [
  { name: 'node-http', file: 'node-http.mjs' },
  { name: 'tiercel', file: 'tiercel.mjs' },
  { name: 'fastify', file: 'fastify.mjs' },
  { name: 'hono', file: 'hono.mjs' },
  { name: 'ceiling', file: 'ceiling.mjs', plaintextOnly: true },
];
export const BASELINE = 'node-http';

/** The HTTP/2 and WebSocket comparisons (their throughput rows and idle tables): tiercel against one baseline each. */
const H2_PAIR = { servers: [{ name: 'node:http2', file: 'h2-node.mjs' }, { name: 'tiercel', file: 'tiercel.mjs' }], baseline: 'node:http2' };
/** The compressed-JSON row: tiercel's compression middleware against fastify's @fastify/compress, both at brotli quality 4. */
const COMPRESS_PAIR = { servers: [{ name: 'fastify + @fastify/compress', file: 'fastify.mjs' }, { name: 'tiercel', file: 'tiercel.mjs' }], baseline: 'fastify + @fastify/compress' };
/** The routing row: tiercel's router against fastify's, the same 100 routes in each (servers/route-table.mjs). */
const ROUTES_PAIR = { servers: [{ name: 'fastify (100 routes)', file: 'fastify-routes.mjs' }, { name: 'tiercel (100 routes)', file: 'tiercel-routes.mjs' }], baseline: 'fastify (100 routes)' };
/** The cost of observability: tiercel's demo with metrics on (no SDK), and with an OTel SDK and tracing, against metrics off. */
const METRICS_SET = {
  servers: [
    { name: 'tiercel', file: 'tiercel.mjs' },
    { name: 'tiercel+metrics', file: 'tiercel-metrics.mjs' },
    { name: 'tiercel+otel-sdk', file: 'tiercel-otel.mjs' },
  ],
  baseline: 'tiercel',
};
const WS_PAIR = { servers: [{ name: 'ws on node:http', file: 'ws-node.mjs' }, { name: 'tiercel', file: 'tiercel.mjs' }], baseline: 'ws on node:http' };

/**
 * The idle-memory tables: HTTP/1.1 over the wrk rows' servers (SERVERS), HTTP/2 and WebSockets
 * each against its own baseline (the pairs of the h2 and ws rows). lib/idle.mjs opens them.
 */
export const IDLE_KINDS = [
  {
    id: 'h1',
    title: 'Idle keep-alive connections',
    what: 'raw sockets each send `GET /plaintext`, read the response and stay open',
    baseline: BASELINE,
    unitName: 'connection',
  },
  {
    id: 'h2',
    title: 'Idle HTTP/2 connections',
    what: 'node:http2 client sessions (h2c, prior knowledge) each send one `GET /plaintext` stream, read it to its end and stay open',
    ...H2_PAIR,
    unitName: 'connection',
  },
  {
    id: 'ws',
    title: 'Idle WebSockets',
    what: 'raw sockets each upgrade on `/ws` (no extension offered), echo one 32-byte text message and stay open',
    ...WS_PAIR,
    unitName: 'socket',
  },
];

/** Every variable the harness reads, in the order a reproduce command lists them. */
export const ENV_KEYS = [
  'SCENARIOS', 'SERVERS', 'DURATION', 'ROUNDS', 'CONNECTIONS', 'WARMUP', 'PIPELINE', 'ECHO_BYTES',
  'H2_REQUESTS', 'H2_CLIENTS', 'H2_STREAMS', 'H2_WARMUP_REQUESTS',
  'WS_SECONDS', 'WS_CONNECTIONS', 'WS_BYTES',
  'IDLE_CONNECTIONS', 'IDLE', 'IDLE_SETTLE_MS', 'INJECT_REQUESTS', 'SERVER_CPU', 'CLIENT_CPU', 'START_TIMEOUT',
];

/** Reads and validates the settings; `problems` lists every bad value (nothing is silently fixed). */
export function readSettings(env) {
  const problems = [];
  const int = (key, fallback, min, max = Infinity) => {
    if (env[key] === undefined || env[key] === '') return fallback;
    const value = Number(env[key]);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${key} must be an integer ${max === Infinity ? `≥ ${min}` : `from ${min} to ${max}`} (got "${env[key]}")`);
    }
    return value;
  };
  const list = (key, known) => {
    if (!env[key]) return known;
    const wanted = env[key].split(',').map((s) => s.trim()).filter(Boolean);
    const unknown = wanted.filter((w) => !known.includes(w));
    if (unknown.length) problems.push(`${key} has unknown name(s) ${unknown.join(', ')}; known: ${known.join(', ')}`);
    return wanted;
  };
  const duration = int('DURATION', 5, 1);
  const settings = {
    duration,
    rounds: int('ROUNDS', 5, 1),
    connections: int('CONNECTIONS', 64, 1),
    warmup: int('WARMUP', 2, 0),
    pipeline: int('PIPELINE', 16, 1),
    echoBytes: int('ECHO_BYTES', 1024 * 1024, 1),
    h2Requests: int('H2_REQUESTS', 300_000, 1), // ~5 s a round at ~55k req/s, as long as a wrk round
    h2Clients: int('H2_CLIENTS', 10, 1),
    h2Streams: int('H2_STREAMS', 10, 1),
    h2WarmupRequests: int('H2_WARMUP_REQUESTS', 20_000, 0),
    wsSeconds: int('WS_SECONDS', duration, 1),
    wsConnections: int('WS_CONNECTIONS', 50, 1),
    // Both servers cap messages at 1 MiB (ws's and tiercel's default maxPayload).
    wsBytes: int('WS_BYTES', 32, 1, 1024 * 1024),
    idleConnections: int('IDLE_CONNECTIONS', 1000, 0),
    idleKinds: list('IDLE', IDLE_KINDS.map((k) => k.id)),
    idleSettleMs: int('IDLE_SETTLE_MS', 1000, 0),
    results: env.RESULTS || 'RESULTS.md',
    serverCpu: int('SERVER_CPU', 1, 0),
    clientCpu: int('CLIENT_CPU', 0, 0),
    startTimeoutMs: int('START_TIMEOUT', 10_000, 100),
    injectRequests: int('INJECT_REQUESTS', 20_000, 0),
    servers: list('SERVERS', SERVERS.map((s) => s.name)),
    scenarios: null,
  };
  if (settings.h2Clients > settings.h2Requests) problems.push(`H2_CLIENTS=${settings.h2Clients} is more than H2_REQUESTS=${settings.h2Requests}`);
  const scenarios = scenarioList(settings);
  const ids = list('SCENARIOS', scenarios.map((s) => s.id));
  settings.scenarios = scenarios.filter((s) => ids.includes(s.id));
  const cpus = os.availableParallelism();
  for (const key of ['serverCpu', 'clientCpu']) {
    if (settings[key] >= cpus) problems.push(`${key === 'serverCpu' ? 'SERVER_CPU' : 'CLIENT_CPU'}=${settings[key]} but this machine has CPUs 0..${cpus - 1}`);
  }
  if (settings.serverCpu === settings.clientCpu) {
    console.warn(`bench: warning: server and load generator share CPU ${settings.serverCpu}; figures will understate every server.`);
  }
  return { settings, problems };
}

/**
 * The rows. kind 'wrk' (HTTP/1.1, every server in SERVERS, ratios to node:http), 'h2' and 'ws'
 * (tiercel against one baseline, with a bar the ratio must reach). `keys` are the variables
 * that shape the row, for its reproduce command.
 */
export function scenarioList({ pipeline, echoBytes, h2Requests, h2Clients, h2Streams, wsConnections, wsBytes }) {
  const wrkKeys = ['DURATION', 'ROUNDS', 'CONNECTIONS', 'WARMUP'];
  return [
    { id: 'plaintext', kind: 'wrk', keys: wrkKeys, title: 'Plaintext, keep-alive', route: 'plaintext', path: '/plaintext', request: 'GET /plaintext → Hello, World! (text/plain)', ceiling: true },
    {
      id: 'pipelined',
      kind: 'wrk',
      keys: [...wrkKeys, 'PIPELINE'],
      title: `Plaintext, pipelined ${pipeline} deep`,
      route: 'plaintext',
      path: '/plaintext',
      script: 'pipeline.lua',
      scriptArgs: [String(pipeline)],
      request:
        `GET /plaintext × ${pipeline} per write (TechEmpower's pipeline.lua). p99 is n/a: wrk times whole batches and its ` +
        'coordinated-omission correction assumes one request per response, so its distribution is meaningless when pipelining',
      ceiling: true,
      latency: false,
    },
    {
      id: 'metrics',
      kind: 'wrk',
      keys: wrkKeys,
      title: 'Plaintext, keep-alive: the cost of metrics and tracing',
      route: 'plaintext',
      path: '/plaintext',
      request: 'GET /plaintext → Hello, World! (text/plain), the plaintext row\'s load, against three tiercel processes',
      ...METRICS_SET,
      subject: 'tiercel+metrics',
      bar: 0.95,
      unit: 'req/s',
      unitName: 'request',
      client: 'wrk',
      note:
        'tiercel is the demo app with metrics off (the other rows\' server); tiercel+metrics is what `tiercel serve` runs: ServerMetrics ' +
        'subscribed to the diagnostics_channel events, recording into the no-op OpenTelemetry instruments (no SDK) and into its own ' +
        'Prometheus counters (GET /metrics); tiercel+otel-sdk adds the OpenTelemetry SDK behind those metrics and a server span per ' +
        'request (tracing() middleware, AsyncLocalStorage context, batch span processor), exporters that drop what they get. The bar ' +
        '(≥ 0.95×) is the issue\'s: metrics on, no SDK, lose at most 5 %.',
    },
    { id: 'json', kind: 'wrk', keys: wrkKeys, title: 'JSON', route: 'json', path: '/json', request: 'GET /json → {"message":"Hello, World!"} (JSON.stringify per request)' },
    {
      id: 'compressed',
      kind: 'wrk',
      keys: wrkKeys,
      title: 'Compressed JSON, 16 KiB (br)',
      route: 'big-json',
      path: '/big.json',
      headers: ['Accept-Encoding: br, gzip'],
      request:
        'GET /big.json with Accept-Encoding: br, gzip → the demo app\'s 16,434-byte JSON document (JSON.stringify per request), ' +
        'brotli quality 4 (both servers\' default): tiercel\'s responseCompression against fastify with @fastify/compress on that route',
      ...COMPRESS_PAIR,
    },
    {
      id: 'echo',
      kind: 'wrk',
      keys: [...wrkKeys, 'ECHO_BYTES'],
      title: `POST echo, ${echoBytes >= 1 << 20 ? `${echoBytes / (1 << 20)} MiB` : `${echoBytes} B`}`,
      route: 'echo',
      path: '/echo',
      script: 'post-1mb.lua',
      scriptArgs: [String(echoBytes)],
      request: `POST /echo with a ${echoBytes}-byte application/octet-stream body, streamed back`,
      freshProcess: true,
      note:
        'Each round starts every server afresh (and stops it after): node mallocs each 64 KiB socket read, and whether glibc gives ' +
        'the freed heap top back, so that every echo faults its pages in again, is settled once per process start (bench/RESULTS.md, ' +
        "eleventh session). The median is over one draw per round per server; \"RSS after\" is the median round's process.",
    },
    {
      id: 'routes',
      kind: 'wrk',
      keys: wrkKeys,
      title: 'Routing: 100 routes, a parameterised hit',
      route: 'routes',
      path: '/r17/users/123',
      request: 'GET /r17/users/123 → {"id":"123"}: a router of 100 routes (25 × static, :id, :id/posts/:post, wildcard), matched per request',
      ...ROUTES_PAIR,
    },
    {
      id: 'h2',
      kind: 'h2',
      keys: ['ROUNDS', 'H2_REQUESTS', 'H2_CLIENTS', 'H2_STREAMS', 'H2_WARMUP_REQUESTS'],
      standalone: 'h2.mjs',
      title: 'HTTP/2 plaintext (h2c, prior knowledge)',
      request: `GET /plaintext → Hello, World! over h2c: h2load -n ${h2Requests} -c ${h2Clients} -m ${h2Streams} (${h2Clients} connections × ${h2Streams} concurrent streams)`,
      ...H2_PAIR,
      subject: 'tiercel',
      bar: 0.9,
      unit: 'req/s',
      unitName: 'request',
      client: 'h2load',
      note:
        'node:http2 is the bare stream API (`stream.respond`) with the SETTINGS tiercel sends by default, answering with the same ' +
        'response fields tiercel\'s demo sends (content-type text/plain; charset=utf-8, content-length, server; both send a date), ' +
        'so the ratio is the cost of tiercel\'s layers for the same response; tiercel is its demo app on an ' +
        "endpoint that also speaks HTTP/1.1, so the preface sniffing is part of its cost. Every request must succeed: h2load's failed, " +
        'errored, timed-out, unfinished and non-2xx counts are the errors column. Latency is h2load\'s mean "time for request" (it reports no percentiles).',
    },
    {
      id: 'ws',
      kind: 'ws',
      keys: ['ROUNDS', 'WARMUP', 'WS_SECONDS', 'WS_CONNECTIONS', 'WS_BYTES'],
      standalone: 'ws.mjs',
      title: `WebSocket echo, ${wsConnections} connections, ${wsBytes}-byte messages`,
      request: `ws://…/ws: ${wsConnections} clients, each with one ${wsBytes}-byte text message in flight (send, await the echo, send again)`,
      ...WS_PAIR,
      subject: 'tiercel',
      bar: 0.95,
      unit: 'messages/s',
      unitName: 'message',
      client: 'client',
      note:
        'The client is `bench/lib/ws-load.mjs` (raw-socket WebSocket clients in one Node process (masked frames built once, echoes parsed by header)), started afresh each round: it opens the ' +
        'connections, runs 1 s unmeasured, then counts echoes. The baseline is ws on a bare node:http server with the settings ' +
        "tiercel's demo uses (1 MiB maxPayload, no compression). Errors are socket errors, early closes and echoes of the wrong size. " +
        'A client near 100% CPU means it, not the server, set the pace, and the ratio understates the gap.',
    },
  ];
}

/** The command, run in bench/, that reproduces just this row with these settings. */
export function rowCommand(scenario, settings, env, script = 'run.mjs') {
  const value = {
    DURATION: settings.duration, ROUNDS: settings.rounds, CONNECTIONS: settings.connections, WARMUP: settings.warmup,
    PIPELINE: settings.pipeline, ECHO_BYTES: settings.echoBytes,
    H2_REQUESTS: settings.h2Requests, H2_CLIENTS: settings.h2Clients, H2_STREAMS: settings.h2Streams, H2_WARMUP_REQUESTS: settings.h2WarmupRequests,
    WS_SECONDS: settings.wsSeconds, WS_CONNECTIONS: settings.wsConnections, WS_BYTES: settings.wsBytes,
  };
  const parts = script === 'run.mjs' ? [`SCENARIOS=${scenario.id}`] : [];
  for (const key of scenario.keys) parts.push(`${key}=${value[key]}`);
  if (scenario.kind === 'wrk' && env.SERVERS) parts.push(`SERVERS=${env.SERVERS}`);
  for (const key of ['SERVER_CPU', 'CLIENT_CPU']) if (env[key]) parts.push(`${key}=${env[key]}`);
  if (script === 'run.mjs') parts.push('IDLE_CONNECTIONS=0', 'INJECT_REQUESTS=0');
  return `${parts.join(' ')} node ${script}`;
}
