// node:net as its module object: its BlockList is a lazy getter (a module of its own), read when a
// trusted list is compiled, not when the bundle evaluates this file (scripts/bundle.mjs).
import * as net from 'node:net';
import type { BlockList } from 'node:net';
import { InvalidOptionError, type Endpoint, type TcpEndpoint } from '../../connection/index.js';

/** What happens to a connection whose peer is not a trusted proxy. */
export type UntrustedPeerPolicy = 'close' | 'serve';

/** Options of `proxyProtocolMiddleware`. Defaults are in `PROXY_PROTOCOL_DEFAULTS`; every value is checked at configuration time. */
export interface ProxyProtocolOptions {
  /**
   * The proxies whose PROXY headers are believed: IP addresses (`10.0.0.5`, `::1`), CIDR ranges
   * (`10.0.0.0/8`, `fd00::/8`) and the names `loopback`, `linklocal` and `uniquelocal` (the ranges
   * `proxy-addr` gives them, so the forwarded-headers middleware and this one read a list the
   * same way). An IPv4 entry also matches the peer's IPv4-mapped IPv6 address. Default: none.
   * Anyone who can reach a port that takes the header can claim any address, so list only the
   * proxies, never a client network.
   */
  trustedProxies?: readonly string[];
  /**
   * Whether peers without an IP address (a unix socket, a named pipe, an in-memory connection)
   * are trusted. They are local to the host, guarded by the socket file's permissions; default false.
   */
  trustNonIpPeers?: boolean;
  /**
   * A connection from a peer that is not trusted: 'close' (default) closes it at once, unread,
   * and counts it as `untrusted`; 'serve' serves it as it is, with its own address and without
   * reading a header (a PROXY header it sends is then only bytes for the protocol, which HTTP
   * refuses: 501 for v1's `PROXY` method, 400 for v2's signature). 'serve' lets clients inside
   * the network reach the same port directly; the header is never guessed, as the specification
   * requires (section 5: a receiver must not try to detect whether it was sent).
   */
  untrusted?: UntrustedPeerPolicy;
  /**
   * How long a trusted peer has to send its whole header, in ms. Default 10 000: the TLS
   * handshake's timeout, and more than the 7 s that three retransmissions of a lost first segment
   * take (the specification asks for at least 3 s, one retransmission). A proxy sends the header
   * with its first segment, so only a lost packet or a stalled peer waits this long.
   */
  headerTimeoutMs?: number;
  /**
   * The largest v2 header taken, in bytes (the 16-byte fixed part, addresses and TLVs); a larger
   * one is refused as soon as its length field arrives, before anything more is held. Default
   * 4096: the specification keeps headers within 536 bytes (one minimal TCP segment) save TLVs,
   * and the TLVs proxies and cloud load balancers send (SSL details, unique ids, endpoint ids)
   * come to a few hundred more. From 232 (an AF_UNIX address block) to 65 551 (the format's own
   * bound). A v1 line is always bounded by the specification's 107 bytes.
   */
  maxHeaderBytes?: number;
}

export const PROXY_PROTOCOL_DEFAULTS = {
  trustedProxies: [] as readonly string[],
  trustNonIpPeers: false,
  untrusted: 'close' as UntrustedPeerPolicy,
  headerTimeoutMs: 10_000,
  maxHeaderBytes: 4096,
} as const;

/** The smallest `maxHeaderBytes`: the fixed part and an AF_UNIX address block (16 + 2 × 108). */
export const MIN_PROXY_HEADER_BYTES = 232;
/** The largest v2 header the format can express: 16 bytes and a 16-bit length. */
export const MAX_PROXY_V2_HEADER_BYTES = 16 + 0xffff;

/** The options after checking: defaults filled in, the trusted list compiled. */
export interface ResolvedProxyProtocolOptions {
  readonly trustedProxies: readonly string[];
  readonly trustNonIpPeers: boolean;
  readonly untrusted: UntrustedPeerPolicy;
  readonly headerTimeoutMs: number;
  readonly maxHeaderBytes: number;
  /** Whether the peer at `endpoint` is a trusted proxy. */
  isTrusted(endpoint: Endpoint): boolean;
}

const KNOWN: readonly (keyof ProxyProtocolOptions)[] = ['trustedProxies', 'trustNonIpPeers', 'untrusted', 'headerTimeoutMs', 'maxHeaderBytes'];

