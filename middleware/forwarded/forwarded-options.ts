import { TiercelError } from '../../connection/index.js';

/** Which headers carry the forwarded information. Read only the one your proxy sets (see below). */
export type ForwardedHeaderKind = 'x-forwarded' | 'forwarded';

export interface ForwardedHeadersOptions {
  /**
   * The proxies whose forwarded headers are believed: IP addresses (`10.0.0.7`, `::1`), CIDR
   * ranges (`10.0.0.0/8`, `fd00::/8`) and proxy-addr's names `'loopback'`, `'linklocal'`,
   * `'uniquelocal'`. Default: none, so the headers are ignored until a deployment names its proxy:
   * believing them from anyone would let any client choose its own address.
   */
  trustedProxies?: readonly string[];
  /**
   * How many proxies (hops) are taken back from the socket's peer, each of which must be trusted.
   * Default 1 (one reverse proxy in front, as ASP.NET's `ForwardLimit`): with more, a longer
   * chain of trusted addresses is walked; entries further left came from the client and are never
   * taken.
   */
  maxHops?: number;
  /**
   * `'x-forwarded'` (default): `X-Forwarded-For`, `-Proto` and `-Host`, which nginx, HAProxy and
   * most load balancers set. `'forwarded'`: RFC 7239's `Forwarded`. Only one is read: a proxy that
   * sets one passes the other through from the client untouched, so reading both would let a
   * client spoof through a trusted proxy.
   */
  headers?: ForwardedHeaderKind;
}

export const DEFAULT_FORWARDED_HEADERS_OPTIONS = {
  trustedProxies: [] as readonly string[],
  maxHops: 1,
  headers: 'x-forwarded' as ForwardedHeaderKind,
} as const;

/** The largest `maxHops`: a longer chain of proxies in front of one server is a mistake. */
export const MAX_FORWARDED_HOPS = 16;

/** The forwarded-headers middleware was configured wrongly (an unknown option, a bad address or range). */
export class ForwardedOptionsError extends TiercelError {
  constructor(message: string) {
    super('ERR_TIERCEL_FORWARDED_OPTIONS', message);
  }
}

const KNOWN_OPTIONS = new Set(Object.keys(DEFAULT_FORWARDED_HEADERS_OPTIONS));

export interface ResolvedForwardedHeadersOptions {
  readonly trustedProxies: readonly string[];
  readonly maxHops: number;
  readonly headers: ForwardedHeaderKind;
}

/** Fills in the defaults and checks every value; throws `ForwardedOptionsError` stating the rule. */
export function resolveForwardedHeadersOptions(options: ForwardedHeadersOptions = {}): ResolvedForwardedHeadersOptions {
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) throw new ForwardedOptionsError(`Unknown forwarded-headers option '${key}'`);
  }
  const trustedProxies = options.trustedProxies ?? DEFAULT_FORWARDED_HEADERS_OPTIONS.trustedProxies;
  if (!Array.isArray(trustedProxies) || trustedProxies.some((p) => typeof p !== 'string')) {
    throw new ForwardedOptionsError('trustedProxies must be an array of addresses and CIDR ranges');
  }
  const maxHops = options.maxHops ?? DEFAULT_FORWARDED_HEADERS_OPTIONS.maxHops;
  if (!Number.isInteger(maxHops) || maxHops < 1 || maxHops > MAX_FORWARDED_HOPS) {
    throw new ForwardedOptionsError(`maxHops must be an integer from 1 to ${MAX_FORWARDED_HOPS}, not ${String(maxHops)}`);
  }
  const headers = options.headers ?? DEFAULT_FORWARDED_HEADERS_OPTIONS.headers;
  if (headers !== 'x-forwarded' && headers !== 'forwarded') {
    throw new ForwardedOptionsError(`headers must be 'x-forwarded' or 'forwarded', not ${String(headers)}`);
  }
  return { trustedProxies: [...trustedProxies], maxHops, headers };
}
