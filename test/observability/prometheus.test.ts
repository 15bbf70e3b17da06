// GET /metrics of the demo app, scraped over TCP after real requests and read with a strict parser
// of the exposition format (exposition-parser.ts); the registry's escaping and checks.
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { request } from 'undici';
import { InvalidOptionError } from '../../connection/index.js';
import { demoApp } from '../../hosting/demo-app.js';
import { PROMETHEUS_CONTENT_TYPE, PrometheusRegistry, ServerMetrics } from '../../observability/index.js';
import { ApplicationBuilder } from '../../pipeline/index.js';
import { ExpositionError, parseExposition, valueOf } from './exposition-parser.js';
import { exchange, startTcp, until } from './support.js';

test('the demo app serves /metrics: valid exposition text with the requests, connections and rejections just made', async () => {
  const metrics = new ServerMetrics();
  const s = await startTcp(demoApp(new ApplicationBuilder(), { metrics }));
  try {
    for (let i = 0; i < 5; i++) assert.is(await (await request(`${s.url}/plaintext`)).body.text(), 'Hello, World!');
    await (await request(`${s.url}/json`)).body.text();
    // The demo's Router matches /users/:id: its template is the series' http_route.
    for (const id of ['7', '42']) assert.equal(await (await request(`${s.url}/users/${id}`)).body.json(), { id });
    assert.is((await request(`${s.url}/nowhere`)).statusCode, 404);
    assert.match(await exchange(s.port, 'GET /plaintext HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'), /^HTTP\/1\.1 200/);
    assert.match(await exchange(s.port, 'GET /plaintext HTTP/1.1\r\nHost: x\r\nBad : header\r\n\r\n'), /^HTTP\/1\.1 400/);
    await until('both raw connections counted as closed', () => {
      const text = metrics.prometheusText();
      return text.includes('end_reason="client-close"') && text.includes('end_reason="bad-request"');
    });

    const res = await request(`${s.url}/metrics`);
    assert.is(res.statusCode, 200);
    assert.is(res.headers['content-type'], PROMETHEUS_CONTENT_TYPE);
    assert.is(res.headers['cache-control'], 'no-store');
    const families = parseExposition(await res.body.text());

    assert.is(families.get('http_server_request_duration_seconds')?.type, 'histogram');
    assert.is(families.get('http_server_active_requests')?.type, 'gauge');
    assert.is(families.get('tiercel_active_connections')?.type, 'gauge');
    assert.is(families.get('tiercel_connection_duration_seconds')?.type, 'histogram');
    assert.is(families.get('tiercel_rejected_connections_total')?.type, 'counter');
    assert.is(families.get('tiercel_rejected_requests_total')?.type, 'counter');
    for (const f of families.values()) assert.ok(f.help, `${f.name} has HELP`);

    const ok = { http_request_method: 'GET', http_response_status_code: '200', url_scheme: 'http', network_protocol_version: '1.1', http_route: '' };
    assert.is(valueOf(families, 'http_server_request_duration_seconds_count', { ...ok, http_route: '/users/:id' }), 2);
    assert.is(valueOf(families, 'http_server_request_duration_seconds_count', ok), 7);
    assert.is(valueOf(families, 'http_server_request_duration_seconds_bucket', { ...ok, le: '+Inf' }), 7);
    assert.is(valueOf(families, 'http_server_request_duration_seconds_count', { ...ok, http_response_status_code: '404' }), 1);
    // The scrape itself is the one request in flight.
    assert.is(valueOf(families, 'http_server_active_requests', { http_request_method: 'GET', url_scheme: 'http' }), 1);
    const tcp = { network_transport: 'tcp', tiercel_endpoint: `127.0.0.1:${s.port}` };
    assert.is(valueOf(families, 'tiercel_connection_duration_seconds_count', { ...tcp, tiercel_connection_end_reason: 'client-close' }), 1);
    assert.is(valueOf(families, 'tiercel_connection_duration_seconds_count', { ...tcp, tiercel_connection_end_reason: 'bad-request' }), 1);
    assert.is(valueOf(families, 'tiercel_rejected_requests_total', { tiercel_rejection_reason: 'whitespace-before-colon', http_response_status_code: '400' }), 1);
    // undici's keep-alive connection (or connections) stay open while we read.
    // undici's are HTTP/1.1: counted under their protocol (a connection with none yet has empty labels).
    assert.ok((valueOf(families, 'tiercel_active_connections', { ...tcp, network_protocol_name: 'http', network_protocol_version: '1.1', tls_protocol_version: '' }) ?? 0) >= 1);
    assert.is(valueOf(families, 'tiercel_active_connections', { ...tcp, network_protocol_name: '' }), 0);
    assert.is(families.get('tiercel_queued_connections')?.type, 'gauge');

    assert.is((await request(`${s.url}/metrics`, { method: 'POST', body: 'x' })).statusCode, 405);
  } finally {
    metrics.dispose();
    await s.stop();
  }
});

