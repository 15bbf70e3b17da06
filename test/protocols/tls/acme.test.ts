// Automatic HTTPS end to end against Pebble (Let's Encrypt's test CA): HTTP-01 answered on the
// cleartext endpoint, TLS-ALPN-01 in the TLS middleware, the store reused across a restart,
// renewal from a short certificate lifetime, a failed order that keeps the old certificate, a
// production server without a certificate, and two servers sharing a store ordering once.
// Certificates are checked with node's TLS client and curl against Pebble's root.
import 'reflect-metadata';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { ENVIRONMENT, LOGGER_FACTORY, readEnvironment } from '../../../di/index.js';
import { Server } from '../../../hosting/index.js';
import { ApplicationBuilder } from '../../../pipeline/index.js';
import type { AcmeOptions } from '../../../protocols/tls/configuration.js';
import { AcmeStore } from '../../../protocols/tls/acme-store.js';
import { RecordingLoggerFactory, waitFor } from '../../di/support.js';
import { freePort } from '../../support/daemon.js';
import { Pebble, pebbleMissing } from '../../support/pebble.js';
import { testRequiring } from '../../support/skip.js';

const test = suite('acme');
const it = testRequiring(test, pebbleMissing);
const work = mkdtempSync(join(tmpdir(), 'tiercel-acme-'));
const store = join(work, 'store');
const app = new ApplicationBuilder().run((ctx) => ctx.response.send(`hello ${ctx.request.host}`));

let pebble: Pebble;
let root: string;
let httpPort: number;
let tlsPort: number;

test.before(async () => {
  if (pebbleMissing !== undefined) return;
  httpPort = await freePort();
  tlsPort = await freePort();
  // 30 s certificates: the default renewal (2/3) stays out of every test; the renewal test asks for 0.1.
  try {
    pebble = await Pebble.start({ httpPort, tlsPort, validitySeconds: 30 });
    root = await pebble.root();
  } catch (err) {
    // uvu fails every test of a file whose before hook throws without saying why: say it here.
    console.error('acme.test: Pebble did not start:', err);
    throw err;
  }
  writeFileSync(join(work, 'root.pem'), root);
});

test.after(async () => {
  await pebble?.stop();
  rmSync(work, { recursive: true, force: true });
});

function acme(domains: string[], more: Partial<AcmeOptions> = {}): AcmeOptions {
  return {
    directory: pebble.directory,
    caCertificates: pebble.serverCa,
    email: 'ops@example.com',
    domains,
    agreeToTerms: true,
    store,
    // Small waits so that a test takes seconds, not minutes.
    pollIntervalMs: 50,
    retryMinMs: 200,
    retryMaxMs: 400,
    requestTimeoutMs: 5_000,
    orderTimeoutMs: 10_000,
    lockStaleMs: 20_000,
    ...more,
  };
}

interface Running {
  readonly server: Server;
  readonly logs: RecordingLoggerFactory;
  readonly port: number;
}

/** A server with `acme` on its HTTPS endpoint, on Pebble's challenge ports unless `port` is given (then HTTPS only). */
async function serve(options: AcmeOptions, settings: { production?: boolean; port?: number; cleartext?: boolean } = {}): Promise<Running> {
  const server = new Server({ shutdownTimeoutMs: 1_000 });
  const logs = new RecordingLoggerFactory();
  server.services.register(LOGGER_FACTORY, { useValue: logs });
  server.services.register(ENVIRONMENT, {
    useValue: readEnvironment({ NODE_ENV: settings.production === true ? 'production' : 'test', TIERCEL_DEV_CERT_DIR: join(work, 'dev-cert') }),
  });
  const port = settings.port ?? tlsPort;
  if (settings.port === undefined && settings.cleartext !== false) server.listen(`http://127.0.0.1:${httpPort}`);
  server.listen(`https://127.0.0.1:${port}`, (ep) => ep.useHttps({ acme: options }));
  server.useHttp(app);
  await server.start();
  return { server, logs, port };
}

/** The certificate served for `name`, verified against Pebble's root; null while it does not verify (the fallback, or none). */
function served(port: number, name: string): Promise<tls.PeerCertificate | null> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername: name, ca: root, rejectUnauthorized: false }, () => {
      const cert = socket.getPeerCertificate();
      socket.destroy();
      resolve(socket.authorized ? cert : null);
    });
    socket.on('error', () => resolve(null));
  });
}

