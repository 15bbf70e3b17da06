import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import net from 'node:net';
import tls from 'node:tls';
import { once } from 'node:events';
import { availableParallelism } from 'node:os';
import { WebSocket } from 'ws';
import { ApplicationBuilder } from '../../../pipeline/index.js';
import { Server, loadConfiguration, type ConfigurationSources, type TiercelConfiguration } from '../../../hosting/index.js';
import { demoApp } from '../../../hosting/demo-app.js';
import { CertDir, makeCa, makeLeaf } from '../../support/tls-certificates.js';

const dir = new CertDir();
const hello = new ApplicationBuilder().run((ctx) => ctx.response.send('hello'));

function loadError(sources: ConfigurationSources): { code: string; key?: string; message: string } {
  try {
    loadConfiguration({ env: {}, ...sources });
  } catch (err) {
    return err as { code: string; key?: string; message: string };
  }
  throw new Error(`no error for ${JSON.stringify(sources)}`);
}

/** One raw HTTP/1.1 request on a fresh socket; the status code of the answer. */
async function status(port: number, target: string): Promise<number> {
  const socket = net.connect(port, '127.0.0.1');
  socket.end(`GET ${target} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n`);
  let text = '';
  for await (const chunk of socket) text += String(chunk);
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(text)![1]);
}

const portOf = (server: Server, i = 0): number => (server.endpoints[i] as { port: number }).port;

test('an unknown key, a wrong type or a bad URL fails with the key path, from a file, the command line or code', () => {
  const ca = dir.write('ca-for-rules.crt', 'not used');
  const cases: [TiercelConfiguration | Record<string, unknown>, string, string][] = [
    [{ endpoint: {} }, 'endpoint', 'is not a known key'],
    [{ endpoints: { api: { url: 'http://127.0.0.1:0', port: 1 } } }, 'endpoints.api.port', 'is not a known key'],
    [{ endpoints: { api: { url: 'htp://127.0.0.1:1' } } }, 'endpoints.api.url', "unsupported scheme 'htp'"],
    [{ endpoints: { api: { url: 'http://example.com:80' } } }, 'endpoints.api.url', 'is not an IP address'],
    [{ endpoints: { api: {} } }, 'endpoints.api.url', 'is required'],
    [{ endpoints: { api: { url: 'http://127.0.0.1:0', protocols: 'h3' } } }, 'endpoints.api.protocols', 'must be one of'],
    [{ endpoints: { api: { url: 'https://127.0.0.1:0', certificate: 'main' } } }, 'endpoints.api.certificate', 'no certificate is named "main"'],
    [{ endpoints: { api: { url: 'http://127.0.0.1:0', certificate: 'main' } } }, 'endpoints.api.certificate', 'only an https:// endpoint'],
    [{ endpoints: { api: { url: 'https://127.0.0.1:0', clientCertificateMode: 'require' } } }, 'endpoints.api.clientCertificateCa', 'is required'],
    [{ endpoints: { api: { url: 'https://127.0.0.1:0', clientCertificateMode: 'sometimes', clientCertificateCa: ca } } }, 'endpoints.api.clientCertificateMode', 'must be one of'],
    [{ endpoints: { api: { url: 'https://127.0.0.1:0', sni: { 'a.test': 'd' } } }, certificates: { d: { dev: true } } }, 'endpoints.api.sni.a.test', 'for localhost only'],
    [{ certificates: { main: { certFile: 'a.crt' } } }, 'certificates.main.keyFile', 'is required'],
    [{ certificates: { main: { pem: 'x' } } }, 'certificates.main', 'must be'],
    [{ shutdownTimeoutMs: '30' }, 'shutdownTimeoutMs', 'must be a number'],
    [{ shutdownTimeoutMs: -1 }, 'shutdownTimeoutMs', 'must be a finite number'],
    [{ logLevel: 'loud' }, 'logLevel', 'must be one of'],
    [{ workers: 0 }, 'workers', 'must be a whole number of 1 or more, or "auto"'],
    [{ reloadOnChange: 'yes' }, 'reloadOnChange', 'must be true or false'],
    [{ limits: { tcp: {} } }, 'limits.tcp', 'is not a known key'],
    [{ limits: { http: { maxRequestLineSize: 0 } } }, 'limits.http.maxRequestLineSize', 'must be a whole number above 0'],
    [{ limits: { http: { maxRequestLinSize: 10 } } }, 'limits.http.maxRequestLinSize', 'is not a known HTTP limit'],
    [{ limits: { http2: { maxStreamsPerConnection: 0 } } }, 'limits.http2.maxStreamsPerConnection', 'must be a whole number from 1'],
    [{ limits: { http2: [] } }, 'limits.http2', 'must be an object'],
    [{ limits: { webSockets: { maxPayload: 'big' } } }, 'limits.webSockets.maxPayload', 'must be an integer'],
  ];
  for (const [config, key, rule] of cases) {
    for (const sources of [{ code: config }, { commandLine: config }] as ConfigurationSources[]) {
      const err = loadError(sources);
      assert.is(err.code, 'ERR_TIERCEL_CONFIG_INVALID', JSON.stringify(config));
      assert.is(err.key, key, err.message);
      assert.ok(err.message.startsWith(`${key}: `) && err.message.includes(rule), err.message);
    }
    assert.throws(() => Server.fromConfig(config as TiercelConfiguration), (e: { key?: string }) => e.key === key);
    const file = dir.write('rules.json', JSON.stringify(config));
    const fromFile = loadError({ file });
    assert.is(fromFile.key, key, fromFile.message);
  }
  // JSON.parse makes "__proto__" an own key; as an entry's name it would replace the entries' prototype.
  assert.is(loadError({ file: dir.write('proto.json', '{ "certificates": { "__proto__": { "dev": true } } }') }).key, 'certificates.__proto__');
  // What only a file can get wrong.
  assert.is(loadError({ file: dir.write('broken.json', '{ "logLevel": ') }).code, 'ERR_TIERCEL_CONFIG_FILE');
  assert.is(loadError({ file: dir.write('array.json', '[]') }).code, 'ERR_TIERCEL_CONFIG_FILE');
  assert.is(loadError({ file: dir.file('missing.json') }).code, 'ERR_TIERCEL_CONFIG_FILE');
  // A shape error says which source it came from.
  assert.ok(loadError({ file: dir.write('typo.json', '{ "logLevl": "warn" }') }).message.endsWith(`(in ${dir.file('typo.json')})`));
});

