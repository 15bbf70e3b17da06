import type { Callback, Test } from 'uvu';

/**
 * How to register tests that need something this machine may lack (Chromium, the shared
 * conformance corpus, a POSIX platform). With `missing` undefined it is `test` itself; otherwise
 * every test is registered with uvu's `test.skip`, so the summary counts it as skipped, never as
 * passed, and the reason is printed once. `missing` says what is absent and how to get it.
 * CI installs everything: under CI=true, scripts/test.mjs fails a run that skipped anything.
 */
export function testRequiring<T>(test: Test<T>, missing: string | undefined): (name: string, body: Callback<T>) => void {
  if (missing === undefined) return test;
  let warned = false;
  return (name) => {
    if (!warned) {
      warned = true;
      console.warn(`\n!!! SKIPPED: ${missing}\n`);
    }
    test.skip(name);
  };
}
