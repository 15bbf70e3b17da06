import type { DependencyContainer } from 'tsyringe';
import {
  ConnectionBuilder,
  LOG_CATEGORIES,
  LOGGER_FACTORY,
  type ConnectionDelegate,
  type ConnectionMiddleware,
  type Endpoint,
  type Scheme,
  type TransportOptions,
} from '../connection/index.js';
import type { ConnectionHandler, ConnectionHandlerClass } from './connection-handler.js';
import { resolve } from '../di/index.js';
import { checkHttpProtocols, type HttpProtocols } from '../protocols/http/index.js';
import { hasCertificate, resolveHttpsOptions, type HttpsMiddleware, type HttpsOptions } from '../protocols/tls/configuration.js';
import { InvalidOptionError } from '../connection/index.js';
import { connectionLogging, resolveConnectionLoggingOptions, type ConnectionLoggingOptions } from '../protocols/logging/index.js';

/**
 * One endpoint's configuration: where to listen and the connection pipeline to run there
 * (Kestrel's `ListenOptions`). Connection middleware is added with `use`; the terminal is a
 * protocol (`run`) or a user's handler (`useConnectionHandler`).
 */
export class EndpointBuilder extends ConnectionBuilder {
  #handler: ConnectionHandlerClass | ConnectionHandler | undefined;
  #hasTerminal = false;
  #httpsOptions: HttpsOptions | undefined;
  #https: HttpsMiddleware | undefined;
  /** `useConnectionLogging` calls: each made with the server's logger once it starts (`buildWith`). */
  readonly #logging: { readonly options: ConnectionLoggingOptions; middleware?: ConnectionMiddleware }[] = [];

  constructor(
    readonly endpoint: Endpoint,
    /** 'https' for an `https://` URL or once `useHttps` is called. */
    public scheme: Scheme = 'http',
    /** Overrides the server's transport options for this endpoint only (see `withTransportOptions`). */
    public transportOptions: TransportOptions = {},
  ) {
    super();
  }

  /** The endpoint's name in the configuration (`endpoints.api`), for logs and reloads; undefined for one added in code. */
  name: string | undefined;

  /** Buffer sizes for this endpoint's connections, over the server-wide `transport` options. */
  withTransportOptions(options: TransportOptions): this {
    this.transportOptions = { ...this.transportOptions, ...options };
    return this;
  }

  /** The HTTP versions this endpoint serves, over `HttpOptions.protocols` (see `useProtocols`). */
  protocols: HttpProtocols | undefined;

  /**
   * Serves only these HTTP versions here: 'http1', 'http2' or 'http1AndHttp2'. Applies to the
   * default HTTP terminal (`server.useHttp`); validated now.
   */
  useProtocols(protocols: HttpProtocols): this {
    this.protocols = checkHttpProtocols(protocols);
    return this;
  }

  /**
   * Serves TLS here: HTTPS is connection middleware that swaps the connection's transport for the
   * decrypted stream, at this point of the pipeline (call it first unless a middleware must see the
   * raw bytes, as PROXY protocol must). The ALPN list follows the endpoint's HTTP versions unless
   * `options.alpnProtocols` says otherwise. Certificates are checked when the server starts.
   */
  useHttps(options: HttpsOptions = {}): this {
    if (this.#httpsOptions !== undefined) throw new InvalidOptionError('useHttps', 'was already called on this endpoint');
    // Options are checked now, not at start; the certificate files are read at start. Without a
    // certificate the server supplies the development one at start (never in production).
    if (hasCertificate(options)) resolveHttpsOptions(options);
    this.#httpsOptions = options;
    this.scheme = 'https';
    return this.use((ctx, next) => this.#https!.middleware(ctx, next));
  }

  /**
   * Logs every byte read and written at this point of the chain as a hex dump, at debug, to the
   * `tiercel.connection-logging` category (Kestrel's `UseConnectionLogging`): before `useHttps` it
   * shows the TLS records, after it the plaintext. Off at the category's level (debug is not the
   * default), a connection goes through untouched.
   */
  useConnectionLogging(options: ConnectionLoggingOptions = {}): this {
    resolveConnectionLoggingOptions(options);
    const slot: { readonly options: ConnectionLoggingOptions; middleware?: ConnectionMiddleware } = { options };
    this.#logging.push(slot);
    return this.use((ctx, next) => slot.middleware!(ctx, next));
  }

  /** True when `useHttps` was given `acme` options: certificates come from an ACME CA. */
  get usesAcme(): boolean {
    return this.#httpsOptions?.acme !== undefined;
  }

  /** True once `useHttps` was called. */
  get usesHttps(): boolean {
    return this.#httpsOptions !== undefined;
  }

  /** True when HTTPS is on but no certificate was given: the server supplies the development one. */
  get needsCertificate(): boolean {
    return this.#httpsOptions !== undefined && !hasCertificate(this.#httpsOptions);
  }

  /** Adds the certificate `useHttps()` was called without (the development certificate). */
  supplyCertificate(certificate: NonNullable<HttpsOptions['certificate']>): void {
    if (this.#httpsOptions !== undefined) this.#httpsOptions = { ...this.#httpsOptions, certificate };
  }

  /** TLS as the very first middleware, for an `https://` URL that did not call `useHttps`. */
  useHttpsFirst(options: HttpsOptions): this {
    this.#httpsOptions = options;
    this.scheme = 'https';
    return this.prepend((ctx, next) => this.#https!.middleware(ctx, next));
  }

  /**
   * The options of this endpoint's TLS middleware now that the ALPN list is known (at start): the
   * server-wide `defaults` (`TLS_OPTIONS`), this endpoint's options over them. `undefined` for a
   * cleartext endpoint.
   */
  httpsOptionsFor(alpnProtocols: readonly string[], defaults: HttpsOptions = {}): HttpsOptions | undefined {
    const options = this.#httpsOptions;
    return options === undefined ? undefined : { alpnProtocols, ...defaults, ...options };
  }

  /** The TLS middleware made from `httpsOptionsFor` (at start), which `useHttps` put in the pipeline. */
  attachHttps(https: HttpsMiddleware): HttpsMiddleware {
    this.#https = https;
    return https;
  }

  /**
   * Runs a user's protocol as the terminal delegate: a class (resolved from the server's container
   * when the server starts) or an instance.
   */
  useConnectionHandler(handler: ConnectionHandlerClass | ConnectionHandler): this {
    if (typeof handler !== 'function' && typeof (handler as ConnectionHandler)?.onConnected !== 'function') {
      throw new TypeError('useConnectionHandler() takes a class or an object with onConnected(ctx)');
    }
    this.#handler = handler;
    this.#hasTerminal = true;
    return this;
  }

  override run(terminal: ConnectionDelegate): this {
    this.#handler = undefined;
    this.#hasTerminal = true;
    return super.run(terminal);
  }

  /** True once a terminal (a protocol or a handler) has been chosen. */
  get hasTerminal(): boolean {
    return this.#hasTerminal;
  }

  /** Resolves the handler (if any) from `services` and composes the pipeline. */
  buildWith(services: DependencyContainer): ConnectionDelegate {
    for (const slot of this.#logging) {
      slot.middleware ??= connectionLogging(slot.options, resolve(services, LOGGER_FACTORY).create(LOG_CATEGORIES.connectionLogging));
    }
    const handler = this.#handler;
    if (handler !== undefined) {
      const instance = typeof handler === 'function' ? resolve(services, handler as ConnectionHandlerClass) : handler;
      super.run((ctx) => instance.onConnected(ctx));
    }
    return this.build();
  }
}
