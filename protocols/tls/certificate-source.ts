// Types and configuration checks only: loading a certificate (certificate-loader.ts) needs
// node:tls and node:crypto, which a server without an HTTPS endpoint never loads.
import type { SecureContext, SecureContextOptions } from 'node:tls';
import { InvalidOptionError } from '../../connection/index.js';

/** PEM files on disk: the leaf certificate, its private key and, optionally, the intermediates. */
export interface PemFileSource {
  readonly certFile: string;
  readonly keyFile: string;
  /** Intermediate certificates (PEM, leaf excluded), sent after the leaf. */
  readonly chainFile?: string;
  /** For an encrypted private key. */
  readonly passphrase?: string;
}

/** PEM text in memory (a secret store, an environment variable). */
export interface PemSource {
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
  /** Intermediate certificates (PEM, leaf excluded), sent after the leaf. */
  readonly chain?: string | Buffer;
  readonly passphrase?: string;
}

/** A PKCS#12 (.pfx/.p12) file holding key, certificate and chain. */
export interface PfxFileSource {
  readonly pfxFile: string;
  readonly passphrase?: string;
}

/** PKCS#12 bytes in memory. */
export interface PfxSource {
  readonly pfx: Buffer;
  readonly passphrase?: string;
}

/** Where a server certificate comes from. File sources can be reloaded when the files change. */
export type CertificateSource = PemFileSource | PemSource | PfxFileSource | PfxSource;

/**
 * What every secure context of one middleware shares, whichever certificate it holds: OpenSSL
 * verifies client certificates against the context chosen by SNI, so the CA goes into each.
 */
export type SharedContextOptions = Pick<SecureContextOptions, 'minVersion' | 'ca' | 'sessionIdContext'>;

/** A certificate loaded into a secure context. */
export interface LoadedCertificate {
  readonly context: SecureContext;
  /** sha256 of the source bytes: a reload that reads the same bytes changes nothing. */
  readonly digest: string;
  /** The leaf's subject and expiry (unknown for PFX, which is opaque until OpenSSL opens it). */
  readonly subject: string | undefined;
  readonly validTo: Date | undefined;
}

// The key sets tell the kinds apart; anything else in a source is a typo worth refusing.
const KINDS: readonly (readonly string[])[] = [
  ['certFile', 'keyFile', 'chainFile', 'passphrase'],
  ['cert', 'key', 'chain', 'passphrase'],
  ['pfxFile', 'passphrase'],
  ['pfx', 'passphrase'],
];
const REQUIRED: readonly (readonly string[])[] = [['certFile', 'keyFile'], ['cert', 'key'], ['pfxFile'], ['pfx']];
const SHAPES = '{ certFile, keyFile, chainFile?, passphrase? }, { cert, key, chain?, passphrase? }, { pfxFile, passphrase? } or { pfx, passphrase? }';

/** Checks the shape of a certificate source at configuration time (files are read by `loadCertificate`). */
export function checkCertificateSource(option: string, value: unknown): CertificateSource {
  if (typeof value !== 'object' || value === null) throw new InvalidOptionError(option, `must be one of ${SHAPES}`);
  const keys = Object.keys(value).filter((k) => (value as Record<string, unknown>)[k] !== undefined);
  const kind = REQUIRED.findIndex((required) => required.every((k) => keys.includes(k)));
  if (kind < 0 || keys.some((k) => !KINDS[kind].includes(k))) {
    throw new InvalidOptionError(option, `must be exactly one of ${SHAPES} (got keys: ${keys.join(', ') || 'none'})`);
  }
  for (const k of keys) {
    const v = (value as Record<string, unknown>)[k];
    const ok = k === 'pfx' ? Buffer.isBuffer(v) : k === 'cert' || k === 'key' || k === 'chain' ? typeof v === 'string' || Buffer.isBuffer(v) : typeof v === 'string';
    if (!ok || (typeof v === 'string' && v.length === 0)) throw new InvalidOptionError(`${option}.${k}`, 'must be a non-empty ' + (k === 'pfx' ? 'Buffer' : 'string'));
  }
  return value as CertificateSource;
}

/** The files a source reads (to watch), empty for in-memory sources. */
export function sourceFiles(source: CertificateSource): readonly string[] {
  if ('pfxFile' in source) return [source.pfxFile];
  if ('certFile' in source) return source.chainFile === undefined ? [source.certFile, source.keyFile] : [source.certFile, source.keyFile, source.chainFile];
  return [];
}

/** How a source is named in errors and logs (never its secrets). */
export function describeSource(source: CertificateSource): string {
  if ('pfxFile' in source) return `(PFX file ${source.pfxFile})`;
  if ('certFile' in source) return `(PEM files ${source.certFile}, ${source.keyFile})`;
  return 'pfx' in source ? '(PFX data)' : '(PEM data)';
}
