// A frame flooder to run in its own process (`node flooder.js <port> <kind> [ms]`), so that it writes
// while the server, in the test's process, reacts: in one process the two would take turns, and a
// server that resets the connection under the flood would never be caught losing its GOAWAY.
// Prints one JSON line: the GOAWAY code it read (or null), and whether the server closed.
import http2 from 'node:http2';
import {
  F,
  flood,
  frame,
  headerBlock,
  indexedFields,
  indexedLiteral,
  pingFrame,
  priorityFrame,
  RawH2,
  requestBlock,
  requestFrame,
  rstStream,
  settingsFrame,
  T,
  windowUpdate,
} from './raw-h2.js';

export type FloodKind =
  | 'reset'
  | 'priority'
  | 'window'
  | 'ping'
  | 'settings'
  | 'unacked-settings'
  | 'empty-data'
  | 'continuation'
  | 'empty-continuation'
  | 'large-blocks'
  | 'hpack-bomb'
  | 'small-bombs'
  | 'refused';

export interface FloodResult {
  readonly code: number | null;
  readonly closed: boolean;
  /** RST_STREAM frames the flooder read, by error code. */
  readonly resets: Record<number, number>;
  /** Responses (HEADERS) the flooder read. */
  readonly responses: number;
}

/** A header block of 15 fields of 1,000 bytes: 15.5 KB, under the default frame size. */
const LARGE_FIELDS = headerBlock(Array.from({ length: 15 }, (_, i) => [`x-large-${i}`, 'l'.repeat(1_000)] as const));

/**
 * An HPACK bomb's payload: 4,000 bytes, decoded from a one-byte reference to the dynamic table's
 * newest entry (RFC 7541 §2.3.3), which the first request's block inserts.
 */
const BOMB_VALUE = 'b'.repeat(4_000);


const many = (f: Buffer, n = 100): Buffer => Buffer.concat(Array.from({ length: n }, () => f));

/** `perWrite` requests a write on new streams, each with `refs` references to the bomb's table entry. */
function bombs(refs: number, perWrite: number): () => Buffer {
  let id = 3;
  const block = Buffer.concat([requestBlock('GET', '/hello'), indexedFields(62, refs)]);
  return () => {
    const parts: Buffer[] = [];
    for (let i = 0; i < perWrite; i++, id += 2) parts.push(frame(T.HEADERS, F.END_HEADERS | F.END_STREAM, id, block));
    return Buffer.concat(parts);
  };
}

function batches(kind: FloodKind): () => Buffer {
  switch (kind) {
    case 'reset': {
      let id = 1;
      return () => {
        const parts: Buffer[] = [];
        for (let i = 0; i < 50; i++, id += 2) parts.push(requestFrame(id, 'GET', '/slow?ms=200', true), rstStream(id, http2.constants.NGHTTP2_CANCEL));
        return Buffer.concat(parts);
      };
    }
    case 'priority': {
      const b = many(priorityFrame(3, 1));
      return () => b;
    }
    case 'window': {
      // On the connection, and on stream 1, which the flood opens first (an open GET).
      const b = Buffer.concat([many(windowUpdate(0, 1), 50), many(windowUpdate(1, 1), 50)]);
      return () => b;
    }
    case 'ping': {
      const b = many(pingFrame());
      return () => b;
    }
    case 'settings':
    case 'unacked-settings': {
      const b = many(settingsFrame());
      return () => b;
    }
    case 'empty-data': {
      // Empty DATA frames on stream 1, a POST the flood opens first.
      const b = many(frame(T.DATA, 0, 1));
      return () => b;
    }
    case 'continuation': {
      // CONTINUATION frames on stream 1, whose HEADERS (without END_HEADERS) the flood sends first:
      // the header block never ends and grows by 1 KB a frame.
      const b = many(frame(T.CONTINUATION, 0, 1, headerBlock([['x-more', 'c'.repeat(1_000)]])));
      return () => b;
    }
    case 'empty-continuation': {
      const b = many(frame(T.CONTINUATION, 0, 1));
      return () => b;
    }
    case 'large-blocks': {
      // A new stream at a time, each a header block of 7 frames (HEADERS and 6 CONTINUATIONs,
      // under nghttp2's limit of 8 CONTINUATIONs a block) totalling ~108 KB of fields: past the
      // header list size, so every stream is refused, and the client never stops sending them.
      let id = 1;
      return () => {
        const parts = [frame(T.HEADERS, 0, id, Buffer.concat([requestBlock('GET', '/hello'), LARGE_FIELDS]))];
        for (let i = 0; i < 6; i++) parts.push(frame(T.CONTINUATION, i === 5 ? F.END_HEADERS : 0, id, LARGE_FIELDS));
        id += 2;
        return Buffer.concat(parts);
      };
    }
    case 'hpack-bomb':
      // 20 requests a write, each 1,000 references to the 4 KB entry: 4 MB decoded from 1 KB.
      return bombs(1_000, 20);
    case 'small-bombs':
      // 50 requests a write, each 10 references to the 4 KB entry: 40 KB decoded from 10 bytes,
      // past maxRequestHeadersTotalSize but under nghttp2's header list size, so each reaches
      // the server and gets its 431.
      return bombs(10, 50);
    case 'refused': {
      // New streams past SETTINGS_MAX_CONCURRENT_STREAMS (the first 100 hang), from a client
      // that never acknowledges the server's SETTINGS.
      let id = 201;
      return () => {
        const parts: Buffer[] = [];
        for (let i = 0; i < 50; i++, id += 2) parts.push(requestFrame(id, 'GET', '/hang', true));
        return Buffer.concat(parts);
      };
    }
  }
}

async function main(port: number, kind: FloodKind, ms: number): Promise<FloodResult> {
  // 'unacked-settings' floods before it has acknowledged the server's SETTINGS, and never does.
  const c = await RawH2.connect(port, { ackSettings: kind !== 'refused' && kind !== 'unacked-settings' });
  await c.waitFor((f) => f.type === T.SETTINGS);
  if (kind === 'window') c.write(requestFrame(1, 'GET', '/hang', true));
  if (kind === 'empty-data') c.write(requestFrame(1, 'POST', '/hang', false));
  if (kind === 'continuation' || kind === 'empty-continuation') c.write(frame(T.HEADERS, F.END_STREAM, 1, requestBlock('GET', '/hello')));
  if (kind === 'hpack-bomb' || kind === 'small-bombs') c.write(frame(T.HEADERS, F.END_HEADERS | F.END_STREAM, 1, Buffer.concat([requestBlock('GET', '/hello'), indexedLiteral('x-bomb', BOMB_VALUE)])));
  if (kind === 'refused') for (let id = 1; id < 201; id += 2) c.write(requestFrame(id, 'GET', '/hang', true));
  const code = await flood(c, batches(kind), ms, 200);
  const closed = await c.serverCloses();
  c.destroy();
  const resets: Record<number, number> = {};
  let responses = 0;
  for (const f of c.frames) {
    if (f.type === T.RST_STREAM) {
      const n = f.payload.readUInt32BE(0);
      resets[n] = (resets[n] ?? 0) + 1;
    } else if (f.type === T.HEADERS) responses++;
  }
  return { code: code ?? null, closed, resets, responses };
}

const result = await main(Number(process.argv[2]), process.argv[3] as FloodKind, Number(process.argv[4] ?? 6_000));
process.stdout.write(`${JSON.stringify(result)}\n`);
