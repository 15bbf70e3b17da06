/** Returned by `scan` for bytes that are not a chunk extension. */
export declare const EXT_INVALID = -1;
/** Returned by `scan` for an LF without its CR. */
export declare const EXT_BARE_LF = -2;
/**
 * Validates chunk extensions (RFC 9112 §7.1.1) after the `;` that follows a chunk size:
 * `token [ "=" ( token / quoted-string ) ] *( ";" … )` up to the CR. No BWS: llhttp refuses it
 * and leniency there has been a smuggling vector. The values are not kept (nothing uses them);
 * the bytes are only checked, one by one, as extensions are rare. Resumable across chunks.
 */
export declare class ChunkExtensionScanner {
    #private;
    /** Starts a new extension list (the `;` was just read). */
    reset(): void;
    /** True once the CR ending the chunk-size line has been read. */
    get done(): boolean;
    /** Scans b[p, len); returns the position after the CR (or len), or EXT_INVALID / EXT_BARE_LF. */
    scan(b: Buffer, p: number, len: number): number;
}