/** proxy-addr's named ranges (RFC 1122 and 4291 loopback, RFC 3927 and 4291 link-local, RFC 1918 and 4193 private). */
const NAMED_RANGES: Readonly<Record<string, readonly string[]>> = {
  loopback: ['127.0.0.1/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

/** Checks every option and fills in the defaults; a bad or unknown option throws `InvalidOptionError`. */
export function resolveProxyProtocolOptions(options: ProxyProtocolOptions = {}): ResolvedProxyProtocolOptions {
  if (typeof options !== 'object' || options === null) throw new InvalidOptionError('proxyProtocol', 'must be an options object');
  for (const key of Object.keys(options)) {
    if (!(KNOWN as readonly string[]).includes(key)) throw new InvalidOptionError(key, `is not a PROXY protocol option (known: ${KNOWN.join(', ')})`);
  }
  const trustedProxies = options.trustedProxies ?? PROXY_PROTOCOL_DEFAULTS.trustedProxies;
  if (!Array.isArray(trustedProxies)) throw new InvalidOptionError('trustedProxies', "must be an array of addresses, CIDR ranges or names, such as ['10.0.0.0/8', 'loopback']");
  const list = compileTrusted(trustedProxies);
  const trustNonIpPeers = options.trustNonIpPeers ?? PROXY_PROTOCOL_DEFAULTS.trustNonIpPeers;
  if (typeof trustNonIpPeers !== 'boolean') throw new InvalidOptionError('trustNonIpPeers', `must be true or false (got ${String(trustNonIpPeers)})`);
  const untrusted = options.untrusted ?? PROXY_PROTOCOL_DEFAULTS.untrusted;
  if (untrusted !== 'close' && untrusted !== 'serve') throw new InvalidOptionError('untrusted', `must be 'close' or 'serve' (got ${String(untrusted)})`);
  const headerTimeoutMs = options.headerTimeoutMs ?? PROXY_PROTOCOL_DEFAULTS.headerTimeoutMs;
  // A timer's longest delay; there is no "off": every wait on a peer has a deadline.
  if (typeof headerTimeoutMs !== 'number' || !Number.isSafeInteger(headerTimeoutMs) || headerTimeoutMs <= 0 || headerTimeoutMs > 0x7fffffff) {
    throw new InvalidOptionError('headerTimeoutMs', `must be a whole number of ms from 1 to 2147483647 (got ${String(headerTimeoutMs)})`);
  }
  const maxHeaderBytes = options.maxHeaderBytes ?? PROXY_PROTOCOL_DEFAULTS.maxHeaderBytes;
  if (typeof maxHeaderBytes !== 'number' || !Number.isSafeInteger(maxHeaderBytes) || maxHeaderBytes < MIN_PROXY_HEADER_BYTES || maxHeaderBytes > MAX_PROXY_V2_HEADER_BYTES) {
    throw new InvalidOptionError('maxHeaderBytes', `must be a whole number from ${MIN_PROXY_HEADER_BYTES} to ${MAX_PROXY_V2_HEADER_BYTES} (got ${String(maxHeaderBytes)})`);
  }
  return {
    trustedProxies: [...trustedProxies],
    trustNonIpPeers,
    untrusted,
    headerTimeoutMs,
    maxHeaderBytes,
    isTrusted: (endpoint) => {
      if (endpoint.kind !== 'tcp') return trustNonIpPeers;
      const host = (endpoint as TcpEndpoint).host;
      const family = net.isIP(host);
      return family !== 0 && list.check(host, family === 6 ? 'ipv6' : 'ipv4');
    },
  };
}

/** node:net's BlockList (used here as an allow list) from addresses, CIDR ranges and named ranges. */
function compileTrusted(entries: readonly unknown[]): BlockList {
  const list = new net.BlockList();
  for (const entry of entries) {
    if (typeof entry !== 'string') throw new InvalidOptionError('trustedProxies', `'${String(entry)}' is not a string`);
    for (const range of NAMED_RANGES[entry] ?? [entry]) addRange(list, range, entry);
  }
  return list;
}

function addRange(list: BlockList, range: string, entry: string): void {
  const slash = range.indexOf('/');
  const address = slash < 0 ? range : range.slice(0, slash);
  const family = net.isIP(address);
  // A zone ('fe80::1%eth0') names an interface, which a peer's address never carries.
  if (family === 0 || address.includes('%')) {
    throw new InvalidOptionError('trustedProxies', `'${entry}' is not an IP address, a CIDR range or one of ${Object.keys(NAMED_RANGES).join(', ')}`);
  }
  const type = family === 6 ? 'ipv6' : 'ipv4';
  if (slash < 0) {
    list.addAddress(address, type);
    return;
  }
  const bits = range.slice(slash + 1);
  const max = family === 6 ? 128 : 32;
  const prefix = Number(bits);
  if (!/^(0|[1-9][0-9]{0,2})$/.test(bits) || prefix > max) {
    throw new InvalidOptionError('trustedProxies', `'${entry}' has a prefix length other than 0 to ${max}`);
  }
  list.addSubnet(address, prefix, type);
}
