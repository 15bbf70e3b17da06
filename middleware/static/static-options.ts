import { realpathSync, statSync } from 'node:fs';
import { StaticFilesConfigError } from './static-errors.js';

/** What to do with a path one of whose segments starts with a dot (`.env`, `.git/config`). */
export type DotfilesPolicy = 'ignore' | 'allow' | 'deny';

export interface StaticFilesOptions {
  /** The folder served. Required; must exist when the middleware is made (its real path is taken then). */
  root: string;
  /**
   * Files tried, in order, for a request naming a folder (with a trailing slash; without one the
   * client is redirected to it, 301). Default `['index.html']`; `false` for none (a folder is then
   * not found).
   */
  index?: readonly string[] | false;
  /** `cache-control: public, max-age=N`. Default 0: caches revalidate every time (with the ETag, a 304). */
  maxAgeSeconds?: number;
  /** Send an `ETag` and honour `If-None-Match`/`If-Match`. Default true. */
  etag?: boolean;
  /** Send `Last-Modified` and honour `If-Modified-Since`/`If-Unmodified-Since`. Default true. */
  lastModified?: boolean;
  /**
   * Serve a `.br` or `.gz` sibling of the file (made at build time) to a client that accepts that
   * encoding, with `content-encoding` and `vary: accept-encoding`. Default true: a missing sibling
   * costs one failed `stat` per request that accepts the encoding.
   */
  precompressed?: boolean;
  /**
   * Paths with a segment starting with a dot: `'ignore'` (default) treats them as not found, as
   * `send` does, so `.env` or `.git/` left in the folder are not published; `'deny'` answers 403;
   * `'allow'` serves them.
   */
  dotfiles?: DotfilesPolicy;
  /**
   * When nothing is found (or the method is not GET or HEAD), call the next middleware. Default
   * true, so static files can sit in front of the app's routes. False answers 404 (405 with
   * `Allow` for another method) from here.
   */
  fallthrough?: boolean;
  /** Content types by extension (lower case, with the dot: `{ '.md': 'text/markdown' }`), over the built-in table. */
  contentTypes?: Readonly<Record<string, string>>;
  /**
   * Bytes read from the file at a time (the read stream's highWaterMark): at most this much of a
   * file is held per response while the client is slow. Default 64 KiB, as `fs.createReadStream`.
   */
  readChunkSize?: number;
}

export interface ResolvedStaticFilesOptions {
  /** The root's real path (symbolic links resolved), without a trailing separator. */
  readonly root: string;
  readonly index: readonly string[];
  readonly cacheControl: string;
  readonly etag: boolean;
  readonly lastModified: boolean;
  readonly precompressed: boolean;
  readonly dotfiles: DotfilesPolicy;
  readonly fallthrough: boolean;
  readonly contentTypes: ReadonlyMap<string, string>;
  readonly readChunkSize: number;
}

export const STATIC_FILES_DEFAULTS = Object.freeze({
  index: Object.freeze(['index.html']) as readonly string[],
  maxAgeSeconds: 0,
  etag: true,
  lastModified: true,
  precompressed: true,
  dotfiles: 'ignore' as DotfilesPolicy,
  fallthrough: true,
  readChunkSize: 64 * 1024,
});

/** The largest `readChunkSize`: a bigger read holds more per slow client and gains nothing. */
export const MAX_STATIC_READ_CHUNK = 16 * 1024 * 1024;

const KNOWN = new Set(['root', 'index', 'maxAgeSeconds', 'etag', 'lastModified', 'precompressed', 'dotfiles', 'fallthrough', 'contentTypes', 'readChunkSize']);

function checkBoolean(value: unknown, name: string): boolean {
  if (typeof value !== 'boolean') throw new StaticFilesConfigError(`${name} must be true or false, not ${String(value)}`);
  return value;
}