test('the environment: TIERCEL_URLS wins over TIERCEL_HTTP(S)_PORTS, which win over PORT; bad values name the variable', () => {
  const urls = (env: Record<string, string>): string[] => loadConfiguration({ env }).endpoints.map((e) => e.url);
  const all = { TIERCEL_URLS: 'http://127.0.0.1:7001;http://[::1]:7002', TIERCEL_HTTP_PORTS: '8080;8081', TIERCEL_HTTPS_PORTS: '8443', PORT: '3000' };
  assert.equal(urls(all), ['http://127.0.0.1:7001', 'http://[::1]:7002']);
  assert.equal(urls({ ...all, TIERCEL_URLS: '' }), ['http://*:8080', 'http://*:8081', 'https://*:8443']);
  assert.equal(urls({ TIERCEL_HTTPS_PORTS: '8443', PORT: '3000' }), ['https://*:8443']);
  assert.equal(urls({ PORT: '3000' }), ['http://*:3000']);
  assert.equal(urls({}), ['http://localhost:5000']);
  for (const [env, key] of [
    [{ PORT: '99999' }, 'PORT'],
    [{ TIERCEL_HTTP_PORTS: '80;http' }, 'TIERCEL_HTTP_PORTS'],
    [{ TIERCEL_HTTPS_PORTS: ';' }, 'TIERCEL_HTTPS_PORTS'],
    [{ TIERCEL_URLS: 'http://127.0.0.1:1;ftp://x' }, 'TIERCEL_URLS'],
  ] as [Record<string, string>, string][]) {
    const err = loadError({ env });
    assert.is(err.code, 'ERR_TIERCEL_CONFIG_INVALID');
    assert.ok(err.message.startsWith(`${key}: `), err.message);
  }
});

test('precedence: code > command line > environment > file > defaults, key by key; endpoints as one setting', () => {
  const file = dir.write(
    'layers.json',
    JSON.stringify({
      endpoints: { fromFile: { url: 'http://127.0.0.1:6001' } },
      logLevel: 'debug',
      shutdownTimeoutMs: 1000,
      limits: { http: { maxRequestLineSize: 100, maxRequestHeaderCount: 10 } },
    }),
  );
  const env = { PORT: '6002' };
  const commandLine: TiercelConfiguration = { endpoints: { fromArgs: { url: 'http://127.0.0.1:6003' } }, logLevel: 'warn' };
  const code: TiercelConfiguration = { endpoints: { fromCode: { url: 'http://127.0.0.1:6004' } }, limits: { http: { maxRequestLineSize: 200 } }, logLevel: 'error' };
  const at = (sources: ConfigurationSources) => {
    const c = loadConfiguration(sources);
    return { endpoints: c.endpoints.map((e) => e.name), logLevel: c.logLevel, shutdownTimeoutMs: c.shutdownTimeoutMs, limits: c.http.limits };
  };
  assert.equal(at({ env: {} }), { endpoints: ['default'], logLevel: 'info', shutdownTimeoutMs: 30_000, limits: undefined });
  assert.equal(at({ file, env: {} }), { endpoints: ['fromFile'], logLevel: 'debug', shutdownTimeoutMs: 1000, limits: { maxRequestLineSize: 100, maxRequestHeaderCount: 10 } });
  assert.equal(at({ file, env }).endpoints, ['PORT']);
  assert.equal(at({ file, env, commandLine }), { endpoints: ['fromArgs'], logLevel: 'warn', shutdownTimeoutMs: 1000, limits: { maxRequestLineSize: 100, maxRequestHeaderCount: 10 } });
  assert.equal(at({ file, env, commandLine, code }), { endpoints: ['fromCode'], logLevel: 'error', shutdownTimeoutMs: 1000, limits: { maxRequestLineSize: 200, maxRequestHeaderCount: 10 } });
  // A source that names no endpoint leaves the lower one's.
  assert.equal(at({ file, env, commandLine: { logLevel: 'warn' } }).endpoints, ['PORT']);
});

