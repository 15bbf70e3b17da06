// The soak's settings, from the environment, every value checked (nothing is silently fixed).
import os from 'node:os';
import { join, resolve } from 'node:path';

export const SCHEMES = ['http', 'https'];

/** Every variable the soak reads, in the order the report's command lists them. */
export const ENV_KEYS = [
  'SOAK_SCHEMES', 'SOAK_REQUESTS', 'SOAK_TLS_REQUESTS', 'SOAK_CONNECTS', 'SOAK_WS_CYCLES',
  'SOAK_CONNECTIONS', 'SOAK_CONCURRENCY', 'SOAK_WARMUP', 'SOAK_RSS_TOLERANCE', 'SOAK_SAMPLE_MS', 'SOAK_GC_MS', 'SOAK_SEMI_SPACE_MB',
  'SOAK_SETTLE_MS', 'SOAK_CYCLE_TIMEOUT_MS', 'SOAK_SERVER_CPU', 'SOAK_CLIENT_CPU', 'SOAK_START_TIMEOUT', 'SOAK_REPORT', 'SOAK_SAMPLES',
];

export function readSettings(env, benchDir) {
  const problems = [];
  const int = (key, fallback, min, max = Number.MAX_SAFE_INTEGER) => {
    if (env[key] === undefined || env[key] === '') return fallback;
    const value = Number(env[key].replaceAll('_', ''));
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${key} must be a whole number from ${min}${max === Number.MAX_SAFE_INTEGER ? ' up' : ` to ${max}`} (got "${env[key]}")`);
    }
    return value;
  };
  const requests = int('SOAK_REQUESTS', 10_000_000, 1);
  const schemes = env.SOAK_SCHEMES ? env.SOAK_SCHEMES.split(',').map((s) => s.trim()).filter(Boolean) : SCHEMES;
  const unknown = schemes.filter((s) => !SCHEMES.includes(s));
  if (unknown.length > 0 || schemes.length === 0) problems.push(`SOAK_SCHEMES takes ${SCHEMES.join(', ')} (got "${env.SOAK_SCHEMES}")`);
  const cpus = os.availableParallelism();
  // With one CPU there is nothing to pin apart; leave both unpinned.
  const pin = cpus > 1;
  const settings = {
    schemes,
    requests: { http: requests, https: int('SOAK_TLS_REQUESTS', requests, 1) },
    connects: int('SOAK_CONNECTS', 100_000, 1),
    wsCycles: int('SOAK_WS_CYCLES', 10_000, 1),
    connections: int('SOAK_CONNECTIONS', 64, 1, 10_000),
    concurrency: int('SOAK_CONCURRENCY', 32, 1, 10_000),
    warmupFraction: int('SOAK_WARMUP', 20, 0, 90) / 100,
    rssTolerance: int('SOAK_RSS_TOLERANCE', 5, 1, 100) / 100,
    sampleMs: int('SOAK_SAMPLE_MS', 1000, 10),
    gcEveryMs: int('SOAK_GC_MS', 10_000, 0),
    // V8's default largest semi-space on 64-bit machines; 0 leaves the young generation to V8.
    semiSpaceMiB: int('SOAK_SEMI_SPACE_MB', 16, 0, 1024),
    settleMs: int('SOAK_SETTLE_MS', 15_000, 100),
    cycleTimeoutMs: int('SOAK_CYCLE_TIMEOUT_MS', 10_000, 100),
    serverCpu: pin ? int('SOAK_SERVER_CPU', 1, 0, cpus - 1) : undefined,
    clientCpu: pin ? int('SOAK_CLIENT_CPU', 0, 0, cpus - 1) : undefined,
    startTimeoutMs: int('SOAK_START_TIMEOUT', 15_000, 100),
    // '-' writes no report (the smoke test's choice); a relative path is from the repository root.
    report: env.SOAK_REPORT === '-' ? null : env.SOAK_REPORT ? resolve(benchDir, '..', env.SOAK_REPORT) : join(benchDir, 'SOAK.md'),
    // Every sample of every keep-alive phase as JSON, for a closer look at memory; none by default.
    samples: env.SOAK_SAMPLES ? resolve(benchDir, '..', env.SOAK_SAMPLES) : null,
  };
  return { settings, problems };
}

/** The command that repeats this run: the variables that were set, then `npm run soak`. */
export function reproduceCommand(env) {
  const set = ENV_KEYS.filter((k) => env[k]).map((k) => `${k}=${env[k]}`);
  return [...set, 'npm run soak'].join(' ');
}