test('without metrics the demo app answers /metrics with 404', async () => {
  const s = await startTcp(demoApp());
  try {
    assert.is((await request(`${s.url}/metrics`)).statusCode, 404);
  } finally {
    await s.stop();
  }
});

test('label values and help are escaped as the format says, and read back unchanged', () => {
  const r = new PrometheusRegistry();
  const awkward = 'a "quoted" back\\slash\nand a line feed';
  r.counter('odd_total', 'Help with a \\ and a\nline feed.', ['what']).labels(awkward).inc(2);
  r.gauge('level', 'A gauge.').labels().dec(1.5);
  const h = r.histogram('size_bytes', 'Sizes.', ['kind'], [1, 10]);
  for (const v of [0.5, 1, 5, 50]) h.labels('x').observe(v);
  const families = parseExposition(r.expose());
  assert.is(families.get('odd_total')?.help, 'Help with a \\ and a\nline feed.');
  assert.is(valueOf(families, 'odd_total', { what: awkward }), 2);
  assert.is(valueOf(families, 'level'), -1.5);
  assert.equal(
    ['1', '10', '+Inf'].map((le) => valueOf(families, 'size_bytes_bucket', { kind: 'x', le })),
    [2, 3, 4],
  );
  assert.is(valueOf(families, 'size_bytes_sum', { kind: 'x' }), 56.5);
});

test('the registry refuses bad names, a reused name, an le label, unordered buckets and a wrong label count', () => {
  const r = new PrometheusRegistry();
  const refused = (fn: () => unknown) => assert.throws(fn, (e: unknown) => e instanceof InvalidOptionError);
  refused(() => r.counter('1bad', 'x'));
  refused(() => r.counter('ok_total', 'x', ['bad-label']));
  refused(() => r.counter('ok2_total', 'x', ['__reserved']));
  r.counter('dup_total', 'x');
  refused(() => r.gauge('dup_total', 'x'));
  refused(() => r.histogram('h', 'x', ['le'], [1]));
  refused(() => r.histogram('h2', 'x', [], [2, 1]));
  refused(() => r.counter('two_total', 'x', ['a', 'b']).labels('only-one'));
});

test('the test parser is strict: it refuses what Prometheus would', () => {
  const bad = [
    'x 1', // no final line feed
    'x{a="b} 1\n', // unterminated value
    'x{a="\\t"} 1\n', // unknown escape
    'x{a="1",a="2"} 1\n', // a label twice
    'x one\n', // not a number
    '# TYPE x counter\nx 1\n# TYPE y gauge\ny 1\nx 2\n', // family split
    'x 1\n# TYPE x counter\n', // TYPE after samples
    '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n', // not cumulative
    '# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n', // no +Inf
    'x 1\nx 2\n', // duplicate series
  ];
  for (const text of bad) assert.throws(() => parseExposition(text), (e: unknown) => e instanceof Error, JSON.stringify(text));
  assert.ok(parseExposition('# a comment\n# TYPE x counter\nx{a="b",} 1 1700000000000\n').get('x'));
  assert.ok(new ExpositionError(1, 'x') instanceof Error);
});

test.run();
