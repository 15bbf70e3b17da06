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

export class FeatureCollection {
  #map = new Map<FeatureKey<unknown>, unknown>();

  get<T>(key: FeatureKey<T>): T | undefined {
    return this.#map.get(key) as T | undefined;
  }

  set<T>(key: FeatureKey<T>, value: T | undefined): void {
    if (value === undefined) this.#map.delete(key);
    else this.#map.set(key, value);
  }

  has(key: FeatureKey<unknown>): boolean {
    return this.#map.has(key);
  }

  *[Symbol.iterator](): IterableIterator<[FeatureKey<unknown>, unknown]> {
    yield* this.#map;
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
  onCloseRequested(listener: () => void): () => void;
  /** The same as an AbortSignal (made on first use). */
  readonly closeRequested: AbortSignal;
  requestClose(): void;
}

/** The server's `LifetimeFeature`: no AbortController unless someone asks for the signal. */
export class ConnectionLifetime implements LifetimeFeature {
  #requested = false;
  #listeners: (() => void)[] | undefined;
  #controller: AbortController | undefined;

  get isCloseRequested(): boolean {
    return this.#requested;
  }

  onCloseRequested(listener: () => void): () => void {
    if (this.#requested) {
      listener();
      return noop;
    }
    (this.#listeners ??= []).push(listener);
    return () => {
      const listeners = this.#listeners;
      const at = listeners === undefined ? -1 : listeners.indexOf(listener);
      if (at !== -1) listeners!.splice(at, 1);
    };
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
    if (listeners !== undefined) for (const l of listeners) l();
  }
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
