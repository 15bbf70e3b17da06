/**
 * A read-only, case-insensitive view of the request's header fields over the flat
 * `[name, value, name, value, …]` array the parser produced. Nothing is lower-cased or copied
 * until the app first asks for a header, and then only the names.
 */
export class RequestHeaders {
    raw;
    #lower;
    constructor(raw) {
        this.raw = raw;
    }
    /** Number of header lines (a repeated header counts each time). */
    get size() {
        return this.raw.length >>> 1;
    }
    /**
     * The value of `name` (any case); repeated fields are joined with ', ' (RFC 9110 §5.3), and
     * cookie fields with '; ' (RFC 9113 §8.2.3).
     */
    get(name) {
        const lower = this.#names();
        const key = name.toLowerCase();
        let found;
        for (let i = 0; i < lower.length; i++) {
            if (lower[i] === key) {
                const v = this.raw[2 * i + 1];
                found = found === undefined ? v : found + (key === 'cookie' ? '; ' : ', ') + v;
            }
        }
        return found;
    }
    getAll(name) {
        const lower = this.#names();
        const key = name.toLowerCase();
        const out = [];
        for (let i = 0; i < lower.length; i++)
            if (lower[i] === key)
                out.push(this.raw[2 * i + 1]);
        return out;
    }
    has(name) {
        return this.#names().indexOf(name.toLowerCase()) >= 0;
    }
    /** [lower-case name, value] for each header line, in order. */
    *entries() {
        const lower = this.#names();
        for (let i = 0; i < lower.length; i++)
            yield [lower[i], this.raw[2 * i + 1]];
    }
    [Symbol.iterator]() {
        return this.entries();
    }
    /** Lower-cased names, repeated values joined: the shape node:http's `req.headers` has. */
    toObject() {
        const out = {};
        const lower = this.#names();
        for (let i = 0; i < lower.length; i++) {
            const k = lower[i];
            const v = this.raw[2 * i + 1];
            out[k] = out[k] === undefined ? v : out[k] + (k === 'cookie' ? '; ' : ', ') + v;
        }
        return out;
    }
    #names() {
        if (this.#lower === undefined) {
            const n = this.raw.length >>> 1;
            const lower = new Array(n);
            for (let i = 0; i < n; i++)
                lower[i] = this.raw[2 * i].toLowerCase();
            this.#lower = lower;
        }
        return this.#lower;
    }
}
//# sourceMappingURL=request-headers.js.map