test('a file configures the server: endpoints by name, protocols, limits (with "Infinity"), shutdown timeout', async () => {
  const file = dir.write(
    'server.json',
    JSON.stringify({
      endpoints: { main: { url: 'http://127.0.0.1:0' }, h2only: { url: 'http://127.0.0.1:0', protocols: 'http2' } },
      limits: { http: { maxRequestLineSize: 64, maxConcurrentUpgradedConnections: 'Infinity' } },
      logLevel: 'silent',
      shutdownTimeoutMs: 0,
    }),
  );
  const server = Server.fromConfig(loadConfiguration({ file, env: {} }));
  server.useHttp(hello);
  await server.start();
  try {
    assert.is(server.urls.length, 2);
    assert.is(await status(portOf(server), '/'), 200);
    assert.is(await status(portOf(server), `/${'x'.repeat(64)}`), 414);
    // The HTTP/2-only endpoint refuses an HTTP/1.1 request line (no preface): it closes without an HTTP/1.1 answer.
    const socket = net.connect(portOf(server, 1), '127.0.0.1');
    socket.end('GET / HTTP/1.1\r\nhost: x\r\n\r\n');
    let text = '';
    for await (const chunk of socket) text += String(chunk);
    assert.not.ok(text.startsWith('HTTP/1.1 200'), text);
  } finally {
    await server.stop();
  }
});

test('WebSocket limits from the configuration reach an app that does not call useWebSockets', async () => {
  const server = Server.fromConfig({ endpoints: { ws: { url: 'http://127.0.0.1:0' } }, limits: { webSockets: { maxPayload: 16 } }, logLevel: 'silent' });
  server.useHttp(demoApp());
  await server.start();
  try {
    const ws = new WebSocket(`ws://127.0.0.1:${portOf(server)}/ws`);
    await once(ws, 'open');
    ws.send('small');
    const [echo] = await once(ws, 'message');
    assert.is(String(echo), 'small');
    ws.send('x'.repeat(17));
    const [code] = await once(ws, 'close');
    assert.is(code, 1009);
  } finally {
    await server.stop(500);
  }
});

test('certificates by name: PEM files, PFX with a passphrase, an SNI map, client certificates required', async () => {
  const ca = await makeCa();
  const a = dir.writePem('a', await makeLeaf(['a.test'], { ca }));
  dir.write('b.pfx', dir.pfx('b', await makeLeaf(['b.test'], { ca }), 'secret'));
  dir.write('ca.crt', ca.cert);
  const client = await makeLeaf(['client'], { ca, client: true });
  // Relative paths in the file are relative to its folder.
  const file = dir.write(
    'tls.json',
    JSON.stringify({
      endpoints: {
        open: { url: 'https://127.0.0.1:0', sni: { 'b.test': 'b' } },
        mtls: { url: 'https://127.0.0.1:0', certificate: 'b', clientCertificateMode: 'require', clientCertificateCa: 'ca.crt' },
      },
      certificates: { default: { certFile: 'a.crt', keyFile: 'a.key' }, b: { pfxFile: 'b.pfx', passphrase: 'secret' } },
      logLevel: 'silent',
    }),
  );
  const server = Server.fromConfig(loadConfiguration({ file, env: {} }));
  server.useHttp(hello);
  await server.start();
  const subject = async (port: number, servername: string, cert?: { cert: string; key: string }): Promise<string> => {
    const socket = tls.connect({ port, host: '127.0.0.1', servername, ca: ca.cert, ...cert });
    try {
      await once(socket, 'secureConnect');
      const cn = socket.getPeerCertificate().subject.CN as string;
      socket.write('GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
      let text = '';
      for await (const chunk of socket) text += String(chunk);
      assert.ok(text.endsWith('hello'), text);
      return cn;
    } finally {
      socket.destroy();
    }
  };
  try {
    assert.is(await subject(portOf(server), 'a.test'), 'a.test', 'the default certificate');
    assert.is(await subject(portOf(server), 'b.test'), 'b.test', 'the SNI map');
    assert.is(await subject(portOf(server, 1), 'b.test', client), 'b.test', 'the PFX, with a client certificate');
    const refused = await subject(portOf(server, 1), 'b.test').then(
      () => false,
      () => true,
    );
    assert.ok(refused, 'no client certificate: refused');
  } finally {
    await server.stop(500);
  }
});

test('workers: a number as given, "auto" as the number of cores, unset when not configured', () => {
  assert.is(loadConfiguration({ env: {}, code: { workers: 3 } }).workers, 3);
  assert.is(loadConfiguration({ env: {}, code: { workers: 'auto' } }).workers, availableParallelism());
  assert.is(loadConfiguration({ env: {} }).workers, undefined);
});

test.after(() => dir.remove());
test.run();