function checkIndex(index: readonly string[] | false): readonly string[] {
  if (index === false) return [];
  if (!Array.isArray(index)) throw new StaticFilesConfigError('index must be an array of file names, or false');
  for (const name of index) {
    if (typeof name !== 'string' || name === '' || name.includes('/') || name.includes('\\') || name === '.' || name === '..') {
      throw new StaticFilesConfigError(`index entries must be plain file names (no slash), not ${JSON.stringify(name)}`);
    }
  }
  return [...index];
}

function checkContentTypes(types: Readonly<Record<string, string>> | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (types === undefined) return out;
  for (const [ext, type] of Object.entries(types)) {
    if (ext.charCodeAt(0) !== 0x2e || ext !== ext.toLowerCase() || typeof type !== 'string' || type === '') {
      throw new StaticFilesConfigError(`contentTypes maps a lower-case extension with its dot ('.md') to a type, not ${JSON.stringify(ext)} → ${JSON.stringify(type)}`);
    }
    out.set(ext, type);
  }
  return out;
}

/** Checks `options`, fills in the defaults and resolves the root; throws StaticFilesConfigError stating the rule broken. */
export function resolveStaticFilesOptions(options: StaticFilesOptions): ResolvedStaticFilesOptions {
  if (typeof options !== 'object' || options === null) throw new StaticFilesConfigError('staticFiles() takes options with at least a root folder');
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw new StaticFilesConfigError(`Unknown static-files option '${key}' (known: ${[...KNOWN].join(', ')})`);
  }
  if (typeof options.root !== 'string' || options.root === '') throw new StaticFilesConfigError('root must be the path of a folder');
  let root: string;
  try {
    root = realpathSync(options.root);
    if (!statSync(root).isDirectory()) throw new StaticFilesConfigError(`root ${options.root} is not a folder`);
  } catch (err) {
    if (err instanceof StaticFilesConfigError) throw err;
    throw new StaticFilesConfigError(`root ${options.root} cannot be read: ${(err as Error).message}`);
  }
  const maxAge = options.maxAgeSeconds ?? STATIC_FILES_DEFAULTS.maxAgeSeconds;
  if (!Number.isInteger(maxAge) || maxAge < 0) throw new StaticFilesConfigError(`maxAgeSeconds must be an integer ≥ 0, not ${String(maxAge)}`);
  const dotfiles = options.dotfiles ?? STATIC_FILES_DEFAULTS.dotfiles;
  if (dotfiles !== 'ignore' && dotfiles !== 'allow' && dotfiles !== 'deny') {
    throw new StaticFilesConfigError(`dotfiles must be 'ignore', 'allow' or 'deny', not ${String(dotfiles)}`);
  }
  const readChunkSize = options.readChunkSize ?? STATIC_FILES_DEFAULTS.readChunkSize;
  if (!Number.isInteger(readChunkSize) || readChunkSize < 1 || readChunkSize > MAX_STATIC_READ_CHUNK) {
    throw new StaticFilesConfigError(`readChunkSize must be an integer from 1 to ${MAX_STATIC_READ_CHUNK}, not ${String(readChunkSize)}`);
  }
  return {
    root,
    index: checkIndex(options.index ?? STATIC_FILES_DEFAULTS.index),
    cacheControl: `public, max-age=${maxAge}`,
    etag: checkBoolean(options.etag ?? STATIC_FILES_DEFAULTS.etag, 'etag'),
    lastModified: checkBoolean(options.lastModified ?? STATIC_FILES_DEFAULTS.lastModified, 'lastModified'),
    precompressed: checkBoolean(options.precompressed ?? STATIC_FILES_DEFAULTS.precompressed, 'precompressed'),
    dotfiles,
    fallthrough: checkBoolean(options.fallthrough ?? STATIC_FILES_DEFAULTS.fallthrough, 'fallthrough'),
    contentTypes: checkContentTypes(options.contentTypes),
    readChunkSize,
  };
}
