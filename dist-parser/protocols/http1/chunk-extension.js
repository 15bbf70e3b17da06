import { QDTEXT, TOKEN } from './http1-tokens.js';
/** Returned by `scan` for bytes that are not a chunk extension. */
export const EXT_INVALID = -1;
/** Returned by `scan` for an LF without its CR. */
export const EXT_BARE_LF = -2;
/**
 * Validates chunk extensions (RFC 9112 §7.1.1) after the `;` that follows a chunk size:
 * `token [ "=" ( token / quoted-string ) ] *( ";" … )` up to the CR. No BWS: llhttp refuses it
 * and leniency there has been a smuggling vector. The values are not kept (nothing uses them);
 * the bytes are only checked, one by one, as extensions are rare. Resumable across chunks.
 */
export class ChunkExtensionScanner {
    #x = 0 /* X.NameStart */;
    /** Starts a new extension list (the `;` was just read). */
    reset() {
        this.#x = 0 /* X.NameStart */;
    }
    /** True once the CR ending the chunk-size line has been read. */
    get done() {
        return this.#x === 7 /* X.Done */;
    }
    /** Scans b[p, len); returns the position after the CR (or len), or EXT_INVALID / EXT_BARE_LF. */
    scan(b, p, len) {
        let x = this.#x;
        for (; p < len; p++) {
            const c = b[p];
            switch (x) {
                case 0 /* X.NameStart */:
                    if (TOKEN[c] === 0)
                        return EXT_INVALID;
                    x = 1 /* X.Name */;
                    continue;
                case 1 /* X.Name */:
                case 3 /* X.Value */:
                    if (TOKEN[c] === 1)
                        continue;
                    if (c === 0x3d /* = */ && x === 1 /* X.Name */)
                        x = 2 /* X.ValueStart */;
                    else if (c === 0x3b /* ; */)
                        x = 0 /* X.NameStart */;
                    else if (c === 0x0d)
                        break;
                    else
                        return c === 0x0a ? EXT_BARE_LF : EXT_INVALID;
                    continue;
                case 2 /* X.ValueStart */:
                    if (c === 0x22 /* " */)
                        x = 4 /* X.Quoted */;
                    else if (TOKEN[c] === 1)
                        x = 3 /* X.Value */;
                    else
                        return EXT_INVALID;
                    continue;
                case 4 /* X.Quoted */:
                    if (c === 0x22)
                        x = 6 /* X.QuotedEnd */;
                    else if (c === 0x5c /* \ */)
                        x = 5 /* X.QuotedEscape */;
                    else if (QDTEXT[c] === 0)
                        return EXT_INVALID;
                    continue;
                case 5 /* X.QuotedEscape */:
                    // quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text )
                    if (c !== 0x09 && (c < 0x20 || c === 0x7f))
                        return EXT_INVALID;
                    x = 4 /* X.Quoted */;
                    continue;
                case 6 /* X.QuotedEnd */:
                    if (c === 0x3b)
                        x = 0 /* X.NameStart */;
                    else if (c === 0x0d)
                        break;
                    else
                        return c === 0x0a ? EXT_BARE_LF : EXT_INVALID;
                    continue;
            }
            // The CR that ends the chunk-size line (the parser checks the LF).
            this.#x = 7 /* X.Done */;
            return p + 1;
        }
        this.#x = x;
        return p;
    }
}
//# sourceMappingURL=chunk-extension.js.map