import { open, realpath, type FileHandle } from 'node:fs/promises';
import { constants, type Stats } from 'node:fs';
import { sep } from 'node:path';
import { HttpError, type HttpContext, type Middleware, type Next } from '../../pipeline/index.js';
import { negotiateEncoding, type ContentCoding } from '../compression/index.js';
import { appendVary } from '../shared/index.js';
import { contentTypeOf } from './content-types.js';
import { evaluatePreconditions, ifRangeAllows, parseRange, type Validators } from './static-conditional.js';
import { resolveStaticFilesOptions, type ResolvedStaticFilesOptions, type StaticFilesOptions } from './static-options.js';

/** An open file inside the root: the handle, its stat (from the handle, so the same file), and its real path. */
interface OpenFile {
  readonly handle: FileHandle;
  readonly stat: Stats;
  readonly real: string;
}

/** What a request path may name: a path relative to the root, or why it names nothing. */
const REFUSED = 0;
const DENIED = 1;

// O_NONBLOCK: opening a FIFO left in the folder would otherwise wait for a writer, holding one of
// libuv's four pool threads for good; regular files ignore the flag.
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;

/** File-system failures that mean "no such file here", not a server fault. */
const NOT_FOUND_CODES = new Set(['ENOENT', 'ENOTDIR', 'ENAMETOOLONG', 'ELOOP', 'EACCES', 'EPERM', 'EISDIR']);

const SUFFIX: Readonly<Record<ContentCoding, string>> = { br: '.br', gzip: '.gz' };

/**
 * Request middleware serving the files under `options.root` for GET and HEAD: ETag and
 * Last-Modified with conditional requests (304, 412), single byte ranges with If-Range (206,
 * 416), index files, precompressed `.br`/`.gz` siblings, streamed with backpressure. A path that
 * would leave the root (escaped dots, NUL, backslashes, a symbolic link pointing out) is never
 * served: it is not found. Mount it with `app.map('/static', (b) => b.use(staticFiles({ root })))`
 * or in front of the app with `app.use(...)`.
 *
 * Not `send`: it writes to node:http's ServerResponse (res.setHeader, piping into res), which
 * tiercel's response is not; a shim would hide its backpressure and abort handling from ours.
 */
export function staticFiles(options: StaticFilesOptions): Middleware {
  const o = resolveStaticFilesOptions(options);
  const rootPrefix = o.root.endsWith(sep) ? o.root : o.root + sep;
  return (ctx: HttpContext, next: Next) => {
    const method = ctx.request.method;
    if (method !== 'GET' && method !== 'HEAD') {
      if (o.fallthrough) return next();
      throw new HttpError(405, undefined, { headers: { allow: 'GET, HEAD' } });
    }
    return serve(ctx, next, o, rootPrefix);
  };
}

/**
 * The request path as a path under the root (joined with '/'), REFUSED when it cannot name a file
 * there, DENIED for a dotfile under `dotfiles: 'deny'`. The pipeline has already decoded the path
 * and removed dot segments; this checks again, since a middleware before may have rewritten it.
 */
export function relativeFilePath(path: string, dotfiles: ResolvedStaticFilesOptions['dotfiles']): string | typeof REFUSED | typeof DENIED {
  if (path.charCodeAt(0) !== 0x2f) return REFUSED;
  // NUL ends a C string (the file system would see a shorter name); a backslash is a separator on
  // Windows and in some proxies' eyes; %2F and %00 stay escaped in the decoded path: none names a file.
  if (path.includes('\0') || path.includes('\\') || path.includes('%2F') || path.includes('%2f') || path.includes('%00')) return REFUSED;
  const segments = path.slice(1).split('/');
  let denied = false;
  for (const seg of segments) {
    if (seg === '.' || seg === '..') return REFUSED;
    if (seg.charCodeAt(0) === 0x2e) {
      if (dotfiles === 'ignore') return REFUSED;
      if (dotfiles === 'deny') denied = true;
    }
  }
  return denied ? DENIED : segments.join('/');
}

async function serve(ctx: HttpContext, next: Next, o: ResolvedStaticFilesOptions, rootPrefix: string): Promise<void> {
  const path = ctx.request.path;
  const relative = relativeFilePath(path, o.dotfiles);
  if (relative === DENIED) throw new HttpError(403);
  if (relative === REFUSED) return notFound(next, o);
  let file = await openInRoot(o.root + sep + relative, o.root, rootPrefix);
  if (file !== undefined && file.stat.isDirectory()) {
    await file.handle.close();
    file = undefined;
    if (path.charCodeAt(path.length - 1) !== 0x2f) return redirectToFolder(ctx);
    for (const name of o.index) {
      file = await openInRoot(o.root + sep + relative + name, o.root, rootPrefix);
      if (file === undefined || file.stat.isFile()) break;
      await file.handle.close();
      file = undefined;
    }
  }
  if (file !== undefined && !file.stat.isFile()) {
    await file.handle.close();
    file = undefined;
  }
  if (file === undefined) return notFound(next, o);
  let handed = false;
  try {
    const type = contentTypeOf(file.real, o.contentTypes);
    let coding: ContentCoding | undefined;
    if (o.precompressed) {
      const found = await openSibling(ctx, file, o.root, rootPrefix);
      if (found !== undefined) {
        await file.handle.close();
        file = found.file;
        coding = found.coding;
      }
    }
    handed = await respond(ctx, file, type, coding, o);
  } finally {
    if (!handed) await file.handle.close();
  }
}

