/**
 * A read-only, case-insensitive view of the request's header fields over the flat
 * `[name, value, name, value, …]` array the parser produced. Nothing is lower-cased or copied
 * until the app first asks for a header, and then only the names.
 */
export declare class RequestHeaders {
    #private;
    readonly raw: readonly string[];
    constructor(raw: readonly string[]);
    /** Number of header lines (a repeated header counts each time). */
    get size(): number;
    /**
     * The value of `name` (any case); repeated fields are joined with ', ' (RFC 9110 §5.3), and
     * cookie fields with '; ' (RFC 9113 §8.2.3).
     */
    get(name: string): string | undefined;
    getAll(name: string): string[];
    has(name: string): boolean;
    /** [lower-case name, value] for each header line, in order. */
    entries(): IterableIterator<[string, string]>;
    [Symbol.iterator](): IterableIterator<[string, string]>;
    /** Lower-cased names, repeated values joined: the shape node:http's `req.headers` has. */
    toObject(): Record<string, string>;
}
