import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's chromium (`apt-get install chromium`); playwright-core never downloads a browser. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface LaunchedBrowser {
  browser: Browser;
  close(): Promise<void>;
}

/**
 * Headless Chromium with the flags this closed network needs (no background networking, no
 * component updates), a fresh profile (playwright makes one per launch), and `args` (e.g. `--ignore-certificate-errors-spki-list`).
 * Returns undefined, loudly, when Chromium is missing outside CI; under CI=true it is an error.
 */
export async function launchChromium(args: string[] = []): Promise<LaunchedBrowser | undefined> {
  if (!existsSync(CHROMIUM)) {
    if (process.env.CI === 'true') throw new Error(`CI=true but ${CHROMIUM} is missing: .ci/run installs Debian's chromium`);
    console.warn(`\n!!! SKIPPING browser tests: ${CHROMIUM} is missing (apt-get install chromium)\n`);
    return undefined;
  }
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
