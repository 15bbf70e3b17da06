import { InvalidOptionError, token } from '../connection/index.js';

/**
 * permessage-deflate (RFC 7692) settings. Compression is off unless `WebSocketOptions.perMessageDeflate`
 * turns it on; these bound what it costs per socket when it is on.
 */
export interface WebSocketDeflateOptions {
  /**
   * Reset the server's compressor after each message. Default true: with context takeover each
   * socket keeps its zlib state between messages (measured: 223 KB per idle socket instead of
   * 8 KB, for ~4x the CPU per message), which a server with many idle sockets cannot afford.
   */
  serverNoContextTakeover?: boolean;
  /** Ask the client to reset its compressor after each message (the server's inflater then holds no history). Default true. */
  clientNoContextTakeover?: boolean;
  /**
   * The server compressor's window, 8-15 bits. Default 13 (8 KiB instead of zlib's 32 KiB). A client
   * that demands a smaller one is refused with a 400 (`ERR_TIERCEL_WS_BAD_EXTENSIONS_HEADER`), so
   * lower it only if your clients do.
   */
  serverMaxWindowBits?: number;
  /** zlib's memLevel for the compressor, 1-9. Default 7 (64 KiB of hash state instead of 128 KiB). */
  memLevel?: number;
  /** Messages smaller than this many bytes are sent uncompressed. Default 1024 (ws's own default). */
  threshold?: number;
}

/**
 * How the app's WebSockets behave (`app.useWebSockets(options)`). Validated when configured; every
 * request uses the same resolved options. Close codes are listed in web-socket-errors.ts.
 */
export interface WebSocketOptions {
  /**
   * Largest message (after reassembly and decompression) a client may send. Default 1 MiB; a larger
   * one closes the socket with 1009 (Message Too Big) before it is buffered. ws's own default is
   * 100 MiB, far more than a chat or RPC message needs, and every byte of it is held in memory.
   */
  maxPayload?: number;
  /**
   * permessage-deflate: `false` (default), `true` for the bounded defaults of `WebSocketDeflateOptions`,
   * or those options. Off by default because compression costs memory per socket and CPU per message.
   * Over HTTP/2 (RFC 8441) it is not negotiated.
   */
  perMessageDeflate?: boolean | WebSocketDeflateOptions;
  /**
   * Every this many ms the server pings each socket; a socket that has not answered the previous ping
   * with a pong is terminated (close code 1006 on both sides). Default 30,000 (a dead peer is noticed
   * within two intervals, and NAT/proxy idle timeouts, commonly 60 s, are kept at bay). 0 turns it off:
   * a peer that vanishes without a FIN then holds its socket until the transport notices. One timer
   * serves every socket of the app.
   */
  keepAliveIntervalMs?: number;
  /**
   * Which browser origins may open a WebSocket (cross-site WebSocket hijacking: a page on another site
   * connects with the user's cookies). Default (undefined): requests without an Origin header (not a
   * browser) and same-origin requests (the Origin's host equals the Host header) are allowed, others
   * get 403. A list allows requests without Origin and exactly the listed origins
   * (`https://app.example.com`; add your own origin if pages this server serves connect too).
   * `['*']` allows every origin.
   */
  allowedOrigins?: readonly string[];
  /**
   * Most bytes the server may hold queued for one socket (ws's `bufferedAmount`: the transport's
   * unsent bytes plus the frames ws holds while compressing) when the app, the keep-alive or ws's
   * automatic pong sends more. Default 1 MiB, as `maxPayload`, so inbound and outbound are bounded
   * alike. A send that finds more than this queued is not queued: its callback gets a
   * `WebSocketBufferFullError` (`ERR_TIERCEL_WS_BUFFER_FULL`), the socket emits the same error and
   * starts the close handshake with 1008 (Policy Violation). The close frame (a few bytes) queues
   * behind the backlog and nothing else does (ws refuses sends once closing): a peer that is slow but
   * reading gets its data, then 1008; one that is not reading never answers, and its transport is
   * destroyed `closeTimeoutMs` later. So memory per socket is bounded by this plus the last message
   * sent. The check comes before each send, so a single message larger than this still goes out on
   * a drained socket. `Infinity` turns it off (uWebSockets' `maxBackpressure` without
   * `closeOnBackpressureLimit` drops instead; ws itself has no bound): a client that stops reading
   * then makes the server hold everything the app sends it.
   */
  maxBufferedAmount?: number;
  /**
   * How long a close handshake may take: from the server's close frame (the app's `close()`, 1001
   * at shutdown, 1002/1007/1008/1009 for a misbehaving peer) to the peer's answer and the end of the
   * transport. Past it the transport is destroyed (1006). Default 10,000: ws's own is 30 s, which
   * lets a peer that never answers hold its socket three times as long; 10 s still lets a peer on a
   * 1 Mbit/s link read a full `maxBufferedAmount` backlog before the close frame.
   */
  closeTimeoutMs?: number;
}

