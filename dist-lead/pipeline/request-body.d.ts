import { Readable } from 'node:stream';
import type { HttpExchange } from '../protocols/http/index.js';
/** The whole body in one Buffer, never more than the exchange's `maxRequestBodySize`. */
export declare function readBodyBuffer(exchange: HttpExchange): Promise<Buffer>;
/** The body decoded as UTF-8. */
export declare function readBodyText(exchange: HttpExchange): Promise<string>;
/** The body parsed as JSON; a body that is not JSON (an empty one included) is a 400. */
export declare function readBodyJson<T = unknown>(exchange: HttpExchange): Promise<T>;
/** The body chunk by chunk, as the client sends it; the next chunk is read only when asked for. */
export declare function iterateBody(exchange: HttpExchange): AsyncGenerator<Buffer, void, undefined>;
/**
 * A Readable over the body. It pulls: `_read` asks the exchange for one chunk and asks again only
 * when the consumer wants more, so a slow consumer slows the upload (backpressure to the client).
 */
export declare class RequestBodyStream extends Readable {
    #private;
    constructor(exchange: HttpExchange);
    _read(): void;
}
