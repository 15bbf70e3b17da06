import 'reflect-metadata';
import { type Endpoint, type Transport } from '../../connection/index.js';
import { PipeListener } from './pipe-listener.js';
import { type PipeTransportOptions } from './pipe-options.js';
/**
 * Local IPC through node:net: unix domain sockets on POSIX (`unix:/run/app.sock`), named pipes
 * on Windows (`\\.\pipe\name`). Each platform binds only its own kind of path.
 *
 * `new PipeTransport(options)`, or `container.resolve(PipeTransport)` (options from the
 * `PIPE_TRANSPORT_OPTIONS` token when it is registered).
 */
export declare class PipeTransport implements Transport {
    #private;
    readonly name = "pipe";
    constructor(options?: PipeTransportOptions);
    canBind(endpoint: Endpoint): boolean;
    bind(endpoint: Endpoint, options?: PipeTransportOptions): Promise<PipeListener>;
}