/** The options after defaults and validation, as the WebSocket host uses them. */
export interface ResolvedWebSocketOptions {
  readonly maxPayload: number;
  /** ws's `perMessageDeflate` option, built once. */
  readonly perMessageDeflate: false | Readonly<Record<string, unknown>>;
  readonly keepAliveIntervalMs: number;
  /** 'same-origin' (the default), '*', or the allowed origins, normalised (`scheme://host[:port]`, lower-case). */
  readonly allowedOrigins: 'same-origin' | '*' | ReadonlySet<string>;
  /** A whole number of bytes, or `Infinity` (no bound). */
  readonly maxBufferedAmount: number;
  readonly closeTimeoutMs: number;
}

/**
 * The WebSocket options of an app that did not call `useWebSockets` (its own call wins): the
 * server's container holds them when they come from configuration (`limits.webSockets`).
 */
export const WEB_SOCKET_OPTIONS = token<ResolvedWebSocketOptions>('tiercel.WebSocketOptions');

export const DEFAULT_WEB_SOCKET_OPTIONS = Object.freeze({
  maxPayload: 1024 * 1024,
  perMessageDeflate: false,
  keepAliveIntervalMs: 30_000,
  allowedOrigins: undefined,
  maxBufferedAmount: 1024 * 1024,
  closeTimeoutMs: 10_000,
} as const);

/**
 * ws's own limits on what a peer sends, kept at ws's defaults but written down here so that a ws
 * upgrade cannot change them unnoticed. Not options: `maxPayload` is the one a deployment tunes.
 */
export const WEB_SOCKET_PEER_LIMITS = Object.freeze({
  /**
   * Frames in one message. A message of many small or empty continuation frames ("fragmented
   * forever") is bounded in bytes by `maxPayload`, and in frames by this → 1008. Each kept fragment
   * costs a Buffer object, so 1-byte fragments would otherwise cost ~100 bytes per payload byte.
   */
  maxFragments: 16 * 1024,
  /** Unparsed chunks the frame reader holds (many tiny TCP segments) → 1008. */
  maxBufferedChunks: 256 * 1024,
  /**
   * Automatic pongs written but not yet flushed. A peer that floods pings and reads no pongs (or
   * sends more than this many pings in one packet) is terminated (1006): pongs stay bounded at
   * 60 × 127 bytes, far below `maxBufferedAmount`.
   */
  maxPendingAutoPongs: 60,
});

export const DEFAULT_WEB_SOCKET_DEFLATE_OPTIONS: Readonly<Required<WebSocketDeflateOptions>> = Object.freeze({
  serverNoContextTakeover: true,
  clientNoContextTakeover: true,
  serverMaxWindowBits: 13,
  memLevel: 7,
  threshold: 1024,
});

const KNOWN = Object.keys(DEFAULT_WEB_SOCKET_OPTIONS);
const KNOWN_DEFLATE = Object.keys(DEFAULT_WEB_SOCKET_DEFLATE_OPTIONS);

function positiveInteger(name: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidOptionError(name, `must be an integer from ${min} to ${max === Number.MAX_SAFE_INTEGER ? 'Number.MAX_SAFE_INTEGER' : max}`);
  }
  return value;
}

/** A whole number of bytes from 1, or `Infinity` for no bound. */
function byteCap(name: string, value: unknown): number {
  if (value === Infinity) return Infinity;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new InvalidOptionError(name, 'must be an integer from 1 to Number.MAX_SAFE_INTEGER, or Infinity');
  }
  return value;
}

