import type { Socket } from 'node:net';
import { type Endpoint, type TcpEndpoint } from '../../connection/index.js';
import { SocketListener } from '../socket-listener.js';
import type { TcpTransportOptions } from './tcp-options.js';
/** A bound TCP endpoint: one server, or two for `localhost` (127.0.0.1 and ::1 on one port). */
export declare class TcpListener extends SocketListener {
    #private;
    private constructor();
    /** Binds `endpoint`; on failure nothing stays bound. */
    static open(endpoint: TcpEndpoint, options: Required<TcpTransportOptions>): Promise<TcpListener>;
    get endpoint(): TcpEndpoint;
    protected get transportName(): string;
    protected endpointsOf(socket: Socket): {
        local: Endpoint;
        remote: Endpoint;
    };
}
