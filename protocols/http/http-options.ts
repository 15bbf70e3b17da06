import {
  InvalidOptionError,
  connectionUpgradeClosedChannel,
  connectionUpgradedChannel,
  type ConnectionContext,
  type ConnectionUpgradeMessage,
} from '../../connection/index.js';
import { isToken } from './header-chars.js';
import { resolveHttpLimits, type HttpLimits } from './http-limits.js';
import { resolveHttp2Limits, type Http2Limits } from './http2-limits.js';

/**
 * Which HTTP versions an endpoint speaks (Kestrel's `HttpProtocols`). With TLS, ALPN picks one of
 * them; on cleartext, 'http1AndHttp2' reads the first bytes for the HTTP/2 preface (h2c with
 * prior knowledge) and serves HTTP/1.1 otherwise.
 */
export type HttpProtocols = 'http1' | 'http2' | 'http1AndHttp2';
export const HTTP_PROTOCOLS: readonly HttpProtocols[] = ['http1', 'http2', 'http1AndHttp2'];

/** Refuses anything but one of `HTTP_PROTOCOLS`; `option` names the setting in the message. */
export function checkHttpProtocols(value: unknown, option = 'protocols'): HttpProtocols {
  if (!HTTP_PROTOCOLS.includes(value as HttpProtocols)) {
    throw new InvalidOptionError(option, `must be one of ${HTTP_PROTOCOLS.map((p) => `'${p}'`).join(', ')} (got ${JSON.stringify(value)})`);
  }
  return value as HttpProtocols;
}

/** Options of the HTTP protocol adapters, with defaults. */
export interface HttpOptions {
  /** See `HttpLimits`: every limit's default and outcome. */
  limits?: Partial<HttpLimits>;
  /**
   * The `Server` response header: a product token, or `false` to send none (Kestrel's
   * `AddServerHeader`). Default 'tiercel'. Hiding it is cosmetic, not a security control.
   */
  serverHeader?: string | false;
  /**
   * Request methods to accept besides the registered ones (the IANA registry and the common
   * extensions); any other method gets 501 Not Implemented (RFC 9110 §9.1). Default: none.
   */
  extraMethods?: readonly string[];
  /** HTTP versions served on every endpoint that does not choose its own. Default 'http1AndHttp2'. */
  protocols?: HttpProtocols;
  /** See `Http2Limits`: the limits only HTTP/2 has, with their defaults. */
  http2?: Partial<Http2Limits>;
}

/** Where the shared 'close' listener of an upgraded transport (or stream) finds its counter. */
const kUpgrades = Symbol('tiercel.upgrades');
type Counted = { [kUpgrades]?: UpgradeCounter };
/** The `upgrade-closed` message of each upgrade that had one (subscribers at the upgrade). */
const upgradeMessages = new WeakMap<object, ConnectionUpgradeMessage>();

/** An upgraded transport or stream closed: one fewer, published if it was published when it came. */
function onUpgradeClosed(this: Counted): void {
  const counter = this[kUpgrades];
  if (counter === undefined) return;
  this[kUpgrades] = undefined;
  counter.active--;
  const message = upgradeMessages.get(this);
  if (message === undefined) return;
  upgradeMessages.delete(this);
  connectionUpgradeClosedChannel.publish(message);
}

/** Connections upgraded away from HTTP right now, shared by every connection of a server. */
export class UpgradeCounter {
  active = 0;

  /**
   * One more upgraded connection (or HTTP/2 stream) of `connection`, until `closes` closes;
   * published as `tiercel:connection.upgraded`, then `upgrade-closed`.
   */
  add(connection: ConnectionContext, closes: { on(event: 'close', listener: (this: Counted) => void): unknown }): void {
    const message = this.#opened(connection);
    if (message !== undefined) upgradeMessages.set(closes, message);
    // One listener shared by every upgrade (`this` is `closes`), which finds this counter through a
    // symbol: a closure per upgrade was a function and a context each idle WebSocket kept. `on`:
    // 'close' fires once, and a `once` wrapper would stay for the upgraded connection's life.
    (closes as Counted)[kUpgrades] = this;
    closes.on('close', onUpgradeClosed);
  }

  /**
   * One more upgraded connection whose end its protocol reports with `release(connection)`: an
   * HTTP/1.1 connection handed over whole, whose context already watches its transport (a 'close'
   * listener of our own beside the context's and the new owner's grows the transport's listener
   * array to 19 slots, ~170 bytes each upgraded connection keeps).
   */
  reserve(connection: ConnectionContext): void {
    const message = this.#opened(connection);
    if (message !== undefined) upgradeMessages.set(connection, message);
  }

  /** The connection `reserve` counted has closed. */
  release(connection: ConnectionContext): void {
    this.active--;
    const message = upgradeMessages.get(connection);
    if (message === undefined) return;
    upgradeMessages.delete(connection);
    connectionUpgradeClosedChannel.publish(message);
  }

  #opened(connection: ConnectionContext): ConnectionUpgradeMessage | undefined {
    this.active++;
    if (!connectionUpgradedChannel.hasSubscribers && !connectionUpgradeClosedChannel.hasSubscribers) return undefined;
    const message: ConnectionUpgradeMessage = { connection };
    connectionUpgradedChannel.publish(message);
    return message;
  }
}

export interface ResolvedHttpOptions {
  readonly limits: HttpLimits;
  /** Counts live upgraded connections against `limits.maxConcurrentUpgradedConnections`. */
  readonly upgrades: UpgradeCounter;
  readonly extraMethods: readonly string[];
  /** The wire form, `server: tiercel\r\n`, or '' for none. */
  readonly serverLine: string;
  readonly protocols: HttpProtocols;
  readonly http2: Http2Limits;
}

const KNOWN = ['limits', 'serverHeader', 'extraMethods', 'protocols', 'http2'];

export function resolveHttpOptions(options: HttpOptions = {}): ResolvedHttpOptions {
  for (const key of Object.keys(options)) {
    if (!KNOWN.includes(key)) throw new InvalidOptionError(key, `is not an HTTP option (known: ${KNOWN.join(', ')})`);
  }
  const server = options.serverHeader ?? 'tiercel';
  if (server !== false) {
    for (const part of server.split(/[ /]/)) {
      if (!isToken(part)) throw new InvalidOptionError('serverHeader', "must be a product token such as 'tiercel' or 'tiercel/1.0', or false");
    }
  }
  return {
    limits: resolveHttpLimits(options.limits),
    upgrades: new UpgradeCounter(),
    extraMethods: checkMethods(options.extraMethods ?? []),
    serverLine: server === false ? '' : `server: ${server}\r\n`,
    protocols: checkHttpProtocols(options.protocols ?? 'http1AndHttp2'),
    http2: resolveHttp2Limits(options.http2),
  };
}

function checkMethods(methods: readonly string[]): readonly string[] {
  if (!Array.isArray(methods)) throw new InvalidOptionError('extraMethods', 'must be an array of method names');
  for (const m of methods) {
    if (typeof m !== 'string' || !isToken(m) || m === 'PRI') {
      throw new InvalidOptionError('extraMethods', `'${String(m)}' is not a method token (RFC 9110 §9.1), or is PRI`);
    }
  }
  return methods;
}