function resolveDeflate(value: unknown): ResolvedWebSocketOptions['perMessageDeflate'] {
  if (value === undefined || value === false) return false;
  const given = value === true ? {} : value;
  if (typeof given !== 'object' || given === null) {
    throw new InvalidOptionError('webSockets.perMessageDeflate', 'must be a boolean or an object of permessage-deflate options');
  }
  for (const key of Object.keys(given)) {
    if (!KNOWN_DEFLATE.includes(key)) {
      throw new InvalidOptionError(`webSockets.perMessageDeflate.${key}`, `is not a known option (known: ${KNOWN_DEFLATE.join(', ')})`);
    }
  }
  const o = { ...DEFAULT_WEB_SOCKET_DEFLATE_OPTIONS, ...(given as WebSocketDeflateOptions) };
  for (const key of ['serverNoContextTakeover', 'clientNoContextTakeover'] as const) {
    if (typeof o[key] !== 'boolean') throw new InvalidOptionError(`webSockets.perMessageDeflate.${key}`, 'must be a boolean');
  }
  return Object.freeze({
    serverNoContextTakeover: o.serverNoContextTakeover,
    clientNoContextTakeover: o.clientNoContextTakeover,
    serverMaxWindowBits: positiveInteger('webSockets.perMessageDeflate.serverMaxWindowBits', o.serverMaxWindowBits, 8, 15),
    threshold: positiveInteger('webSockets.perMessageDeflate.threshold', o.threshold, 0),
    zlibDeflateOptions: Object.freeze({ memLevel: positiveInteger('webSockets.perMessageDeflate.memLevel', o.memLevel, 1, 9) }),
  });
}

/** `scheme://host[:port]`, lower-case and without a default port, or undefined when `value` is not an origin. */
export function normalizeOrigin(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.origin === 'null' || url.pathname.length > 1 || url.search !== '' || url.hash !== '' || url.username !== '') return undefined;
  return url.origin;
}

function resolveOrigins(value: unknown): ResolvedWebSocketOptions['allowedOrigins'] {
  if (value === undefined) return 'same-origin';
  if (!Array.isArray(value) || value.length === 0) {
    throw new InvalidOptionError('webSockets.allowedOrigins', "must be a non-empty array of origins ('https://example.com') or ['*']");
  }
  if (value.includes('*')) {
    if (value.length > 1) throw new InvalidOptionError('webSockets.allowedOrigins', "'*' allows every origin and cannot be combined with others");
    return '*';
  }
  const out = new Set<string>();
  for (const o of value) {
    const n = typeof o === 'string' ? normalizeOrigin(o) : undefined;
    if (n === undefined) throw new InvalidOptionError('webSockets.allowedOrigins', `${JSON.stringify(o)} is not an origin (scheme://host[:port], no path)`);
    out.add(n);
  }
  return out;
}

/** Applies the defaults and refuses unknown names and bad values, at configuration time. */
export function resolveWebSocketOptions(options: WebSocketOptions = {}): ResolvedWebSocketOptions {
  if (typeof options !== 'object' || options === null) throw new InvalidOptionError('webSockets', 'must be an object');
  for (const key of Object.keys(options)) {
    if (!KNOWN.includes(key)) throw new InvalidOptionError(`webSockets.${key}`, `is not a known option (known: ${KNOWN.join(', ')})`);
  }
  return Object.freeze({
    maxPayload: positiveInteger('webSockets.maxPayload', options.maxPayload ?? DEFAULT_WEB_SOCKET_OPTIONS.maxPayload, 1),
    perMessageDeflate: resolveDeflate(options.perMessageDeflate),
    keepAliveIntervalMs: positiveInteger('webSockets.keepAliveIntervalMs', options.keepAliveIntervalMs ?? DEFAULT_WEB_SOCKET_OPTIONS.keepAliveIntervalMs, 0, 2 ** 31 - 1),
    allowedOrigins: resolveOrigins(options.allowedOrigins),
    maxBufferedAmount: byteCap('webSockets.maxBufferedAmount', options.maxBufferedAmount ?? DEFAULT_WEB_SOCKET_OPTIONS.maxBufferedAmount),
    closeTimeoutMs: positiveInteger('webSockets.closeTimeoutMs', options.closeTimeoutMs ?? DEFAULT_WEB_SOCKET_OPTIONS.closeTimeoutMs, 1, 2 ** 31 - 1),
  });
}
