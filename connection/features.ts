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

const NO_ENTRIES: readonly unknown[] = Object.freeze([]);

export class FeatureCollection {
  // Keys and values side by side ([key0, value0, key1, value1, …]) in an array of exactly their
  // length, replaced when a key comes or goes: a connection has three or four features for as long
  // as it is open, and a Map took ~180 bytes for them (its hash table); a scan of a handful of keys
  // is as fast as hashing.
  #entries: readonly unknown[] = NO_ENTRIES;

  get<T>(key: FeatureKey<T>): T | undefined {
    const entries = this.#entries;
    for (let i = 0; i < entries.length; i += 2) if (entries[i] === key) return entries[i + 1] as T;
    return undefined;
  }

  set<T>(key: FeatureKey<T>, value: T | undefined): void {
    const entries = this.#entries;
    const at = this.#indexOf(key);
    if (value === undefined) {
      if (at !== -1) this.#entries = entries.length === 2 ? NO_ENTRIES : entries.filter((_, i) => i !== at && i !== at + 1);
    } else if (at !== -1) {
      (entries as unknown[])[at + 1] = value;
    } else {
      const next = new Array<unknown>(entries.length + 2);
      for (let i = 0; i < entries.length; i++) next[i] = entries[i];
      next[entries.length] = key;
      next[entries.length + 1] = value;
      this.#entries = next;
    }
  }

  has(key: FeatureKey<unknown>): boolean {
    return this.#indexOf(key) !== -1;
  }

  *[Symbol.iterator](): IterableIterator<[FeatureKey<unknown>, unknown]> {
    // The entries as they were when the walk began: a feature added or removed meanwhile is not seen.
    const entries = this.#entries;
    for (let i = 0; i < entries.length; i += 2) yield [entries[i] as FeatureKey<unknown>, entries[i + 1]];
  }

  #indexOf(key: FeatureKey<unknown>): number {
    const entries = this.#entries;
    for (let i = 0; i < entries.length; i += 2) if (entries[i] === key) return i;
    return -1;
  }
}

/** Present on connections backed by a `net.Socket` (TCP and unix/pipe transports). */
export interface SocketFeature {
  readonly socket: import('node:net').Socket;
}
export const SocketFeature = new FeatureKey<SocketFeature>('socket');

/** Identifies which transport produced a connection ('tcp', 'pipe', 'memory', or a custom name). */
export interface TransportFeature {
  readonly name: string;
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
  /** Unregisters `listener` (what `onCloseRequested`'s returned function does). */
  offCloseRequested(listener: CloseRequestListener): void;
  /** The same as an AbortSignal (made on first use). */
  readonly closeRequested: AbortSignal;
  requestClose(): void;
}

/** The server's `LifetimeFeature`: no AbortController unless someone asks for the signal. */
export class ConnectionLifetime implements LifetimeFeature {
  #requested = false;
  // One listener is kept as itself: most connections have one (their protocol's, or an upgraded
  // connection's WebSocket), and an array grown by a push keeps 17 slots (~180 bytes) for as long
  // as the connection is open.
  #listeners: CloseRequestListener | CloseRequestListener[] | undefined;
  #controller: AbortController | undefined;

  get isCloseRequested(): boolean {
    return this.#requested;
  }

  onCloseRequested(listener: CloseRequestListener): () => void {
    if (this.#requested) {
      callListener(listener);
      return noop;
    }
    const listeners = this.#listeners;
    if (listeners === undefined) this.#listeners = listener;
    else if (!Array.isArray(listeners)) this.#listeners = [listeners, listener];
    else listeners.push(listener);
    return () => this.offCloseRequested(listener);
  }

  offCloseRequested(listener: CloseRequestListener): void {
    const listeners = this.#listeners;
    if (listeners === listener) {
      this.#listeners = undefined;
    } else if (Array.isArray(listeners)) {
      const at = listeners.indexOf(listener);
      if (at !== -1) listeners.splice(at, 1);
      if (listeners.length === 0) this.#listeners = undefined;
    }
  }

  get closeRequested(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#requested) this.#controller.abort();
    }
    return this.#controller.signal;
  }

  requestClose(): void {
    if (this.#requested) return;
    this.#requested = true;
    this.#controller?.abort();
    const listeners = this.#listeners;
    this.#listeners = undefined;
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
