import type { ConnectionContext } from '../../connection/index.js';
import { TiercelError } from '../../connection/index.js';
import { HeaderList, RequestHeaders, type HttpExchange, type HttpProtocolName, type UpgradedConnection } from '../http/index.js';
import type { Http1Connection } from './http1-connection.js';
import type { RequestHead } from './http1-parser.js';
/** The app wrote more (or less) than the content-length it set. */
export declare class ContentLengthMismatchError extends TiercelError {
    constructor(declared: number, actual: number);
}
/**
 * One HTTP/1.x request and its response. Created by `Http1Connection` when a head is parsed;
 * writes go through the connection so that pipelined responses leave in one batch.
 */
export declare class Http1Exchange implements HttpExchange {
    #private;
    readonly owner: Http1Connection;
    readonly connection: ConnectionContext;
    readonly protocol: HttpProtocolName;
    readonly method: string;
    readonly target: string;
    readonly headers: RequestHeaders;
    readonly requestContentLength: number;
    readonly requestHasBody: boolean;
    readonly isUpgradeRequest: boolean;
    readonly upgradeProtocol: string | undefined;
    readonly expectContinue: boolean;
    readonly isHead: boolean;
    maxRequestBodySize: number;
    statusCode: number;
    readonly responseHeaders: HeaderList;
    requestComplete: boolean;
    bodyReceived: number;
    /** Set once the app has finished (sync or async). */
    appDone: boolean;
    /** The response is over and the rest of the body is read and thrown away. */
    discarding: boolean;
    readStartedAt: number;
    upgraded: boolean;
    constructor(owner: Http1Connection, head: RequestHead, maxRequestBodySize: number);
    readBody(): Promise<Buffer | null>;
    /** A body chunk from the parser. Returns false when the app is not keeping up (stop reading). */
    pushBody(chunk: Buffer): boolean;
    endBody(): void;
    /** Fails the body for the app (413, 408, 400 in a chunk, or the client going away). */
    failBody(err: unknown): void;
    /** The app is done with the body: drop what is queued and discard the rest as it arrives. */
    startDiscarding(): void;
    get waitingForBody(): boolean;
    get headersSent(): boolean;
    get responseEnded(): boolean;
    get responseTrailers(): HeaderList | null;
    write(chunk: Buffer | string): boolean;
    drain(): Promise<void>;
    end(chunk?: Buffer | string): void;
    upgrade(): UpgradedConnection;
    get aborted(): AbortSignal;
    abort(reason?: unknown): void;
    /** Called by the connection when the client goes away. */
    onConnectionLost(reason: unknown): void;
    get continueSent(): boolean;
}
