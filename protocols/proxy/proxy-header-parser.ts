import { ProxyProtocolError, type ProxyHeader } from '../../connection/index.js';
import { PROXY_PROTOCOL_DEFAULTS } from './proxy-protocol-options.js';
import { PROXY_V1_MAX_LENGTH, readV1 } from './proxy-v1.js';
import { checkV2Fixed, readV2 } from './proxy-v2.js';

/**
 * What the parser made of the bytes so far:
 * - 'more': a valid beginning of a header; push the next read;
 * - 'header': the header, and `rest`, the bytes after it in the last chunk (a slice of it, not a
 *   copy), which belong to the next layer;
 * - 'rejected': not a valid header; `error.reason` says why. Every bad input ends here: the
 *   parser never throws.
 */
export type ProxyParseResult =
  | { readonly status: 'more' }
  | { readonly status: 'header'; readonly header: ProxyHeader; readonly rest: Buffer }
  | { readonly status: 'rejected'; readonly error: ProxyProtocolError };

const MORE: ProxyParseResult = Object.freeze({ status: 'more' });
const V2_FIRST = 0x0d;
const V1_FIRST = 0x50; // 'P'

/**
 * A push parser for one PROXY protocol header, v1 or v2, told apart by their first byte
 * (section 2.2). Reads may split the header anywhere: `push` takes each chunk as it arrives and
 * holds only the header's own bytes, at most 107 for v1 and `maxHeaderBytes` for v2, so a peer
 * cannot make it hold more. It answers as soon as the bytes decide: a wrong byte is refused when
 * it arrives, not when the header would have ended. One parser per connection.
 */
export class ProxyHeaderParser {
  #held: Buffer;
  #filled = 0;
  #final: ProxyParseResult | undefined;
  readonly #maxHeaderBytes: number;

  /** `maxHeaderBytes` bounds a v2 header; it is not checked here (see `resolveProxyProtocolOptions`). */
  constructor(maxHeaderBytes: number = PROXY_PROTOCOL_DEFAULTS.maxHeaderBytes) {
    this.#maxHeaderBytes = maxHeaderBytes;
    // Room for the longest v1 line, and more than v2's fixed part; a longer v2 header grows it
    // once its length is known. Not from the shared pool: TLV values are slices of it.
    this.#held = Buffer.alloc(PROXY_V1_MAX_LENGTH);
  }

  /** Takes the next chunk. After a 'header' or 'rejected' result, returns that result again and reads nothing. */
  push(chunk: Buffer): ProxyParseResult {
    if (this.#final !== undefined) return this.#final;
    let offset = 0;
    while (offset < chunk.length) {
      const before = this.#filled;
      const n = Math.min(this.#held.length - before, chunk.length - offset);
      chunk.copy(this.#held, before, offset, offset + n);
      this.#filled += n;
      const chunkStart = offset;
      offset += n;
      const r = this.#evaluate();
      if (r === undefined) continue;
      if (r instanceof ProxyProtocolError) return (this.#final = { status: 'rejected', error: r });
      // The header ends inside this chunk: everything before `before` was not enough.
      return (this.#final = { status: 'header', header: r, rest: chunk.subarray(chunkStart + (r.length - before)) });
    }
    return MORE;
  }

  /** The header, its rejection, or undefined for more (after growing the buffer a v2 header needs). */
  #evaluate(): ProxyHeader | ProxyProtocolError | undefined {
    const held = this.#held;
    const filled = this.#filled;
    const first = held[0];
    if (first === V1_FIRST) return readV1(held, filled);
    if (first !== V2_FIRST) return new ProxyProtocolError('signature', 'the connection does not start with a PROXY header');
    const total = checkV2Fixed(held, filled, this.#maxHeaderBytes);
    if (typeof total !== 'number') return total;
    if (filled >= total) return readV2(held.subarray(0, total));
    if (held.length < total) {
      const grown = Buffer.alloc(total);
      held.copy(grown, 0, 0, filled);
      this.#held = grown;
    }
    return undefined;
  }
}

/** Parses a header from `data`, one buffer (the parser's answer for a single read). */
export function parseProxyHeader(data: Buffer, maxHeaderBytes: number = PROXY_PROTOCOL_DEFAULTS.maxHeaderBytes): ProxyParseResult {
  return new ProxyHeaderParser(maxHeaderBytes).push(data);
}