function notFound(next: Next, o: ResolvedStaticFilesOptions): void | Promise<void> {
  if (o.fallthrough) return next();
  throw new HttpError(404);
}

/** 301 to the folder's path with a slash, so its index file's relative links resolve against the folder. */
function redirectToFolder(ctx: HttpContext): void {
  const raw = ctx.request.rawTarget;
  const q = raw.indexOf('?');
  let location = (q < 0 ? raw : raw.slice(0, q)) + '/' + (q < 0 ? '' : raw.slice(q));
  // `//evil.example/` would send the browser to another host: keep one leading slash.
  if (location.charCodeAt(0) === 0x2f) {
    let i = 0;
    while (location.charCodeAt(i + 1) === 0x2f) i++;
    location = location.slice(i);
  }
  ctx.response.redirect(location, 301);
}

/**
 * Opens `candidate` if its real path (every symbolic link resolved) is the root or under it, and
 * is readable: else undefined. The stat is the open handle's, so it describes the file read.
 */
async function openInRoot(candidate: string, root: string, rootPrefix: string): Promise<OpenFile | undefined> {
  let handle: FileHandle | undefined;
  try {
    const real = await realpath(candidate);
    if (real !== root && !real.startsWith(rootPrefix)) return undefined;
    handle = await open(real, OPEN_FLAGS);
    const stat = await handle.stat();
    return { handle, stat, real };
  } catch (err) {
    await handle?.close();
    if (NOT_FOUND_CODES.has((err as NodeJS.ErrnoException).code ?? '')) return undefined;
    throw err;
  }
}

/** The precompressed sibling the client accepts best (`.br`, then `.gz` by its q-values), if one exists. */
async function openSibling(ctx: HttpContext, file: OpenFile, root: string, rootPrefix: string): Promise<{ file: OpenFile; coding: ContentCoding } | undefined> {
  const accept = ctx.request.headers.get('accept-encoding');
  if (accept === undefined) return undefined;
  let offered: ContentCoding[] = ['br', 'gzip'];
  for (;;) {
    const coding = negotiateEncoding(accept, offered);
    if (coding === undefined) return undefined;
    const sibling = await openInRoot(file.real + SUFFIX[coding], root, rootPrefix);
    if (sibling !== undefined && sibling.stat.isFile()) return { file: sibling, coding };
    await sibling?.handle.close();
    offered = offered.filter((c) => c !== coding);
  }
}

/**
 * Writes the response for an open file; true when the handle was handed to a read stream (which
 * closes it), false when the caller must close it.
 */
async function respond(ctx: HttpContext, file: OpenFile, type: string, coding: ContentCoding | undefined, o: ResolvedStaticFilesOptions): Promise<boolean> {
  const { request, response } = ctx;
  const { stat } = file;
  const size = stat.size;
  // HTTP dates have whole seconds: compare what the client can send back.
  const mtime = Math.floor(stat.mtimeMs / 1000) * 1000;
  const etag = o.etag ? `"${Math.floor(stat.mtimeMs).toString(16)}-${size.toString(16)}${coding === undefined ? '' : '-' + coding}"` : undefined;
  const v: Validators = { etag, lastModified: o.lastModified ? mtime : undefined };
  const h = response.headers;
  if (etag !== undefined) h.set('etag', etag);
  if (o.lastModified) h.set('last-modified', new Date(mtime).toUTCString());
  h.set('cache-control', o.cacheControl);
  if (o.precompressed) appendVary(h, 'accept-encoding');

  const get = (name: string): string | undefined => request.headers.get(name);
  const verdict = evaluatePreconditions(get, request.method, v);
  if (verdict !== 'proceed') {
    response.status = verdict === 'not-modified' ? 304 : 412;
    response.end();
    return false;
  }
  h.set('content-type', type);
  if (coding !== undefined) h.set('content-encoding', coding);
  h.set('accept-ranges', 'bytes');
  let start = 0;
  let end = size - 1;
  const range = request.method === 'GET' ? request.headers.get('range') : undefined;
  if (range !== undefined && ifRangeAllows(request.headers.get('if-range'), v)) {
    const r = parseRange(range, size);
    if (r === 'unsatisfiable') {
      response.status = 416;
      h.delete('content-type');
      h.set('content-range', `bytes */${size}`);
      response.end();
      return false;
    }
    if (r !== undefined) {
      response.status = 206;
      h.set('content-range', `bytes ${r.start}-${r.end}/${size}`);
      start = r.start;
      end = r.end;
    }
  }
  const length = end - start + 1;
  h.set('content-length', length);
  if (request.method === 'HEAD' || length === 0) {
    response.end();
    return false;
  }
  // The handle's stream closes the handle when it ends or is destroyed (stream() destroys it when
  // the client goes away).
  await response.stream(file.handle.createReadStream({ start, end, highWaterMark: o.readChunkSize }));
  return true;
}
