import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';

// The one file that knows ws's private surface: its extension parser, its permessage-deflate
// negotiator, and how a server-side socket is set on a stream (`_protocol`, `_extensions`,
// `setSocket`, what `WebSocketServer.completeUpgrade` does after its 101). tiercel owns the HTTP
// side of the handshake for both versions (a 101 on HTTP/1.1, a 200 on an HTTP/2 stream), so ws's
// `handleUpgrade` — which writes its own HTTP/1.1 response and validates the request again — is
// not used. ws is loaded on the first accepted WebSocket (synchronously, so `acceptNow` stays
// sync): an app that never upgrades never loads it.

const require = createRequire(import.meta.url);

type Offers = Record<string, Record<string, unknown>[]>;

interface PerMessageDeflate {
  accept(offers: Record<string, unknown>[]): Record<string, unknown>;
}

interface Ws {
  readonly WebSocket: typeof WebSocket;
  readonly extension: { parse(header: string): Offers; format(extensions: Record<string, Record<string, unknown>[]>): string };
  readonly PerMessageDeflate: { new (options: Record<string, unknown>): PerMessageDeflate; readonly extensionName: string };
}

/** What a ws server-side socket needs set before it can speak over a stream. */
interface ServerSideWebSocket {
  _protocol: string;
  _extensions: Record<string, PerMessageDeflate>;
  setSocket(socket: Duplex, head: Buffer, options: Record<string, unknown>): void;
}

let loaded: Ws | undefined;

/** ws, loaded on first use. */
export function ws(): Ws {
  if (loaded === undefined) {
    const main = require('ws') as { WebSocket: typeof WebSocket };
    // ws's package exports only its entry point; its lib/ files are reached by path (the same
    // module instances ws itself uses).
    const lib = join(dirname(require.resolve('ws')), 'lib');
    loaded = {
      WebSocket: main.WebSocket,
      extension: require(join(lib, 'extension.js')) as Ws['extension'],
      PerMessageDeflate: require(join(lib, 'permessage-deflate.js')) as Ws['PerMessageDeflate'],
    };
  }
  return loaded;
}

/** The extensions agreed on: what the socket is set up with, and the response header value. */
export interface NegotiatedExtensions {
  readonly extensions: Record<string, PerMessageDeflate>;
  /** The `sec-websocket-extensions` value to answer with, or undefined for none. */
  readonly header: string | undefined;
}

const NONE: NegotiatedExtensions = Object.freeze({ extensions: Object.freeze({}), header: undefined });

/**
 * Negotiates permessage-deflate (RFC 7692) from the client's `sec-websocket-extensions`, as ws's
 * `handleUpgrade` does. Returns undefined when the header is malformed or the offer cannot be
 * accepted (ws's 400), NONE when compression is off or was not offered.
 */
export function negotiateExtensions(
  offer: string | undefined,
  deflate: false | Readonly<Record<string, unknown>>,
  maxPayload: number,
): NegotiatedExtensions | undefined {
  if (deflate === false || offer === undefined) return NONE;
  const { extension, PerMessageDeflate } = ws();
  const name = PerMessageDeflate.extensionName;
  try {
    const offers = extension.parse(offer);
    const wanted = offers[name];
    if (wanted === undefined) return NONE;
    const pmd = new PerMessageDeflate({ ...deflate, isServer: true, maxPayload });
    const params = pmd.accept(wanted);
    return { extensions: { [name]: pmd }, header: extension.format({ [name]: [params] }) };
  } catch {
    return undefined;
  }
}

/** The frame reader's limits a socket is set up with. */
export interface SocketLimits {
  readonly maxPayload: number;
  readonly maxFragments: number;
  readonly maxBufferedChunks: number;
}

/** ws's `setSocket` options: ws reads them and never keeps or changes them, so one serves many sockets. */
export type SocketSetup = Readonly<Record<string, unknown>>;

/** The `setSocket` options for `limits`, to make once and pass to every `openSocket`. */
export function socketSetup(limits: SocketLimits): SocketSetup {
  return {
    allowSynchronousEvents: true,
    maxBufferedChunks: limits.maxBufferedChunks,
    maxFragments: limits.maxFragments,
    maxPayload: limits.maxPayload,
    skipUTF8Validation: false,
  };
}

/**
 * Sets a server-side ws socket made with `new WebSocket(null, undefined, options)` on a stream
 * whose handshake is complete: what `WebSocketServer.completeUpgrade` does after writing its 101.
 * An Http2Stream has setTimeout and no setNoDelay; ws calls each only if present.
 */
export function openSocket(
  socket: WebSocket,
  transport: Duplex,
  head: Buffer,
  protocol: string | undefined,
  negotiated: NegotiatedExtensions,
  setup: SocketSetup,
): void {
  const internal = socket as unknown as ServerSideWebSocket;
  if (protocol !== undefined) internal._protocol = protocol;
  // Without extensions, the one frozen empty set (ws only reads it on a server-side socket) in
  // place of the socket's own empty object: ~40 bytes less each open socket keeps.
  internal._extensions = negotiated.extensions;
  internal.setSocket(transport, head, setup);
}
