// Pebble (Let's Encrypt's test ACME CA, the Debian package `pebble`) and its challenge test server
// as a DNS server that resolves every name to 127.0.0.1, started by a test on free ports with a
// generated config. Pebble validates HTTP-01 and TLS-ALPN-01 at the ports it is configured with,
// where the test's tiercel server listens.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Daemon, canConnect, freePort } from './daemon.js';
import { makeLeaf, type Pem } from './tls-certificates.js';
import { pollUntil } from './tls-server.js';

function installed(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Why the Pebble tests cannot run here, or undefined when they can. */
export const pebbleMissing: string | undefined =
  installed('pebble') && installed('pebble-challtestsrv') ? undefined : 'pebble and pebble-challtestsrv are not installed (apt-get install pebble): the ACME tests are skipped';

export interface PebbleOptions {
  /** Where Pebble validates HTTP-01 and TLS-ALPN-01 (the test server's cleartext and TLS ports). */
  readonly httpPort: number;
  readonly tlsPort: number;
  /** The lifetime of the certificates it issues, in seconds. */
  readonly validitySeconds: number;
}

export class Pebble {
  private constructor(
    readonly dir: string,
    private readonly pebble: Daemon,
    private readonly dns: Daemon,
    /** The certificate of Pebble's own HTTPS (its directory), to trust as `caCertificates`. */
    readonly serverCa: string,
    readonly directory: string,
    readonly managementPort: number,
    readonly dnsManagementPort: number,
  ) {}

  static async start(options: PebbleOptions): Promise<Pebble> {
    const dir = mkdtempSync(join(tmpdir(), 'tiercel-pebble-'));
    const [acmePort, managementPort, dnsPort, dnsManagementPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const own: Pem = await makeLeaf(['localhost', '127.0.0.1']);
    writeFileSync(join(dir, 'cert.pem'), own.cert);
    writeFileSync(join(dir, 'key.pem'), own.key);
    writeFileSync(
      join(dir, 'pebble.json'),
      JSON.stringify({
        pebble: {
          listenAddress: `127.0.0.1:${acmePort}`,
          managementListenAddress: `127.0.0.1:${managementPort}`,
          certificate: join(dir, 'cert.pem'),
          privateKey: join(dir, 'key.pem'),
          httpPort: options.httpPort,
          tlsPort: options.tlsPort,
          ocspResponderURL: '',
          externalAccountBindingRequired: false,
          certificateValidityPeriod: options.validitySeconds,
        },
      }),
    );
    const dns = await Daemon.start(
      'pebble-challtestsrv',
      ['-defaultIPv4', '127.0.0.1', '-defaultIPv6', '', '-dns01', `127.0.0.1:${dnsPort}`, '-http01', '', '-https01', '', '-tlsalpn01', '', '-management', `127.0.0.1:${dnsManagementPort}`],
      dnsManagementPort,
    );
    // No sleeps before validating, no deliberately bad nonces, and a fresh authorization (so a
    // fresh challenge) for every order.
    const env = { PEBBLE_VA_NOSLEEP: '1', PEBBLE_VA_ALWAYS_VALID: '0', PEBBLE_WFE_NONCEREJECT: '0', PEBBLE_AUTHZREUSE: '0' };
    const pebble = await Daemon.start('pebble', ['-config', join(dir, 'pebble.json'), '-dnsserver', `127.0.0.1:${dnsPort}`], acmePort, env).catch(async (err: unknown) => {
      await dns.stop('SIGTERM');
      throw err;
    });
    // Pebble opens its management listener (roots, used at once by the tests) beside the ACME one, not
    // before it: under load a CI run asked for the root before it listened (all of acme.test failed).
    await pollUntil(`pebble's management port ${managementPort}`, () => canConnect(managementPort), 10_000).catch(async (err: Error) => {
      await pebble.stop('SIGTERM');
      await dns.stop('SIGTERM');
      throw new Error(`${err.message}; pebble said: ${pebble.output}`);
    });
    return new Pebble(dir, pebble, dns, own.cert, `https://127.0.0.1:${acmePort}/dir`, managementPort, dnsManagementPort);
  }

  /** The root that Pebble's certificates chain to (made anew at each start). */
  root(): Promise<string> {
    return this.#get(`https://127.0.0.1:${this.managementPort}/roots/0`);
  }

  /** Resolves `host` to `address` from now on (an address where nothing answers makes its challenges fail). */
  async resolveTo(host: string, address: string): Promise<void> {
    await postJson(this.dnsManagementPort, '/add-a', { host, addresses: [address] });
  }

  /** Back to the default, 127.0.0.1. */
  async resetAddress(host: string): Promise<void> {
    await postJson(this.dnsManagementPort, '/clear-a', { host });
  }

  async stop(): Promise<void> {
    await this.pebble.stop('SIGTERM');
    await this.dns.stop('SIGTERM');
    rmSync(this.dir, { recursive: true, force: true });
  }

  #get(url: string): Promise<string> {
    return new Promise((resolve, reject) => {
      https
        .get(url, { ca: this.serverCa, agent: false }, (res) => {
          let body = '';
          res.setEncoding('utf8').on('data', (d: string) => (body += d));
          res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`${url}: ${res.statusCode} ${body}`))));
        })
        .on('error', reject);
    });
  }
}

/** A POST to pebble-challtestsrv's management API (plain HTTP). */
function postJson(port: number, path: string, body: object): Promise<void> {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) };
    const req = http.request({ host: '127.0.0.1', port, path, method: 'POST', agent: false, headers }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`${path}: ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(data);
  });
}
