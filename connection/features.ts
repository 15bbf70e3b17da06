import type { Endpoint } from './endpoint.js';

/**
 * A typed key into a `FeatureCollection`. Features are how a layer exposes optional detail
 * (the socket, TLS state, the peer's credentials) without widening `ConnectionContext`.
 */
export class FeatureKey<T> {
  // The phantom field keeps `T` in the type so `get` can be typed; it is never set.
  declare readonly __type?: T;
  constructor(readonly name: string) {}
  toString(): string {
    return `FeatureKey(${this.name})`;
  }
}

/**
 * The features of a connection (or of anything else that offers them), by key.
 *
 * The first two are kept in fields and the rest in an array made when a third comes: a connection
 * has one or two features of its own for as long as it is open (its `LifetimeFeature`, its socket),
 * and an array of pairs was ~100 bytes each idle connection kept; Kestrel's connection keeps its
 * features in fields for the same reason. A scan of a handful of keys is as fast as hashing.
 *
 * `defaults` are features shared by many collections (a listener's, naming its transport): they are
 * read when the collection has no entry of its own for a key, and never written through it.
 */
export class FeatureCollection {
  readonly #defaults: FeatureCollection | undefined;
  // An empty first slot means an empty collection: removing a feature moves the later ones down,
  // so the walk keeps the order they were added in.
  #key0: FeatureKey<unknown> | undefined;
  #value0: unknown;
  #key1: FeatureKey<unknown> | undefined;
  #value1: unknown;
  /** The third feature on ([key, value, …]), of exactly their length. */
  #more: unknown[] | undefined;

  constructor(defaults?: FeatureCollection) {
    this.#defaults = defaults;
  }

