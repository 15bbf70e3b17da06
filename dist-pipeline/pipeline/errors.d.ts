import { TiercelError } from '../connection/index.js';
import { HttpProtocolError } from '../protocols/http/index.js';
/** The request body was read before (by `text()`, `json()`, `buffer()`, `stream()` or `body`). */
export declare class BodyAlreadyReadError extends TiercelError {
    constructor();
}
/**
 * More body bytes arrived than `maxRequestBodySize` allows. The exchange enforces the limit
 * itself (with the same code); this is the pipeline's own check, so a helper never buffers past
 * the limit whatever the protocol adapter does.
 */
export declare class RequestBodyTooLargeError extends HttpProtocolError {
    readonly limit: number;
    constructor(limit: number);
}
/** The app wrote to a response that was already ended (or aborted). */
export declare class ResponseEndedError extends TiercelError {
    constructor(what: string);
}
/** A status code outside 100-999, or not an integer; or a redirect status outside 300-399. */
export declare class InvalidStatusCodeError extends TiercelError {
    readonly status: unknown;
    constructor(status: unknown, rule?: string);
}
/** A response body of a type the call does not take (`send({})` instead of `json({})`, say). */
export declare class InvalidBodyError extends TiercelError {
    constructor(what: string, value: unknown);
}
/** The pipeline was composed wrongly (a bad `map` prefix, middleware added after `run`, …). */
export declare class PipelineConfigError extends TiercelError {
    constructor(message: string);
}
