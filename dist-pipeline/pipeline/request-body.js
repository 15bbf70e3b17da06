import { Readable } from 'node:stream';
import { RequestBodyTooLargeError } from './errors.js';
import { HttpError } from './http-error.js';
// Body readers over `exchange.readBody()`. The exchange enforces `maxRequestBodySize` and turns
// bad framing, slow uploads and oversize bodies into an HttpProtocolError (400/408/413) that
// these helpers pass on untouched. They also count bytes themselves, so that no helper ever holds
// more than the limit even if a protocol adapter forgot to check.
const EMPTY = Buffer.alloc(0);
function checkLimit(received, limit) {
    if (received > limit)
        throw new RequestBodyTooLargeError(limit);
}
/** The whole body in one Buffer, never more than the exchange's `maxRequestBodySize`. */
export async function readBodyBuffer(exchange) {
    if (!exchange.requestHasBody)
        return EMPTY;
    const limit = exchange.maxRequestBodySize;
    const first = await exchange.readBody();
    if (first === null)
        return EMPTY;
    let received = first.length;
    checkLimit(received, limit);
    const chunks = [first];
    for (;;) {
        const chunk = await exchange.readBody();
        if (chunk === null)
            break;
        received += chunk.length;
        checkLimit(received, limit);
        chunks.push(chunk);
    }
    // The common small body arrives in one chunk: hand it over without a copy.
    return chunks.length === 1 ? first : Buffer.concat(chunks, received);
}
/** The body decoded as UTF-8. */
export async function readBodyText(exchange) {
    const buffer = await readBodyBuffer(exchange);
    return buffer.length === 0 ? '' : buffer.toString('utf8');
}
/** The body parsed as JSON; a body that is not JSON (an empty one included) is a 400. */
export async function readBodyJson(exchange) {
    const text = await readBodyText(exchange);
    try {
        return JSON.parse(text);
    }
    catch (err) {
        throw new HttpError(400, 'The request body is not valid JSON', { code: 'ERR_TIERCEL_INVALID_JSON', cause: err });
    }
}
/** The body chunk by chunk, as the client sends it; the next chunk is read only when asked for. */
export async function* iterateBody(exchange) {
    if (!exchange.requestHasBody)
        return;
    const limit = exchange.maxRequestBodySize;
    let received = 0;
    for (;;) {
        const chunk = await exchange.readBody();
        if (chunk === null)
            return;
        received += chunk.length;
        checkLimit(received, limit);
        yield chunk;
    }
}
/**
 * A Readable over the body. It pulls: `_read` asks the exchange for one chunk and asks again only
 * when the consumer wants more, so a slow consumer slows the upload (backpressure to the client).
 */
export class RequestBodyStream extends Readable {
    #exchange;
    #limit;
    #received = 0;
    constructor(exchange) {
        super();
        this.#exchange = exchange;
        this.#limit = exchange.maxRequestBodySize;
        if (!exchange.requestHasBody)
            this.push(null);
    }
    _read() {
        this.#exchange.readBody().then(this.#onChunk, this.#onError);
    }
    #onChunk = (chunk) => {
        if (chunk !== null) {
            this.#received += chunk.length;
            if (this.#received > this.#limit) {
                this.destroy(new RequestBodyTooLargeError(this.#limit));
                return;
            }
        }
        this.push(chunk);
    };
    #onError = (err) => {
        this.destroy(err instanceof Error ? err : new Error(String(err)));
    };
}
//# sourceMappingURL=request-body.js.map