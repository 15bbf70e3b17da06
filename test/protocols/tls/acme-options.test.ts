// The `acme` options, in code (`useHttps`) and in the configuration file: every rule refused with
// the key it breaks, before anything listens. (The ordering itself: acme.test.ts, against Pebble.)
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Server, loadConfiguration, type TiercelConfiguration } from '../../../hosting/index.js';
import { ACME_DEFAULTS, type AcmeOptions } from '../../../protocols/tls/configuration.js';

const base: AcmeOptions = { directory: 'https://acme.example/directory', domains: ['example.com'], agreeToTerms: true };

function refusal(acme: unknown): { code: string; option: string } {
  try {
    new Server().listen('https://127.0.0.1:0', (ep) => ep.useHttps({ acme: acme as AcmeOptions }));
  } catch (err) {
    return { code: (err as { code: string }).code, option: (err as { option: string }).option };
  }
  throw new Error('accepted');
}

test('useHttps refuses each bad acme option with ERR_TIERCEL_INVALID_OPTION naming it', () => {
  const cases: [unknown, string][] = [
    [{ ...base, agreeToTerms: false }, 'acme.agreeToTerms'],
    [{ ...base, directory: 'ftp://x/dir' }, 'acme.directory'],
    [{ ...base, domains: [] }, 'acme.domains'],
    [{ ...base, domains: ['*.example.com'] }, 'acme.domains[0]'],
    [{ ...base, domains: ['a.example.com', 'A.example.com'] }, 'acme.domains'],
    [{ ...base, email: 'not an address' }, 'acme.email'],
    [{ ...base, challenges: ['dns-01'] }, 'acme.challenges'],
    [{ ...base, renewAfter: 1 }, 'acme.renewAfter'],
    [{ ...base, retryMinMs: 0 }, 'acme.retryMinMs'],
    [{ ...base, retryMinMs: 10_000, retryMaxMs: 5_000 }, 'acme.retryMaxMs'],
    [{ ...base, orderTimeoutMs: 1_000, lockStaleMs: 1_000 }, 'acme.lockStaleMs'],
    [{ ...base, caCertificates: 42 }, 'acme.caCertificates'],
    [{ ...base, directoryUrl: 'x' }, 'acme.directoryUrl'],
  ];
  for (const [acme, option] of cases) assert.equal(refusal(acme), { code: 'ERR_TIERCEL_INVALID_OPTION', option }, option);
});

test('the defaults: renewal at two thirds of the lifetime, both challenge types, a lock that outlives an order', () => {
  assert.is(ACME_DEFAULTS.renewAfter, 2 / 3);
  assert.equal(ACME_DEFAULTS.challenges, ['http-01', 'tls-alpn-01']);
  assert.ok(ACME_DEFAULTS.lockStaleMs > ACME_DEFAULTS.orderTimeoutMs);
  assert.ok(ACME_DEFAULTS.retryMaxMs >= ACME_DEFAULTS.retryMinMs);
});

function configError(config: TiercelConfiguration): { code: string; key: string } {
  try {
    loadConfiguration({ code: config, env: {} });
  } catch (err) {
    return { code: (err as { code: string }).code, key: (err as { key: string }).key };
  }
  throw new Error('accepted');
}

test('the configuration file refuses bad acme keys with ERR_TIERCEL_CONFIG_INVALID naming the key', () => {
  const endpoint = (acme: unknown, url = 'https://127.0.0.1:0'): TiercelConfiguration => ({ endpoints: { site: { url, acme } as never } });
  const cases: [TiercelConfiguration, string][] = [
    [endpoint({ ...base, agreeToTerms: false }), 'endpoints.site.acme.agreeToTerms'],
    [endpoint({ ...base, domains: 'example.com' }), 'endpoints.site.acme.domains'],
    [endpoint({ ...base, challenges: ['dns-01'] }), 'endpoints.site.acme.challenges[0]'],
    [endpoint({ domains: ['example.com'], agreeToTerms: true }), 'endpoints.site.acme.directory'],
    [endpoint({ ...base, renewAfter: 2 }), 'endpoints.site.acme.renewAfter'],
    [endpoint({ ...base, caFile: '/nonexistent/ca.pem' }), 'endpoints.site.acme.caFile'],
    [endpoint({ ...base, colour: 'blue' }), 'endpoints.site.acme.colour'],
    [endpoint(base, 'http://127.0.0.1:0'), 'endpoints.site.acme'],
  ];
  for (const [config, key] of cases) assert.equal(configError(config), { code: 'ERR_TIERCEL_CONFIG_INVALID', key }, key);
});

test('a configuration file takes acme, with store and caFile relative to its folder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tiercel-acme-config-'));
  try {
    writeFileSync(join(dir, 'ca.pem'), '-----BEGIN CERTIFICATE-----\n');
    const file = join(dir, 'tiercel.json');
    writeFileSync(file, JSON.stringify({ endpoints: { site: { url: 'https://127.0.0.1:0', acme: { ...base, store: 'acme-store', caFile: 'ca.pem', challenges: ['tls-alpn-01'] } } } }));
    const acme = loadConfiguration({ file, env: {} }).endpoints[0].https?.acme;
    assert.is(acme?.store, join(dir, 'acme-store'));
    assert.equal(acme?.caCertificates, Buffer.from('-----BEGIN CERTIFICATE-----\n'));
    assert.equal(acme?.challenges, ['tls-alpn-01']);
    assert.equal(acme?.domains, ['example.com']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