  get<T>(key: FeatureKey<T>): T | undefined {
    const value = FeatureCollection.#own(this, key);
    if (value !== undefined) return value as T;
    // A key of our own whose value is undefined was removed here, and hides the default.
    const defaults = this.#defaults;
    if (defaults === undefined || FeatureCollection.#owns(this, key)) return undefined;
    const shared = defaults.get(key);
    if (!(shared instanceof FeatureFactory)) return shared;
    // Made for this collection at the first ask, and kept as its own.
    const made = (shared as FeatureFactory<T>).create(this);
    if (made !== undefined) FeatureCollection.#put(this, key, made);
    return made;
  }

  /**
   * Offers `key` to the collections that have this one as their defaults, made for each by
   * `create(owner)` when it first asks: a listener gives its connections a feature that none pays
   * for until someone asks (read here directly, the key's value is the `FeatureFactory`).
   */
  provide<T>(key: FeatureKey<T>, create: (owner: FeatureCollection) => T | undefined): void {
    FeatureCollection.#put(this, key, new FeatureFactory(create));
  }

  set<T>(key: FeatureKey<T>, value: T | undefined): void {
    if (value === undefined && this.#defaults?.has(key) === true) {
      // Kept as a key without a value, so that the shared default stays hidden.
      FeatureCollection.#put(this, key, undefined);
      return;
    }
    if (value === undefined) {
      if (FeatureCollection.#owns(this, key)) FeatureCollection.#rebuild(this, FeatureCollection.#entries(this).filter(([k]) => k !== key));
      return;
    }
    FeatureCollection.#put(this, key, value);
  }

  has(key: FeatureKey<unknown>): boolean {
    return this.get(key) !== undefined;
  }

  *[Symbol.iterator](): IterableIterator<[FeatureKey<unknown>, unknown]> {
    // The entries as they were when the walk began: a feature added or removed meanwhile is not seen.
    const own = FeatureCollection.#entries(this);
    for (const entry of own) if (entry[1] !== undefined) yield entry;
    if (this.#defaults === undefined) return;
    for (const [key] of [...this.#defaults]) {
      if (own.some(([k]) => k === key)) continue;
      const value = this.get(key);
      if (value !== undefined) yield [key, value];
    }
  }

  // The helpers are static: a private instance method makes V8 keep a brand field in every
  // instance (8 bytes each connection).
  static #own(c: FeatureCollection, key: FeatureKey<unknown>): unknown {
    if (c.#key0 === key) return c.#value0;
    if (c.#key1 === key) return c.#value1;
    const more = c.#more;
    if (more !== undefined) for (let i = 0; i < more.length; i += 2) if (more[i] === key) return more[i + 1];
    return undefined;
  }

  static #owns(c: FeatureCollection, key: FeatureKey<unknown>): boolean {
    if (c.#key0 === key || c.#key1 === key) return true;
    return c.#more !== undefined && c.#more.includes(key);
  }

  static #put(c: FeatureCollection, key: FeatureKey<unknown>, value: unknown): void {
    if (c.#key0 === undefined || c.#key0 === key) {
      c.#key0 = key;
      c.#value0 = value;
    } else if (c.#key1 === undefined || c.#key1 === key) {
      c.#key1 = key;
      c.#value1 = value;
    } else {
      const more = c.#more ?? [];
      const at = more.indexOf(key);
      if (at !== -1 && at % 2 === 0) more[at + 1] = value;
      else c.#more = [...more, key, value];
    }
  }

  /** Our own entries in the order they were added (removed ones included, with an undefined value). */
  static #entries(c: FeatureCollection): [FeatureKey<unknown>, unknown][] {
    const entries: [FeatureKey<unknown>, unknown][] = [];
    if (c.#key0 !== undefined) entries.push([c.#key0, c.#value0]);
    if (c.#key1 !== undefined) entries.push([c.#key1, c.#value1]);
    const more = c.#more;
    if (more !== undefined) for (let i = 0; i < more.length; i += 2) entries.push([more[i] as FeatureKey<unknown>, more[i + 1]]);
    return entries;
  }

  static #rebuild(c: FeatureCollection, entries: [FeatureKey<unknown>, unknown][]): void {
    c.#key0 = c.#key1 = c.#value0 = c.#value1 = c.#more = undefined;
    for (const [key, value] of entries) FeatureCollection.#put(c, key, value);
  }
}

/** A default feature made per collection on first ask (`FeatureCollection.provide`). */
export class FeatureFactory<T> {
  constructor(readonly create: (owner: FeatureCollection) => T | undefined) {}
}

/** Present on connections backed by a `net.Socket` (TCP and unix/pipe transports). */
export interface SocketFeature {
  readonly socket: import('node:net').Socket;
}
export const SocketFeature = new FeatureKey<SocketFeature>('socket');

/** Identifies which transport produced a connection ('tcp', 'pipe', 'memory', or a custom name). */
export interface TransportFeature {
  readonly name: string;
  /**
   * True when the listener's connections are `net.Socket`s as accepted (TCP, unix socket, fd): such a
   * socket emits data only from a read of its own, one I/O callback each, never from within another.
   */
  readonly isSocket?: boolean;
}
export const TransportFeature = new FeatureKey<TransportFeature>('transport');

/**
 * What a close request calls: a function, or an object's `handleCloseRequest()` (as the DOM's
 * `handleEvent`): a protocol's connection registers itself, without a closure that each open
 * connection would keep.
 */
export type CloseRequestListener = (() => void) | { handleCloseRequest(): void };

/**
 * Lets the server ask a connection to finish gracefully (shutdown) without aborting it. A protocol
 * watches for the request and ends the connection at its next safe point: HTTP/1.1 after the
 * response in flight, a line protocol after the current line (Kestrel's
 * `IConnectionLifetimeNotificationFeature`).
 */
export interface LifetimeFeature {
  /** True once the server has asked the connection to close. */
  readonly isCloseRequested: boolean;
  /**
   * Calls `listener` once when the close is requested (at once if it already was). Returns what
   * unregisters it: a listener that outlives its use (a protocol that handed the connection over)
   * would otherwise keep everything it closes over alive for as long as the connection.
   */
  onCloseRequested(listener: CloseRequestListener): () => void;
  /**
   * `onCloseRequested` for a listener its owner unregisters with `offCloseRequested` (a protocol's
   * connection, a WebSocket): no unregistering function is made, where that closure was ~110
   * bytes a connection.
   */
  addCloseRequestListener(listener: CloseRequestListener): void;
  /** Unregisters `listener` (what `onCloseRequested`'s returned function does). */
  offCloseRequested(listener: CloseRequestListener): void;
  /** The same as an AbortSignal (made on first use). */
  readonly closeRequested: AbortSignal;
  requestClose(): void;
}

/** `ConnectionLifetime`'s listeners once the close was requested: none are kept any more. */
const REQUESTED: readonly CloseRequestListener[] = Object.freeze([]);

/** The server's `LifetimeFeature`: no AbortController unless someone asks for the signal. */
export class ConnectionLifetime implements LifetimeFeature {
  // One listener is kept as itself: most connections have one (their protocol's, or an upgraded
  // connection's WebSocket), and an array grown by a push keeps 17 slots (~180 bytes) for as long
  // as the connection is open. `REQUESTED` once the close was requested: one field for the
  // listeners and the flag, kept by every open connection.
  #listeners: CloseRequestListener | CloseRequestListener[] | undefined;
  #controller: AbortController | undefined;

  get isCloseRequested(): boolean {
    return this.#listeners === REQUESTED;
  }

  onCloseRequested(listener: CloseRequestListener): () => void {
    if (this.#listeners === REQUESTED) {
      callListener(listener);
      return noop;
    }
    this.addCloseRequestListener(listener);
    return () => this.offCloseRequested(listener);
  }

  addCloseRequestListener(listener: CloseRequestListener): void {
    const listeners = this.#listeners;
    if (listeners === REQUESTED) callListener(listener);
    else if (listeners === undefined) this.#listeners = listener;
    else if (!Array.isArray(listeners)) this.#listeners = [listeners, listener];
    else listeners.push(listener);
  }

  offCloseRequested(listener: CloseRequestListener): void {
    const listeners = this.#listeners;
    if (listeners === listener) {
      this.#listeners = undefined;
    } else if (Array.isArray(listeners) && listeners !== REQUESTED) {
      const at = listeners.indexOf(listener);
      if (at !== -1) listeners.splice(at, 1);
      if (listeners.length === 0) this.#listeners = undefined;
    }
  }

  get closeRequested(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#listeners === REQUESTED) this.#controller.abort();
    }
    return this.#controller.signal;
  }

  requestClose(): void {
    const listeners = this.#listeners;
    if (listeners === REQUESTED) return;
    this.#listeners = REQUESTED as CloseRequestListener[];
    this.#controller?.abort();
    if (Array.isArray(listeners)) for (const l of listeners) callListener(l);
    else if (listeners !== undefined) callListener(listeners);
  }
}

function callListener(listener: CloseRequestListener): void {
  if (typeof listener === 'function') listener();
  else listener.handleCloseRequest();
}
export const LifetimeFeature = new FeatureKey<LifetimeFeature>('lifetime');

function noop(): void {}

/**
 * Present on connections that went through TLS connection middleware: what the handshake settled.
 * The types stay structural so connection/ needs no node:tls.
 */
export interface TlsFeature {
  /** The ALPN protocol chosen ('h2', 'http/1.1'), or null when the client offered none we speak. */
  readonly alpnProtocol: string | null;
  /** 'TLSv1.2', 'TLSv1.3'. */
  readonly tlsVersion: string | null;
  /** The negotiated cipher suite's name. */
  readonly cipher: string | null;
  /** The host name the client asked for (SNI), or null without SNI. */
  readonly serverName: string | null;
  /** The client's certificate (node:tls's `PeerCertificate`), or null when none was sent. */
  readonly clientCertificate: Readonly<Record<string, unknown>> | null;
  /** Whether the client certificate passed validation (false without one). */
  readonly clientCertificateAuthorized: boolean;
}
export const TlsFeature = new FeatureKey<TlsFeature>('tls');

/** One PROXY protocol v2 TLV as it was sent: its type byte and its value. */
export interface ProxyTlv {
  readonly type: number;
  readonly value: Buffer;
}

/**
 * What the proxy says of the client's TLS (`PP2_TYPE_SSL`): set when the proxy terminated TLS
 * (HAProxy's `send-proxy-v2-ssl`, `send-proxy-v2-ssl-cn`).
 */
export interface ProxySslInfo {
  /** The client connected over TLS (`PP2_CLIENT_SSL`). */
  readonly ssl: boolean;
  /** The client sent a certificate on this connection (`PP2_CLIENT_CERT_CONN`). */
  readonly certificateOnConnection: boolean;
  /** The client sent a certificate at least once in this TLS session (`PP2_CLIENT_CERT_SESS`). */
  readonly certificateInSession: boolean;
  /** The proxy's verification result: 0 when a client certificate was presented and verified. */
  readonly verify: number;
  /** `PP2_SUBTYPE_SSL_VERSION`, e.g. 'TLSv1.3'. */
  readonly version: string | undefined;
  /** `PP2_SUBTYPE_SSL_CN`: the Common Name of the client certificate's subject. */
  readonly commonName: string | undefined;
  /** `PP2_SUBTYPE_SSL_CIPHER`, e.g. 'ECDHE-RSA-AES128-GCM-SHA256'. */
  readonly cipher: string | undefined;
  /** `PP2_SUBTYPE_SSL_SIG_ALG`, e.g. 'RSA-SHA256'. */
  readonly signatureAlgorithm: string | undefined;
  /** `PP2_SUBTYPE_SSL_KEY_ALG`, e.g. 'RSA2048'. */
  readonly keyAlgorithm: string | undefined;
  /** Every sub-TLV in the order sent, the ones above included. */
  readonly subTlvs: readonly ProxyTlv[];
}

/** The TLVs of a PROXY v2 header: typed where the specification names them, and all of them raw. */
export interface ProxyTlvs {
  /** `PP2_TYPE_ALPN`: the protocol the client chose with the proxy ('h2', 'http/1.1'). */
  readonly alpn: string | undefined;
  /** `PP2_TYPE_AUTHORITY`: the host name the client asked the proxy for (its TLS SNI). */
  readonly authority: string | undefined;
  /** `PP2_TYPE_UNIQUE_ID`: the proxy's opaque id for the connection (at most 128 bytes). */
  readonly uniqueId: Buffer | undefined;
  /** `PP2_TYPE_SSL`. */
  readonly ssl: ProxySslInfo | undefined;
  /** `PP2_TYPE_NETNS`: the network namespace the proxy accepted the connection in. */
  readonly netns: string | undefined;
  /** Every TLV in the order sent (the typed ones, NOOP, CRC32C and custom types included). */
  readonly raw: readonly ProxyTlv[];
}

/**
 * The address families a PROXY header can name. 'unknown' is v1's `UNKNOWN` and v2's `AF_UNSPEC`;
 * the connection then keeps its own endpoints, as it does for the datagram families, which a
 * stream server cannot use (the specification's fallback to UNSPEC).
 */
export type ProxyFamily = 'tcp4' | 'tcp6' | 'udp4' | 'udp6' | 'unix-stream' | 'unix-dgram' | 'unknown';

/** A parsed PROXY protocol header (v1 or v2). */
export interface ProxyHeader {
  readonly version: 1 | 2;
  /**
   * 'proxy': relayed on behalf of a client, whose endpoints are `source` and `destination`.
   * 'local': opened by the proxy itself (a health check); the connection's own endpoints stand.
   */
  readonly command: 'proxy' | 'local';
  readonly family: ProxyFamily;
  /** The client's endpoint, or null when the header gives none the connection can take. */
  readonly source: Endpoint | null;
  /** The endpoint the client connected to (on the proxy), or null as for `source`. */
  readonly destination: Endpoint | null;
  /** v2's TLVs; empty for v1, LOCAL and address-less headers. */
  readonly tlvs: ProxyTlvs;
  /** The header's length in bytes on the wire. */
  readonly length: number;
}

/**
 * Present on connections that went through PROXY protocol connection middleware: the header, and
 * the endpoints of the connection itself (the proxy's and ours), which the header replaced as
 * `ctx.remoteEndpoint` and `ctx.localEndpoint`.
 */
export interface ProxyProtocolFeature extends ProxyHeader {
  /** The proxy: the connection's remote endpoint as the transport saw it. */
  readonly transportRemoteEndpoint: Endpoint;
  /** Our side of the proxy's connection, as the transport saw it. */
  readonly transportLocalEndpoint: Endpoint;
}
export const ProxyProtocolFeature = new FeatureKey<ProxyProtocolFeature>('proxy-protocol');
