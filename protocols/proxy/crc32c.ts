// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), as RFC 4960 appendix B computes it:
// the checksum PROXY v2's PP2_TYPE_CRC32C carries. Node has CRC-32 (zlib) but not CRC-32C.

let table: Uint32Array | undefined;

function makeTable(): Uint32Array {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
}

/**
 * The CRC-32C of `buf`, with the four bytes at `zeroAt` (when given) read as zeros: the header's
 * own checksum field, which the specification zeroes before computing.
 */
export function crc32c(buf: Buffer, zeroAt = -1): number {
  const t = (table ??= makeTable());
  let crc = 0xffffffff;
  for (let i = 0; i < buf.length; i++) {
    const b = zeroAt >= 0 && i >= zeroAt && i < zeroAt + 4 ? 0 : buf[i];
    crc = t[(crc ^ b) & 0xff] ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}
