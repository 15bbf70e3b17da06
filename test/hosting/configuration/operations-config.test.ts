// The operator's settings for the proxy in front and for health, from a configuration file to
// real sockets: PROXY protocol per endpoint, forwarded headers in front of the app, health paths.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfiguration, type TiercelConfiguration } from '../../../hosting/index.js';
import { curl } from '../../support/clients.js';
import { body, runCli, started, stop, type CliRun } from '../../support/cli-process.js';
import { connectAndSend, readUntilClosed } from '../../support/proxy-headers.js';

const dir = mkdtempSync(join(tmpdir(), 'tiercel-ops-config-'));
const run = (args: string[]): CliRun => runCli(dir, args);
const web = (extra: object = {}): TiercelConfiguration['endpoints'] => ({ web: { url: 'http://127.0.0.1:0', ...extra } });

function keyOf(code: TiercelConfiguration): { key: string; message: string } {
  try {
    loadConfiguration({ env: {}, code });
  } catch (err) {
    assert.is((err as { code: string }).code, 'ERR_TIERCEL_CONFIG_INVALID', String(err));
    return err as { key: string; message: string };
  }
  throw new Error(`no error for ${JSON.stringify(code)}`);
}

const port = (url: string): number => Number(/:(\d+)$/.exec(url)![1]);

test('proxyProtocol, forwardedHeaders and health: every bad value is reported at its key', () => {
  const cases: [TiercelConfiguration, string, string][] = [
    [{ endpoints: web({ proxyProtocol: {} }) }, 'endpoints.web.proxyProtocol.trustedProxies', 'is required'],
    [{ endpoints: web({ proxyProtocol: { trustedProxies: ['loopback'], untrusted: 'drop' } }) }, 'endpoints.web.proxyProtocol.untrusted', 'must be one of "close", "serve"'],
    [{ endpoints: web({ proxyProtocol: { trustedProxies: ['loopback'], timeout: 5 } }) }, 'endpoints.web.proxyProtocol.timeout', 'is not a known key'],
    [{ endpoints: web({ proxyProtocol: { trustedProxies: [7] } }) }, 'endpoints.web.proxyProtocol.trustedProxies[0]', 'must be a non-empty string'],
    [{ endpoints: web({ proxyProtocol: { trustedProxies: ['loopback'], headerTimeoutMs: 0 } }) }, 'endpoints.web.proxyProtocol.headerTimeoutMs', ''],
    [{ endpoints: web({ proxyProtocol: { trustedProxies: ['not-an-address'] } }) }, 'endpoints.web.proxyProtocol.trustedProxies', 'not-an-address'],
    [{ forwardedHeaders: { trustedProxies: 'loopback' } } as unknown as TiercelConfiguration, 'forwardedHeaders.trustedProxies', 'must be an array of strings'],
    [{ forwardedHeaders: { trustedProxies: ['10.0.0.0/33'] } }, 'forwardedHeaders.trustedProxies', '10.0.0.0/33'],
    [{ forwardedHeaders: { trustedProxies: ['loopback'], maxHops: 0 } }, 'forwardedHeaders.maxHops', 'must be an integer from 1 to 16'],
    [{ forwardedHeaders: { trustedProxies: ['loopback'], headers: 'x-real-ip' } } as unknown as TiercelConfiguration, 'forwardedHeaders.headers', 'must be one of'],
    [{ health: { livenessPath: 'live' } }, 'health.livenessPath', "must be a path that starts with '/'"],
    [{ health: { livenessPath: '/same', readinessPath: '/same' } }, 'health.livenessPath', 'must differ'],
    [{ health: { timeoutMs: 1.5 } }, 'health.timeoutMs', 'positive integer'],
    [{ health: { eventLoopDelay: false } } as unknown as TiercelConfiguration, 'health.eventLoopDelay', 'is not a known key'],
  ];
  for (const [config, key, rule] of cases) {
    const err = keyOf(config);
    assert.is(err.key, key, err.message);
    assert.ok(err.message.startsWith(`${key}: `) && err.message.includes(rule), err.message);
  }
  // The checked options reach the resolved configuration as given.
  const ok = loadConfiguration({
    env: {},
    code: { endpoints: web({ proxyProtocol: { trustedProxies: ['10.0.0.0/8'], untrusted: 'serve' } }), forwardedHeaders: { trustedProxies: ['loopback'], maxHops: 2 }, health: { readinessPath: '/ready' } },
  });
  assert.equal(ok.endpoints[0].proxyProtocol, { trustedProxies: ['10.0.0.0/8'], untrusted: 'serve' });
  assert.equal(ok.forwardedHeaders, { trustedProxies: ['loopback'], maxHops: 2 });
  assert.equal(ok.health, { readinessPath: '/ready' });
});

