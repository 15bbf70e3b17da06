import { ConnectionContext, type ConnectionListener, type MemoryEndpoint } from '../../connection/index.js';
import type { MemoryDuplex } from './memory-duplex.js';
import type { MemoryTransportOptions } from './memory-options.js';
/** A bound in-memory name. `MemoryTransport.connect` hands it the server's end of each connection. */
export declare class MemoryListener implements ConnectionListener {
    #private;
    readonly endpoint: MemoryEndpoint;
    readonly options: Required<MemoryTransportOptions>;
    /** `onUnbind` frees the name in the transport that bound it. */
    constructor(endpoint: MemoryEndpoint, options: Required<MemoryTransportOptions>, onUnbind: () => void);
    /** False once unbound: a connect then is refused. */
    get accepting(): boolean;
    /** Queues the server's end of a new connection for `accept`. */
    enqueue(serverEnd: MemoryDuplex): void;
    accept(): Promise<ConnectionContext | null>;
    unbind(): Promise<void>;
    dispose(): Promise<void>;
}