async function issued(port: number, name: string, other?: string): Promise<tls.PeerCertificate> {
  let cert: tls.PeerCertificate | null = null;
  const until = Date.now() + 15_000;
  while (Date.now() < until) {
    cert = await served(port, name);
    if (cert !== null && cert.serialNumber !== other) return cert;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for a Pebble certificate for ${name}${other === undefined ? '' : ` other than ${other}`}`);
}

function portOf(server: Server): number {
  return (server.endpoints[0] as { port: number }).port;
}

function events(logs: RecordingLoggerFactory, event: string): RecordingLoggerFactory['lines'] {
  return logs.of('tiercel.tls').filter((l) => l.fields?.event === event);
}

function orders(logs: RecordingLoggerFactory): number {
  return events(logs, 'AcmeOrdering').length;
}

function curl(port: number, name: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('curl', ['-sS', '--max-time', '5', '--cacert', join(work, 'root.pem'), '--resolve', `${name}:${port}:127.0.0.1`, `https://${name}:${port}/`], (err, stdout, stderr) =>
      // The app answers with the Host header, which curl sends with the port.
      err ? reject(new Error(`curl: ${stderr}`)) : resolve(stdout.replace(`:${port}`, '')),
    );
  });
}

let firstSerial = '';

it('orders a certificate through HTTP-01 answered on the cleartext endpoint; curl and node verify it', async () => {
  const { server, logs } = await serve(acme(['a.acme.test'], { challenges: ['http-01'] }));
  try {
    const cert = await issued(tlsPort, 'a.acme.test');
    firstSerial = cert.serialNumber;
    assert.match(cert.subjectaltname ?? '', 'DNS:a.acme.test');
    assert.is(await curl(tlsPort, 'a.acme.test'), 'hello a.acme.test');
    assert.is(orders(logs), 1);
    // The challenge is gone with the order: the path answers 404, never the app.
    const res = await fetch(`http://127.0.0.1:${httpPort}/.well-known/acme-challenge/nothing`);
    assert.is(res.status, 404);
    assert.is(await res.text(), '');
    // Keys are secrets: the store is 0700, its files 0600.
    const dir = join(store, readdirSync(store)[0]);
    assert.is(statSync(dir).mode & 0o777, 0o700);
    for (const f of readdirSync(dir)) {
      const st = statSync(join(dir, f));
      assert.is(st.mode & 0o777, st.isDirectory() ? 0o700 : 0o600, f);
    }
  } finally {
    await server.stop();
  }
});

it('reuses the stored account and certificate after a restart: no new order', async () => {
  const dir = join(store, readdirSync(store)[0]);
  const accountKey = readFileSync(join(dir, 'account.key'), 'utf8');
  const { server, logs } = await serve(acme(['a.acme.test'], { challenges: ['http-01'] }));
  try {
    const cert = await issued(tlsPort, 'a.acme.test');
    assert.is(cert.serialNumber, firstSerial);
    assert.is(orders(logs), 0);
    assert.is(readFileSync(join(dir, 'account.key'), 'utf8'), accountKey);
  } finally {
    await server.stop();
  }
});

it('orders through TLS-ALPN-01 answered in the TLS middleware (no cleartext endpoint)', async () => {
  const { server, logs } = await serve(acme(['b.acme.test'], { challenges: ['tls-alpn-01'] }), { cleartext: false });
  try {
    const cert = await issued(tlsPort, 'b.acme.test');
    assert.match(cert.subjectaltname ?? '', 'DNS:b.acme.test');
    assert.is(await curl(tlsPort, 'b.acme.test'), 'hello b.acme.test');
    assert.is(orders(logs), 1);
  } finally {
    await server.stop();
  }
});

it('renews from a fraction of the lifetime; a failed renewal keeps the old certificate serving, and a retry replaces it', async () => {
  const { server, logs } = await serve(acme(['c.acme.test'], { challenges: ['http-01'], renewAfter: 0.1 }));
  try {
    const first = await issued(tlsPort, 'c.acme.test');
    // The CA now finds nothing at the name's address: the renewal (3 s in) fails validation.
    await pebble.resolveTo('c.acme.test', '127.0.0.2');
    await waitFor('a failed renewal', () => events(logs, 'AcmeOrderFailed').length > 0, 15_000);
    const failure = events(logs, 'AcmeOrderFailed')[0];
    assert.is(failure.level, 'error');
    assert.is((failure.fields?.err as { code?: string }).code, 'ERR_TIERCEL_ACME_ORDER_FAILED');
    assert.is((failure.fields?.err as { stage?: string }).stage, 'ca');
    assert.match(failure.message, 'still serving the certificate');
    // The certificate in service when the renewal failed: the first, unless a renewal due at once
    // (Pebble backdates its certificates) succeeded before the address was changed.
    const serving = events(logs, 'AcmeCertificateServing').at(-1)?.fields?.serialNumber as string;
    assert.ok(serving === first.serialNumber || events(logs, 'AcmeCertificateServing').length > 1, serving);
    assert.is((await served(tlsPort, 'c.acme.test'))?.serialNumber, serving);
    await pebble.resetAddress('c.acme.test');
    // The back-off retry succeeds; new handshakes get the new certificate, without a restart.
    const renewed = await issued(tlsPort, 'c.acme.test', serving);
    assert.is.not(renewed.serialNumber, serving);
    assert.is(await curl(tlsPort, 'c.acme.test'), 'hello c.acme.test');
  } finally {
    await server.stop();
  }
});

