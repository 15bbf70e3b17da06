import { createHash, X509Certificate } from 'node:crypto';
import { chmod, mkdir, open, readFile, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { writeAtomically } from './dev-certificate.js';

/** A certificate as the store keeps it: the PEM chain (leaf first) and its key. */
export interface StoredCertificate {
  readonly cert: string;
  readonly key: string;
  /** The leaf's validity, and the names it covers (from its subjectAltName). */
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly serialNumber: string;
  readonly names: readonly string[];
}

export interface StoredAccount {
  readonly key: string;
  /** The account's URL at the CA, once registered. */
  readonly url: string | undefined;
}

/**
 * The ACME store on disk: one folder per CA directory (a staging CA never hands its account or
 * certificates to production), holding the account key and URL, and each certificate as
 * `<first name>.crt` + `.key`. Folders are 0700 and files 0600 (the keys are secrets); every
 * write goes through a temporary file and a rename, so a reader (another instance) never sees
 * half a file. A `<first name>.lock` file marks an order under way.
 */
export class AcmeStore {
  readonly dir: string;

  constructor(root: string, directoryUrl: string) {
    const url = new URL(directoryUrl);
    const tag = createHash('sha256').update(directoryUrl).digest('hex').slice(0, 8);
    this.dir = join(root, `${url.hostname}-${tag}`);
  }

  async readAccount(): Promise<StoredAccount | undefined> {
    const key = await readIfThere(join(this.dir, 'account.key'));
    if (key === undefined) return undefined;
    const meta = await readIfThere(join(this.dir, 'account.json'));
    let url: string | undefined;
    try {
      url = meta === undefined ? undefined : (JSON.parse(meta) as { url?: string }).url;
    } catch {
      // A broken account.json only loses the URL: the CA finds the account again by its key.
      url = undefined;
    }
    return { key, url: typeof url === 'string' ? url : undefined };
  }

  async writeAccount(account: StoredAccount): Promise<void> {
    await this.#ensureDir();
    await writeSecret(join(this.dir, 'account.key'), account.key);
    await writeSecret(join(this.dir, 'account.json'), JSON.stringify({ url: account.url }));
  }

  /** The stored certificate for `name`, or undefined when there is none or it does not parse. */
  async readCertificate(name: string): Promise<StoredCertificate | undefined> {
    const cert = await readIfThere(join(this.dir, `${name}.crt`));
    const key = await readIfThere(join(this.dir, `${name}.key`));
    if (cert === undefined || key === undefined) return undefined;
    try {
      return describe(cert, key);
    } catch {
      return undefined;
    }
  }

  /** Writes a certificate, key first: an instance that sees the new `.crt` finds its key. */
  async writeCertificate(name: string, cert: string, key: string): Promise<StoredCertificate> {
    const stored = describe(cert, key);
    await this.#ensureDir();
    await writeSecret(join(this.dir, `${name}.key`), key);
    await writeSecret(join(this.dir, `${name}.crt`), cert);
    return stored;
  }

  /**
   * Takes the order lock for `name`: true when taken (release it with `unlock`), false when a live
   * instance holds it. A lock older than `staleMs` belonged to an instance that died mid-order
   * and is taken over.
   */
  async tryLock(name: string, staleMs: number): Promise<boolean> {
    await this.#ensureDir();
    const file = join(this.dir, `${name}.lock`);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const handle = await open(file, 'wx', 0o600);
        await handle.writeFile(`${process.pid} ${new Date().toISOString()}\n`);
        await handle.close();
        return true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const since = await stat(file).then(
        (s) => Date.now() - s.mtimeMs,
        () => Infinity,
      );
      if (since < staleMs) return false;
      await unlink(file).catch(() => undefined);
    }
    return false;
  }

  /**
   * Publishes an HTTP-01 answer in the store, for the instances that share it: the CA's request
   * may reach any of them (cluster workers share the port), not only the one ordering.
   */
  async writeHttpChallenge(token: string, keyAuthorization: string): Promise<void> {
    await mkdir(join(this.dir, HTTP_CHALLENGES), { recursive: true, mode: 0o700 });
    await chmod(join(this.dir, HTTP_CHALLENGES), 0o700);
    await writeSecret(join(this.dir, HTTP_CHALLENGES, token), keyAuthorization);
  }

  async removeHttpChallenge(token: string): Promise<void> {
    await unlink(join(this.dir, HTTP_CHALLENGES, token)).catch(() => undefined);
  }

  async unlock(name: string): Promise<void> {
    await unlink(join(this.dir, `${name}.lock`)).catch(() => undefined);
  }

  async #ensureDir(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    // mkdir's mode is filtered by the umask, and an existing folder keeps its own.
    await chmod(this.dir, 0o700);
  }
}

/** The folder of published HTTP-01 answers, one file per token, inside a store's folder. */
export const HTTP_CHALLENGES = 'http-01';

/**
 * The HTTP-01 answer another instance published in the store folder `dir`, or undefined. A token
 * is base64url (RFC 8555 §8.1): anything else is not looked up, so no request names another file.
 */
export async function readHttpChallenge(dir: string, token: string): Promise<string | undefined> {
  if (!/^[A-Za-z0-9_-]{1,256}$/.test(token)) return undefined;
  return readIfThere(join(dir, HTTP_CHALLENGES, token)).catch(() => undefined);
}

function describe(cert: string, key: string): StoredCertificate {
  const leaf = new X509Certificate(cert);
  const names = (leaf.subjectAltName ?? '')
    .split(', ')
    .filter((n) => n.startsWith('DNS:'))
    .map((n) => n.slice(4).toLowerCase());
  return { cert, key, notBefore: new Date(leaf.validFrom), notAfter: new Date(leaf.validTo), serialNumber: leaf.serialNumber, names };
}

async function readIfThere(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function writeSecret(file: string, data: string): Promise<void> {
  return writeAtomically(file, data, 0o600);
}
