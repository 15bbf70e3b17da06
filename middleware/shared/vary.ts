import type { HeaderList } from '../../protocols/http/index.js';

/**
 * True when the response's Vary (every Vary field, each a comma-separated list) names `lowerName`
 * or `*` (RFC 9110 §12.5.5): what is sent already depends on that request field.
 */
export function varyNames(headers: HeaderList, lowerName: string): boolean {
  for (const field of headers.getAll('vary')) {
    for (const part of field.split(',')) {
      const p = part.trim().toLowerCase();
      if (p === lowerName || p === '*') return true;
    }
  }
  return false;
}

/**
 * Adds `name` to the response's Vary unless it (or `*`) is there already: the one place the
 * middleware that make a response depend on a request field (CORS on Origin, compression and
 * precompressed static files on Accept-Encoding) say so, so no token is listed twice.
 */
export function appendVary(headers: HeaderList, name: string): void {
  if (varyNames(headers, name.toLowerCase())) return;
  const fields = headers.getAll('vary');
  headers.set('vary', fields.length === 0 ? name : `${fields.join(', ')}, ${name}`);
}
