import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface DevCertificateOptions {
  /**
   * Where the certificate lives. Default `~/.tiercel/dev-cert/` (one certificate per user, shared
   * by every project, like `dotnet dev-certs`). The server and the CLI pass `$TIERCEL_DEV_CERT_DIR`
   * here when it is set (the environment is read in di/, never here).
   */
  dir?: string;
}

export interface DevCertificate {
  readonly certFile: string;
  readonly keyFile: string;
  /** True when this call made a new certificate (none there, expired, or unusable). */
  readonly created: boolean;
}

/** File names inside the folder. */
export const DEV_CERT_FILE = 'localhost.crt';
export const DEV_KEY_FILE = 'localhost.key';

/** A certificate that expires within this margin is replaced, so a running dev server does not hit the date. */
const RENEW_BEFORE_MS = 24 * 60 * 60 * 1000;
const VALID_FOR_MS = 365 * 24 * 60 * 60 * 1000;

/**
 * A self-signed certificate for local development, valid for `localhost`, `127.0.0.1` and `::1`
 * (EC P-256, SHA-256, one year). An existing one is reused while it is valid, matches its key and
 * covers those names; otherwise a new one is written. The key is written with mode 0600 and the
 * folder with 0700. Trust `certFile` in your client (`curl --cacert`, Node's `ca`) — it is its own
 * CA. Never use it in production.
 */
export async function ensureDevCertificate(options: DevCertificateOptions = {}): Promise<DevCertificate> {
  const dir = options.dir ?? join(process.getBuiltinModule('node:os').homedir(), '.tiercel', 'dev-cert');
  const certFile = join(dir, DEV_CERT_FILE);
  const keyFile = join(dir, DEV_KEY_FILE);
  if (await isUsable(certFile, keyFile)) return { certFile, keyFile, created: false };

  // Loaded here, not at import: selfsigned (and its crypto library) costs ~100 ms to load, and
  // most processes never make a certificate.
  const { generate } = await import('selfsigned');
  const notBeforeDate = new Date(Date.now() - 60_000); // a minute back: clocks in VMs and containers drift
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate: new Date(notBeforeDate.getTime() + VALID_FOR_MS),
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // Key first: a server watching the folder that sees the new certificate finds its key there.
  await writeAtomically(keyFile, pems.private, 0o600);
  await writeAtomically(certFile, pems.cert, 0o644);
  return { certFile, keyFile, created: true };
}

/** Valid now and for at least a day more, matching its key, and covering every local name. */
async function isUsable(certFile: string, keyFile: string): Promise<boolean> {
  try {
    // node:crypto here, not at import: the certificate check is the only use, and importing
    // 'tiercel/hosting' should not pay for it.
    const { X509Certificate, createPrivateKey } = await import('node:crypto');
    const cert = new X509Certificate(await readFile(certFile));
    const key = createPrivateKey(await readFile(keyFile));
    const now = Date.now();
    return (
      new Date(cert.validFrom).getTime() <= now &&
      new Date(cert.validTo).getTime() > now + RENEW_BEFORE_MS &&
      cert.checkPrivateKey(key) &&
      cert.checkHost('localhost') !== undefined &&
      cert.checkIP('127.0.0.1') !== undefined &&
      cert.checkIP('::1') !== undefined
    );
  } catch {
    // Missing, unreadable or not PEM: make a new one.
    return false;
  }
}

/** Writes through a temporary file and a rename, so a reader never sees half a file. */
export async function writeAtomically(file: string, data: string, mode: number): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, data, { mode });
  // `mode` on writeFile is filtered by the umask and ignored for an existing file.
  await chmod(tmp, mode);
  await rename(tmp, file);
}