test('tiercel serve --config: a PROXY v1 header on a proxied endpoint, X-Forwarded-For from a trusted loopback peer, health on its paths', async () => {
  writeFileSync(
    join(dir, 'ops.json'),
    JSON.stringify({
      endpoints: {
        proxied: { url: 'http://127.0.0.1:0', proxyProtocol: { trustedProxies: ['loopback'], headerTimeoutMs: 2000 } },
        direct: { url: 'http://127.0.0.1:0' },
      },
      forwardedHeaders: { trustedProxies: ['loopback'] },
      health: { livenessPath: '/live', readinessPath: '/ready' },
      logLevel: 'warn',
    }),
  );
  const r = run(['serve', '--config', 'ops.json']);
  const [proxied, direct] = await started(r);
  try {
    // The header as HAProxy's send-proxy writes it, then a request on the same connection.
    const socket = await connectAndSend(
      port(proxied),
      Buffer.from('PROXY TCP4 203.0.113.7 127.0.0.1 51234 80\r\nGET /whoami HTTP/1.1\r\nhost: app.example\r\nconnection: close\r\n\r\n', 'latin1'),
    );
    const { data } = await readUntilClosed(socket);
    const text = data.toString('latin1');
    assert.ok(text.startsWith('HTTP/1.1 200'), text);
    const who = JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as { remoteAddress: string; remotePort: number };
    assert.is(who.remoteAddress, '203.0.113.7');
    assert.is(who.remotePort, 51234);
    // The middleware is first on that endpoint: a request without the header never reaches HTTP.
    const bare = await readUntilClosed(await connectAndSend(port(proxied), Buffer.from('GET /whoami HTTP/1.1\r\nhost: x\r\n\r\n', 'latin1')));
    assert.is(bare.data.length, 0, bare.data.toString('latin1'));
    // The other endpoint takes no header; the app believes the loopback proxy's X-Forwarded-*.
    const forwarded = JSON.parse(await body(`${direct}/whoami`, '-H', 'X-Forwarded-For: 198.51.100.9, 192.0.2.1', '-H', 'X-Forwarded-Host: shop.example')) as { remoteAddress: string; host: string };
    assert.is(forwarded.remoteAddress, '192.0.2.1');
    assert.is(forwarded.host, 'shop.example');
    // Health on the configured paths, not the defaults.
    for (const path of ['/live', '/ready']) {
      const res = await curl(['-sS', '-w', '\n%{http_code}', `${direct}${path}`]);
      const [json, code] = res.stdout.toString().split('\n');
      assert.is(code, '200', path);
      assert.is((JSON.parse(json) as { status: string }).status, 'healthy');
    }
    const old = await curl(['-sS', '-o', '/dev/null', '-w', '%{http_code}', `${direct}/healthz`]);
    assert.is(old.stdout.toString(), '404');
  } finally {
    await stop(r);
  }
});

test('tiercel serve --config: X-Forwarded-For from a peer that is not a trusted proxy is ignored', async () => {
  writeFileSync(join(dir, 'untrusted.json'), JSON.stringify({ endpoints: web(), forwardedHeaders: { trustedProxies: ['10.0.0.1'] }, logLevel: 'warn' }));
  const r = run(['serve', '--config', 'untrusted.json']);
  const [url] = await started(r);
  try {
    const who = JSON.parse(await body(`${url}/whoami`, '-H', 'X-Forwarded-For: 198.51.100.9')) as { remoteAddress: string };
    assert.is(who.remoteAddress, '127.0.0.1');
  } finally {
    await stop(r);
  }
});

test('tiercel serve --config: forwardedHeaders with an app module that exports a built app fails at start with the key', async () => {
  writeFileSync(join(dir, 'built-app.mjs'), "export default { handle(exchange) { exchange.response.end(); } };\n");
  writeFileSync(join(dir, 'fwd.json'), JSON.stringify({ endpoints: web(), forwardedHeaders: { trustedProxies: ['loopback'] } }));
  const r = run(['serve', 'built-app.mjs', '--config', 'fwd.json']);
  const [code] = await once(r.child, 'exit');
  assert.is(code, 1, r.output());
  assert.ok(r.output().includes('ERR_TIERCEL_CONFIG_INVALID: forwardedHeaders: needs an app module that exports a function'), r.output());
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
