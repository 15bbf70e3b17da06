import 'reflect-metadata';
import { type Endpoint, type Transport } from '../../connection/index.js';
import { TcpListener } from './tcp-listener.js';
import { type TcpTransportOptions } from './tcp-options.js';
/**
 * TCP over node:net. Binds IP literals, `'*'` (every address, dual-stack where the machine has
 * IPv6) and `'localhost'` (127.0.0.1 and ::1 on one port); port 0 takes a free port.
 *
 * `new TcpTransport(options)`, or `container.resolve(TcpTransport)` (options from the
 * `TCP_TRANSPORT_OPTIONS` token when it is registered). Options are checked here, at
 * configuration time; `bind` may override them for one endpoint.
 */
export declare class TcpTransport implements Transport {
    #private;
    readonly name = "tcp";
    constructor(options?: TcpTransportOptions);
    canBind(endpoint: Endpoint): boolean;
    bind(endpoint: Endpoint, options?: TcpTransportOptions): Promise<TcpListener>;
}
