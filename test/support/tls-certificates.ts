// Test certificates, made at test time (never committed): a CA, leaves it signs, client
// certificates, PKCS#12 bundles (through openssl), written to a temp folder.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';

export interface Pem {
  readonly cert: string;
  readonly key: string;
}

const DAY = 24 * 60 * 60 * 1000;

/** A CA certificate that can sign the others (EC P-256: fast to make). */
export async function makeCa(commonName = 'tiercel test CA'): Promise<Pem> {
  const pems = await generate([{ name: 'commonName', value: commonName }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate: new Date(Date.now() - DAY),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

export interface LeafOptions {
  /** Signed by this CA; self-signed without one. */
  readonly ca?: Pem;
  /** A client certificate (extKeyUsage clientAuth) instead of a server one. */
  readonly client?: boolean;
  /** Validity; default from a day ago for a year. */
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  /** Encrypt the private key with this passphrase. */
  readonly passphrase?: string;
}

/** A leaf certificate for `names` (DNS names or IP literals); the first is the common name. */
export async function makeLeaf(names: readonly string[], options: LeafOptions = {}): Promise<Pem> {
  const notBeforeDate = options.notBefore ?? new Date(Date.now() - DAY);
  const pems = await generate([{ name: 'commonName', value: names[0] }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate: options.notAfter ?? new Date(notBeforeDate.getTime() + 365 * DAY),
    ca: options.ca,
    passphrase: options.passphrase,
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: !options.client, clientAuth: options.client === true },
      { name: 'subjectAltName', altNames: names.map((n) => (isIP(n) ? { type: 7 as const, ip: n } : { type: 2 as const, value: n })) },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

/** A temp folder for certificate files; `remove()` deletes it. */
export class CertDir {
  readonly path = mkdtempSync(join(tmpdir(), 'tiercel-tls-'));

  file(name: string): string {
    return join(this.path, name);
  }

  /** Writes `text` to `name`; returns the path. */
  write(name: string, text: string | Buffer): string {
    writeFileSync(this.file(name), text);
    return this.file(name);
  }

  /** Writes `pem` as `<name>.crt` and `<name>.key`; returns the paths. */
  writePem(name: string, pem: Pem): { certFile: string; keyFile: string } {
    const certFile = this.file(`${name}.crt`);
    const keyFile = this.file(`${name}.key`);
    writeFileSync(keyFile, pem.key, { mode: 0o600 });
    writeFileSync(certFile, pem.cert);
    return { certFile, keyFile };
  }

  /** A PKCS#12 bundle of `pem` (and `chain`) under `passphrase`, made by the openssl command line. */
  pfx(name: string, pem: Pem, passphrase: string, chain?: string): Buffer {
    const { certFile, keyFile } = this.writePem(`${name}-for-pfx`, pem);
    const out = this.file(`${name}.pfx`);
    const args = ['pkcs12', '-export', '-inkey', keyFile, '-in', certFile, '-passout', `pass:${passphrase}`, '-out', out];
    if (chain !== undefined) {
      writeFileSync(this.file(`${name}-chain.crt`), chain);
      args.push('-certfile', this.file(`${name}-chain.crt`));
    }
    execFileSync('openssl', args);
    return readFileSync(out);
  }

  remove(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}
