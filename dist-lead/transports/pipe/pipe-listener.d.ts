import { type Endpoint, type PipeEndpoint } from '../../connection/index.js';
import { SocketListener } from '../socket-listener.js';
import type { PipeTransportOptions } from './pipe-options.js';
/** A bound unix domain socket (POSIX) or named pipe (Windows). */
export declare class PipeListener extends SocketListener {
    #private;
    private constructor();
    /** Binds `endpoint`; on failure nothing stays bound and no file is left behind. */
    static open(endpoint: PipeEndpoint, options: Required<PipeTransportOptions>): Promise<PipeListener>;
    get endpoint(): PipeEndpoint;
    protected get transportName(): string;
    protected endpointsOf(): {
        local: Endpoint;
        remote: Endpoint;
    };
    protected afterUnbind(): Promise<void>;
}
