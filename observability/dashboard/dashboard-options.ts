import { InvalidOptionError } from '../../connection/index.js';

export interface DashboardOptions {
  /** Where the page is served; its WebSocket is `<path>/ws`. Default `/_tiercel`. */
  readonly path?: string;
  /**
   * How often each viewer gets a frame, in ms. Default 1000: a person reads it, and the frame is
   * made once per tick for every viewer, so its cost does not grow with them.
   */
  readonly intervalMs?: number;
  /**
   * How many pages may watch at once; one more gets 503. Default 8: the dashboard is for the
   * operators of this server, not its users, and each viewer holds a socket and a send buffer.
   */
  readonly maxViewers?: number;
  /**
   * A viewer with more than this many bytes queued for it (it does not read) is dropped at the
   * next tick. Default 64 KiB, about a hundred frames: a page in a background tab keeps up, a stuck
   * one is let go long before the WebSocket's own `maxBufferedAmount` (1 MiB) would close it.
   */
  readonly maxViewerBacklogBytes?: number;
  /**
   * Serve peers that are not on this machine. Default false: the page and its socket answer 403
   * to a TCP peer outside the loopback addresses (127.0.0.0/8, ::1); unix sockets, named pipes
   * and the in-memory transport are local. The figures tell an attacker how loaded the server is.
   */
  readonly allowRemote?: boolean;
}

export interface ResolvedDashboardOptions {
  readonly path: string;
  readonly intervalMs: number;
  readonly maxViewers: number;
  readonly maxViewerBacklogBytes: number;
  readonly allowRemote: boolean;
}

/** The dashboard's defaults, documented on `DashboardOptions`. */
export const DASHBOARD_DEFAULTS: ResolvedDashboardOptions = Object.freeze({
  path: '/_tiercel',
  intervalMs: 1_000,
  maxViewers: 8,
  maxViewerBacklogBytes: 64 * 1024,
  allowRemote: false,
});

const KNOWN_OPTIONS = Object.keys(DASHBOARD_DEFAULTS);

export function resolveDashboardOptions(options: DashboardOptions): ResolvedDashboardOptions {
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.includes(key)) throw new InvalidOptionError(`dashboard.${key}`, `is not a dashboard option (known: ${KNOWN_OPTIONS.join(', ')})`);
  }
  const r = { ...DASHBOARD_DEFAULTS, ...options };
  if (typeof r.path !== 'string' || !r.path.startsWith('/') || r.path.length < 2 || r.path.endsWith('/')) {
    throw new InvalidOptionError('dashboard.path', "must start with '/', not end with one, and not be '/' alone (its socket is <path>/ws)");
  }
  // Below 100 ms the frame itself would be a load; above a minute it is no longer live.
  integerIn('dashboard.intervalMs', r.intervalMs, 100, 60_000);
  integerIn('dashboard.maxViewers', r.maxViewers, 1, 1_000);
  integerIn('dashboard.maxViewerBacklogBytes', r.maxViewerBacklogBytes, 1_024, 64 * 1024 * 1024);
  if (typeof r.allowRemote !== 'boolean') throw new InvalidOptionError('dashboard.allowRemote', 'must be true or false');
  return r;
}

function integerIn(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) throw new InvalidOptionError(name, `must be an integer from ${min} to ${max}`);
}
