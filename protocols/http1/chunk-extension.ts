import { QDTEXT, TOKEN } from './http1-tokens.js';

const enum X {
  NameStart,
  Name,
  ValueStart,
  Value,
  Quoted,
  QuotedEscape,
  QuotedEnd,
  Done, // the CR that ends the chunk-size line was read
}

/** Returned by `scan` for bytes that are not a chunk extension. */
const EXT_INVALID = -1;
/** Returned by `scan` for an LF without its CR. */
export const EXT_BARE_LF = -2;

/**
 * Validates chunk extensions (RFC 9112 §7.1.1) after the `;` that follows a chunk size:
 * `token [ "=" ( token / quoted-string ) ] *( ";" … )` up to the CR. No BWS: llhttp refuses it
 * and leniency there has been a smuggling vector. The values are not kept (nothing uses them);
 * the bytes are only checked, one by one, as extensions are rare. Resumable across chunks.
 */
export class ChunkExtensionScanner {
  #x = X.NameStart;

  /** Starts a new extension list (the `;` was just read). */
  reset(): void {
    this.#x = X.NameStart;
  }

  /** True once the CR ending the chunk-size line has been read. */
  get done(): boolean {
    return this.#x === X.Done;
  }

  /** Scans b[p, len); returns the position after the CR (or len), or EXT_INVALID / EXT_BARE_LF. */
  scan(b: Buffer, p: number, len: number): number {
    let x = this.#x;
    for (; p < len; p++) {
      const c = b[p];
      switch (x) {
        case X.NameStart:
          if (TOKEN[c] === 0) return EXT_INVALID;
          x = X.Name;
          continue;
        case X.Name:
        case X.Value:
          if (TOKEN[c] === 1) continue;
          if (c === 0x3d /* = */ && x === X.Name) x = X.ValueStart;
          else if (c === 0x3b /* ; */) x = X.NameStart;
          else if (c === 0x0d) break;
          else return c === 0x0a ? EXT_BARE_LF : EXT_INVALID;
          continue;
        case X.ValueStart:
          if (c === 0x22 /* " */) x = X.Quoted;
          else if (TOKEN[c] === 1) x = X.Value;
          else return EXT_INVALID;
          continue;
        case X.Quoted:
          if (c === 0x22) x = X.QuotedEnd;
          else if (c === 0x5c /* \ */) x = X.QuotedEscape;
          else if (QDTEXT[c] === 0) return EXT_INVALID;
          continue;
        case X.QuotedEscape:
          // quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text )
          if (c !== 0x09 && (c < 0x20 || c === 0x7f)) return EXT_INVALID;
          x = X.Quoted;
          continue;
        case X.QuotedEnd:
          if (c === 0x3b) x = X.NameStart;
          else if (c === 0x0d) break;
          else return c === 0x0a ? EXT_BARE_LF : EXT_INVALID;
          continue;
      }
      // The CR that ends the chunk-size line (the parser checks the LF).
      this.#x = X.Done;
      return p + 1;
    }
    this.#x = x;
    return p;
  }
}
