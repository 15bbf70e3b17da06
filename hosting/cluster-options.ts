import { InvalidOptionError, TiercelError, type LogFormat, type LogLevel } from '../connection/index.js';
import { availableCores } from './available-cores.js';

/** How `runClustered` runs a server on every core. Each default is given here, once, with where it comes from. */
export interface ClusterOptions {
  /**
   * Worker processes, each running the whole server; they share the listening sockets (node:cluster,
   * round-robin on Linux). Default `'auto'`: `os.availableParallelism()`, the cores this process may
   * use (what Node's cluster documentation and PM2's `-i max` use). `1` runs the server in this
   * process, with no cluster at all. At most 1024: a typo must not fork thousands of processes.
   */
  workers?: number | 'auto';
  /**
   * The wait before a worker that died is replaced; it doubles with every death in a row, up to
   * `maxRestartDelayMs`. Default 100 ms: a crash that is not a loop costs one tenth of a second.
   */
  restartDelayMs?: number;
  /** The ceiling of the doubling back-off. Default 10 s (systemd's `RestartSec` scale, PM2's `exp-backoff` ceiling is 15 s). */
  maxRestartDelayMs?: number;
  /**
   * A worker that lived this long was not part of a crash loop: its death starts the back-off from
   * `restartDelayMs` again. Default 30 s.
   */
  stableAfterMs?: number;
  /**
   * How long a new worker may take to be listening before it is killed and counts as a failed
   * start. Default 30 s (a cold start with TLS certificates to read is well under a second).
   */
  startTimeoutMs?: number;
  /**
   * How long past its own `shutdownTimeoutMs` the primary waits for a stopping worker before it kills
   * it (SIGKILL): the worker's server aborts its connections at its timeout, so this only catches a
   * worker whose event loop is stuck. Default 5 s.
   */
  stopGraceMs?: number;
  /** The level of the primary's console logger (category `tiercel.cluster`). Default 'info'. */
  logLevel?: LogLevel;
  /** The format of the primary's console logger: 'text' or 'json' (one object per line). Default 'text'. */
  logFormat?: LogFormat;
  /**
   * Whether the primary (or the single process) exits once a SIGINT or SIGTERM has stopped
   * everything: code 0 after a graceful stop, 1 after a second signal or a worker that had to be
   * killed, as `stopOnSignals` does. Default true.
   */
  exit?: boolean;
}

export const DEFAULT_CLUSTER_OPTIONS: Readonly<Required<ClusterOptions>> = Object.freeze({
  workers: 'auto',
  restartDelayMs: 100,
  maxRestartDelayMs: 10_000,
  stableAfterMs: 30_000,
  startTimeoutMs: 30_000,
  stopGraceMs: 5_000,
  logLevel: 'info',
  logFormat: 'text',
  exit: true,
});

/** The most workers `runClustered` forks. */
export const MAX_WORKERS = 1024;

/** Resolved options: `workers` is a count. */
export type ResolvedClusterOptions = Required<ClusterOptions> & { readonly workers: number };

const DURATIONS = ['restartDelayMs', 'maxRestartDelayMs', 'stableAfterMs', 'startTimeoutMs', 'stopGraceMs'] as const;

/** Applies defaults and rejects bad values at once, before any process is forked. */
export function resolveClusterOptions(options: ClusterOptions = {}): ResolvedClusterOptions {
  for (const key of Object.keys(options)) {
    if (!(key in DEFAULT_CLUSTER_OPTIONS)) {
      throw new InvalidOptionError(key, `is not a cluster option (known: ${Object.keys(DEFAULT_CLUSTER_OPTIONS).join(', ')})`);
    }
  }
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as ClusterOptions;
  const resolved = { ...DEFAULT_CLUSTER_OPTIONS, ...given };
  const workers = resolved.workers === 'auto' ? availableCores() : resolved.workers;
  if (!Number.isInteger(workers) || workers < 1 || workers > MAX_WORKERS) {
    throw new InvalidOptionError('workers', `must be 'auto' or a whole number from 1 to ${MAX_WORKERS}`);
  }
  for (const key of DURATIONS) {
    const v = resolved[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new InvalidOptionError(key, 'must be a finite number of milliseconds, 0 or more');
  }
  if (resolved.maxRestartDelayMs < resolved.restartDelayMs) {
    throw new InvalidOptionError('maxRestartDelayMs', 'must not be below restartDelayMs');
  }
  return { ...resolved, workers };
}

/** What a worker tells the primary once its server is listening. */
export interface WorkerListeningMessage {
  readonly tiercel: 'listening';
  readonly urls: string[];
  readonly shutdownTimeoutMs: number;
}

/** What the primary asks of a worker: a graceful stop (readiness 503, connections drain, then exit 0). */
export interface WorkerStopMessage {
  readonly tiercel: 'stop';
}

export function isClusterMessage<T extends WorkerListeningMessage | WorkerStopMessage>(message: unknown, kind: T['tiercel']): message is T {
  return typeof message === 'object' && message !== null && (message as { tiercel?: unknown }).tiercel === kind;
}

/** The workers of `runClustered` could not all start: one exited, or was not listening within `startTimeoutMs`. */
export class ClusterStartError extends TiercelError {
  constructor(readonly reason: string) {
    super('ERR_TIERCEL_CLUSTER_START', `The workers did not start: ${reason}`);
  }
}
