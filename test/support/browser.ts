import { X509Certificate, createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

/** Debian's chromium (`apt-get install chromium`); playwright-core never downloads a browser. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface LaunchedBrowser {
  browser: Browser;
  close(): Promise<void>;
}

/** Why the browser tests cannot run here, or undefined when they can (for `testRequiring`). */
export function chromiumMissing(): string | undefined {
  return existsSync(CHROMIUM) ? undefined : `browser tests: ${CHROMIUM} is missing (apt-get install chromium, or set CHROMIUM_PATH)`;
}

/**
 * Headless Chromium with the flags this closed network needs (no background networking, no
 * component updates), a fresh profile (playwright makes one per launch), and `args` (e.g. `--ignore-certificate-errors-spki-list`).
 * Register the tests that call it with `testRequiring(test, chromiumMissing())`.
 */
export async function launchChromium(args: string[] = []): Promise<LaunchedBrowser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...args,
    ],
  });
  return {
    browser,
    close: () => browser.close(),
  };
}

/**
 * base64(SHA-256(SubjectPublicKeyInfo)) of a PEM certificate file: what Chromium's
 * `--ignore-certificate-errors-spki-list` takes. Trusting this one key (not every certificate)
 * keeps the rest of Chromium's TLS checks (names, validity, ALPN) honest.
 */
export function spkiHash(certFile: string): string {
  const spki = new X509Certificate(readFileSync(certFile)).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

/**
 * Runs `fn` with `TIERCEL_DEV_CERT_DIR` pointing at a fresh folder (so a test never touches
 * ~/.tiercel), then restores the variable and removes the folder.
 */
export async function withDevCertDir<T>(fn: (certDir: string) => Promise<T>): Promise<T> {
  const certDir = mkdtempSync(join(tmpdir(), 'tiercel-browser-dev-cert-'));
  const previous = process.env.TIERCEL_DEV_CERT_DIR;
  process.env.TIERCEL_DEV_CERT_DIR = certDir;
  try {
    return await fn(certDir);
  } finally {
    if (previous === undefined) delete process.env.TIERCEL_DEV_CERT_DIR;
    else process.env.TIERCEL_DEV_CERT_DIR = previous;
    rmSync(certDir, { recursive: true, force: true });
  }
}
