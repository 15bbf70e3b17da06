import { inject, injectable } from '../../connection/tsyringe.js';
import { InvalidEndpointError, type Endpoint, type TcpEndpoint, type Transport } from '../../connection/index.js';
import { resolveOptions } from '../transport-options.js';
import { TcpListener } from './tcp-listener.js';
import { TCP_TRANSPORT_OPTIONS, tcpDefaults, tcpRules, type TcpTransportOptions } from './tcp-options.js';

/**
 * TCP over node:net. Binds IP literals, `'*'` (every address, dual-stack where the machine has
 * IPv6) and `'localhost'` (127.0.0.1 and ::1 on one port); port 0 takes a free port.
 *
 * `new TcpTransport(options)`, or `container.resolve(TcpTransport)` (options from the
 * `TCP_TRANSPORT_OPTIONS` token when it is registered). Options are checked here, at
 * configuration time; `bind` may override them for one endpoint.
 */
@injectable()
export class TcpTransport implements Transport {
  readonly name = 'tcp';
  readonly #options: Required<TcpTransportOptions>;

  constructor(@inject(TCP_TRANSPORT_OPTIONS, { isOptional: true }) options?: TcpTransportOptions) {
    this.#options = resolveOptions(tcpDefaults, tcpRules, options);
  }

  canBind(endpoint: Endpoint): boolean {
    return endpoint.kind === 'tcp';
  }

  async bind(endpoint: Endpoint, options?: TcpTransportOptions): Promise<TcpListener> {
    if (!this.canBind(endpoint)) throw new InvalidEndpointError(JSON.stringify(endpoint), 'the TCP transport binds only tcp endpoints');
    return TcpListener.open(endpoint as TcpEndpoint, resolveOptions(tcpDefaults, tcpRules, this.#options, options));
  }
}
