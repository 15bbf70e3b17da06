/**
 * Kestrel's connection-logging dump: 16 bytes a line, in hex, then the same bytes as text (a
 * printable ASCII byte as itself, any other as '.'), at most `max` bytes of `bytes` (the rest is
 * counted, not shown: a dump has a bound whatever a peer sends).
 *
 *   0000  47 45 54 20 2f 20 48 54 54 50 2f 31 2e 31 0d 0a  GET / HTTP/1.1..
 */
export function hexDump(bytes: Uint8Array, max: number): string {
  const shown = Math.min(bytes.length, max);
  const lines: string[] = [];
  for (let line = 0; line < shown; line += 16) {
    let hex = '';
    let text = '';
    for (let i = line; i < line + 16; i++) {
      if (i < shown) {
        const b = bytes[i];
        hex += HEX[b] + ' ';
        text += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
      } else {
        hex += '   ';
      }
    }
    lines.push(`${line.toString(16).padStart(4, '0')}  ${hex} ${text}`);
  }
  if (bytes.length > shown) lines.push(`(${bytes.length - shown} more bytes not shown)`);
  return lines.join('\n');
}

const HEX: readonly string[] = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));
