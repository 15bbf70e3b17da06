import { type ConnectionContext, type Logger } from '../../connection/index.js';
import { type Heartbeat, type HeartbeatHandler, type HttpApplication, type HttpLimits, type UpgradeCounter, type UpgradedConnection } from '../http/index.js';
import { Http1Exchange } from './http1-exchange.js';
import { type Http1ParserHandler, type RequestHead } from './http1-parser.js';
export interface Http1ConnectionOptions {
    readonly limits: HttpLimits;
    /** The `server: …\r\n` line, or '' for none. */
    readonly serverLine: string;
    readonly extraMethods: readonly string[];
    readonly upgrades: UpgradeCounter;
    readonly heartbeat: Heartbeat;
    readonly logger: Logger;
    /** Bytes of request body queued for a slow app before the connection stops reading. */
    readonly maxReadBufferSize?: number;
}
/**
 * Drives HTTP/1.x on one connection: feeds the transport's bytes to the parser, runs one request
 * at a time through the app (pipelined requests wait their turn; finished responses are flushed
 * before a slow one is awaited), writes responses in one batch per read, and applies the limits
 * and timeouts on each heartbeat.
 */
export declare class Http1Connection implements Http1ParserHandler, HeartbeatHandler {
    #private;
    readonly ctx: ConnectionContext;
    readonly maxReadBufferSize: number;
    keepAlive: boolean;
    constructor(ctx: ConnectionContext, app: HttpApplication, options: Http1ConnectionOptions);
    get dateLine(): string;
    get serverLine(): string;
    /** Serves the connection; resolves when it is done with HTTP (closed, or handed off). */
    run(): Promise<void>;
    onRequestHead(head: RequestHead): void;
    onBody(chunk: Buffer): void;
    onMessageComplete(): void;
    /** Called by the exchange when its response has ended. */
    onResponseEnded(ex: Http1Exchange): void;
    /** True when the rest of an unread body is too large to drain (so the response says close). */
    wouldCloseForUnreadBody(ex: Http1Exchange): boolean;
    /**
     * Queues bytes for the client. Strings are latin1 (heads, ASCII bodies). During a parse they are
     * collected and leave in one write when the parse returns; outside one they go out at once.
     * Returns false when the transport's buffer is full.
     */
    emit(data: string | Buffer): boolean;
    canWrite(): boolean;
    drain(): Promise<void>;
    /** Gives up on an exchange whose response cannot be completed: the connection is closed. */
    abortExchange(ex: Http1Exchange, reason: unknown): void;
    /** The app drained its queued body: read from the transport again. */
    resumeReading(): void;
    /** Throws 503 when taking one more upgraded connection would pass the server's limit. */
    reserveUpgrade(): void;
    /** Hands the raw transport and the bytes read past the head to the caller. */
    detach(): UpgradedConnection;
    onHeartbeat(now: number): void;
}