it('in production, a name without a certificate yet fails its handshake (no-certificate, not a timeout), warned once per name', async () => {
  // A CA that never answers: nothing listens at its port.
  const unreachable = `https://127.0.0.1:${await freePort()}/dir`;
  const { server, logs } = await serve(acme(['d.acme.test'], { directory: unreachable, retryMinMs: 60_000, retryMaxMs: 60_000 }), { production: true, port: await freePort() });
  try {
    const port = portOf(server);
    for (let i = 0; i < 3; i++) {
      const error = await new Promise<Error | null>((resolve) => {
        const socket = tls.connect({ host: '127.0.0.1', port, servername: 'd.acme.test', rejectUnauthorized: false }, () => {
          socket.destroy();
          resolve(null);
        });
        socket.on('error', resolve);
      });
      assert.ok(error !== null, 'the handshake must fail');
    }
    // Each failed at certificate selection, not at the handshake timeout.
    const failures = events(logs, 'TlsHandshakeFailed').map((l) => l.fields?.reason);
    assert.equal(failures, ['no-certificate', 'no-certificate', 'no-certificate']);
    const warnings = events(logs, 'AcmeNoCertificateYet');
    assert.is(warnings[0]?.fields?.serverName, 'd.acme.test');
    assert.is(warnings.length, 1);
    await waitFor('the failed order logged', () => events(logs, 'AcmeOrderFailed').length > 0, 8_000);
    assert.is((events(logs, 'AcmeOrderFailed')[0].fields?.err as { code?: string }).code, 'ERR_TIERCEL_ACME_ORDER_FAILED');
  } finally {
    await server.stop();
  }
});

it('two servers sharing a store order once: the second serves what the first stored (the wait itself: the lock test below)', async () => {
  const options = acme(['e.acme.test'], { challenges: ['http-01'] });
  const first = await serve(options);
  let second: Running | undefined;
  try {
    await waitFor('the first order under way', () => orders(first.logs) === 1, 5_000);
    second = await serve(options, { port: await freePort() });
    const a = await issued(tlsPort, 'e.acme.test');
    const b = await issued(portOf(second.server), 'e.acme.test');
    assert.is(b.serialNumber, a.serialNumber);
    assert.is(orders(first.logs) + orders(second.logs), 1);
  } finally {
    await second?.server.stop();
    await first.server.stop();
  }
});

it('a lock held by another instance defers the order until it is released; a stale lock is taken over', async () => {
  const dir = new AcmeStore(store, pebble.directory).dir;
  mkdirSync(dir, { recursive: true });
  const lock = join(dir, 'f.acme.test.lock');
  writeFileSync(lock, 'another instance\n');
  const held = await serve(acme(['f.acme.test'], { challenges: ['http-01'] }));
  try {
    await waitFor('the wait for the lock logged', () => events(held.logs, 'AcmeWaitingForLock').length === 1, 5_000);
    await new Promise((r) => setTimeout(r, 300));
    assert.is(orders(held.logs), 0);
    assert.is(await served(tlsPort, 'f.acme.test'), null);
    // The instance ordering may be another process on the same port (cluster workers): an answer it
    // published in the shared store is served here too; a token that names another file is not.
    mkdirSync(join(dir, 'http-01'), { recursive: true });
    writeFileSync(join(dir, 'http-01', 'tok_EN-1'), 'tok_EN-1.thumbprint');
    const shared = await fetch(`http://127.0.0.1:${httpPort}/.well-known/acme-challenge/tok_EN-1`);
    assert.is(shared.status, 200);
    assert.is(await shared.text(), 'tok_EN-1.thumbprint');
    const escape = await fetch(`http://127.0.0.1:${httpPort}/.well-known/acme-challenge/..%2Faccount.key`);
    assert.is(escape.status, 404);
    rmSync(lock);
    await issued(tlsPort, 'f.acme.test');
    assert.is(orders(held.logs), 1);
  } finally {
    await held.server.stop();
  }
  // A lock older than lockStaleMs: its holder died mid-order.
  writeFileSync(lock, 'a dead instance\n');
  const old = new Date(Date.now() - 60_000);
  utimesSync(lock, old, old);
  const stale = await serve(acme(['f.acme.test', 'g.acme.test'], { challenges: ['http-01'] }));
  try {
    await issued(tlsPort, 'g.acme.test');
    assert.is(orders(stale.logs), 1);
  } finally {
    await stale.server.stop();
  }
});

test.run();
