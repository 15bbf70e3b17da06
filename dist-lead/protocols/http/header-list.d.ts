export type HeaderValue = string | number | readonly (string | number)[];
/**
 * Response headers (and trailers): an ordered list of validated name/value pairs. Names and
 * values are checked when they are set, so a value with CR or LF (response splitting) is refused
 * at the app's call, not found later on the wire. Small and array-backed: a response has few
 * headers, and a linear scan of a handful beats hashing.
 */
export declare class HeaderList {
    #private;
    get size(): number;
    /** True when a value holds obs-text (bytes 0x80-0xFF): the head must be written as latin1. */
    get needsLatin1(): boolean;
    /** The first value of `name` (any case), or undefined. */
    get(name: string): string | undefined;
    getAll(name: string): string[];
    has(name: string): boolean;
    /** Replaces every value of `name`. An array sets one header line per element (set-cookie). */
    set(name: string, value: HeaderValue): this;
    append(name: string, value: HeaderValue): this;
    delete(name: string): boolean;
    /** [name as set, value] pairs in order. */
    entries(): IterableIterator<[string, string]>;
    [Symbol.iterator](): IterableIterator<[string, string]>;
    /** Lower-cased names with values joined (set-cookie kept as an array), as node:http shows them. */
    toObject(): Record<string, string | string[]>;
    /** Appends `name: value\r\n` for every header to `head` (the wire form for HTTP/1.x). */
    serialize(head: string): string;
    /** Called by the protocol when the headers go on the wire: later changes are errors. */
    seal(because: string): void;
    get sealed(): boolean;
}
