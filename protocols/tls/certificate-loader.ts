import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext, type SecureContext, type SecureContextOptions } from 'node:tls';
import { describeSource, type CertificateSource, type LoadedCertificate, type SharedContextOptions } from './certificate-source.js';
import { CertificateInvalidError } from './tls-errors.js';

/**
 * Reads a source and builds its secure context. Throws `CertificateInvalidError` with the reason
 * (a file that cannot be read, bad PEM or PFX, a key that does not match, a wrong passphrase):
 * OpenSSL checks all of these when the context is made, so nothing fails later in a handshake.
 */
export function loadCertificate(source: CertificateSource, shared: SharedContextOptions): LoadedCertificate {
  const name = describeSource(source);
  const read = (file: string): Buffer => {
    try {
      return readFileSync(file);
    } catch (err) {
      throw new CertificateInvalidError(name, `cannot read ${file}: ${(err as Error).message}`, { cause: err });
    }
  };
  let options: SecureContextOptions;
  let material: Buffer[];
  if ('pfxFile' in source || 'pfx' in source) {
    const pfx = 'pfx' in source ? source.pfx : read(source.pfxFile);
    options = { pfx, passphrase: source.passphrase };
    material = [pfx];
  } else {
    const files = 'certFile' in source;
    const cert = files ? read(source.certFile) : Buffer.from(source.cert);
    const key = files ? read(source.keyFile) : Buffer.from(source.key);
    const chainSource = files ? source.chainFile : source.chain;
    const chain = chainSource === undefined ? undefined : files ? read(chainSource as string) : Buffer.from(chainSource);
    // The leaf first, then the intermediates: the order OpenSSL sends them in.
    const fullChain = chain === undefined ? cert : Buffer.concat([cert, Buffer.from('\n'), chain]);
    options = { cert: fullChain, key, passphrase: source.passphrase };
    material = chain === undefined ? [cert, key] : [cert, key, chain];
  }
  let context: SecureContext;
  try {
    context = createSecureContext({ ...shared, ...options });
  } catch (err) {
    throw new CertificateInvalidError(name, explainOpenSslError(err), { cause: err });
  }
  const digest = createHash('sha256');
  for (const m of material) digest.update(m);
  let leaf: X509Certificate | undefined;
  if (options.cert !== undefined) {
    try {
      leaf = new X509Certificate(options.cert as Buffer);
    } catch {
      // OpenSSL accepted it; a parse failure here only costs the subject in the logs.
    }
  }
  return { context, digest: digest.digest('hex'), subject: leaf?.subject.replace(/\n/g, ', '), validTo: leaf ? new Date(leaf.validTo) : undefined };
}

/** OpenSSL's messages are terse codes; say in words what went wrong. */
function explainOpenSslError(err: unknown): string {
  const code = (err as { code?: string }).code ?? '';
  const message = (err as Error).message ?? String(err);
  if (code === 'ERR_OSSL_X509_KEY_VALUES_MISMATCH') return 'the private key does not match the certificate';
  if (code === 'ERR_OSSL_BAD_DECRYPT' || /mac verify failure|bad decrypt/i.test(message)) return 'the passphrase is wrong or missing';
  if (/no start line|unsupported|wrong tag|bad base64|asn1|decoder|too long|header too long|not enough data/i.test(message)) {
    return `the data is not a valid PEM certificate and key or PKCS#12 file (${message})`;
  }
  return message;
}
