// The content types a static site mostly needs. A small table rather than `mime-types` (whose
// database is ~200 KB of JSON parsed at import): an app serving other kinds adds them with the
// `contentTypes` option.
const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.svg': 'image/svg+xml; charset=utf-8',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.wasm': 'application/wasm',
  '.pdf': 'application/pdf',
  '.zip': 'application/zip',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
  '.mp3': 'audio/mpeg',
  '.ogg': 'audio/ogg',
  '.wav': 'audio/wav',
};

const OCTET_STREAM = 'application/octet-stream';

/** The content type for `fileName` by its extension: `extra` first, then the table, else application/octet-stream. */
export function contentTypeOf(fileName: string, extra: ReadonlyMap<string, string>): string {
  const dot = fileName.lastIndexOf('.');
  if (dot <= 0) return OCTET_STREAM;
  const ext = fileName.slice(dot).toLowerCase();
  return extra.get(ext) ?? TYPES[ext] ?? OCTET_STREAM;
}
