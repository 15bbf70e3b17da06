import { type ListenOptions, type Server, type Socket } from 'node:net';
import { ConnectionContext, type ConnectionListener, type Endpoint } from '../connection/index.js';
/** How the servers of a socket listener treat each connection they take from the OS. */
export interface SocketServerSettings {
    /** Applied to both directions of every accepted socket (see the transports' options). */
    readonly highWaterMark: number;
    readonly noDelay: boolean;
}
/**
 * The part of the TCP and pipe listeners that is the same: one or more `net.Server`s feeding one
 * accept queue. A subclass binds its servers with `listen` and says how a socket becomes a
 * connection.
 */
export declare abstract class SocketListener implements ConnectionListener {
    #private;
    protected constructor(settings: SocketServerSettings);
    abstract get endpoint(): Endpoint;
    /** The transport's name, for the connection's `TransportFeature`. */
    protected abstract get transportName(): string;
    /** Where the connection came from and arrived. */
    protected abstract endpointsOf(socket: Socket): {
        local: Endpoint;
        remote: Endpoint;
    };
    /** Runs once the servers are closed (the pipe listener removes its socket file). */
    protected afterUnbind(): Promise<void>;
    /**
     * Opens one more server feeding this listener. A failure closes nothing else: the caller decides
     * whether to retry, go on without it, or dispose. `described` names the endpoint in errors.
     */
    protected listen(options: ListenOptions, described: string): Promise<Server>;
    /** Runs `bind` (the subclass's `listen` calls); if it fails, closes whatever it had opened. */
    protected bindOrDispose(bind: () => Promise<void>): Promise<this>;
    /** Closes one server opened by `listen` (a half-done dual bind that has to start again). */
    protected closeServer(server: Server): Promise<void>;
    accept(): Promise<ConnectionContext | null>;
    unbind(): Promise<void>;
    dispose(): Promise<void>;
}
/** A platform bind error as a domain error: EADDRINUSE is `AddressInUseError`, the rest `BindError`. */
export declare function bindFailure(err: unknown, described: string): Error;
/** The errno code of a Node error, or of the platform error a domain error wraps. */
export declare function errorCode(err: unknown): string | undefined;
