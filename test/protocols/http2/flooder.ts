// A frame flooder to run in its own process (`node flooder.js <port> <kind>`), so that it writes
// while the server, in the test's process, reacts: in one process the two would take turns, and a
// server that resets the connection under the flood would never be caught losing its GOAWAY.
// Prints one JSON line: the GOAWAY code it read (or null), and whether the server closed.
import http2 from 'node:http2';
import { flood, frame, pingFrame, priorityFrame, RawH2, requestFrame, rstStream, settingsFrame, T, windowUpdate } from './raw-h2.js';

export type FloodKind = 'reset' | 'priority' | 'window' | 'ping' | 'settings' | 'empty-data';

export interface FloodResult {
  readonly code: number | null;
  readonly closed: boolean;
}

const many = (f: Buffer, n = 100): Buffer => Buffer.concat(Array.from({ length: n }, () => f));

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
    case 'settings': {
      const b = many(settingsFrame());
      return () => b;
    }
    case 'empty-data': {
      // Empty DATA frames on stream 1, a POST the flood opens first.
      const b = many(frame(T.DATA, 0, 1));
      return () => b;
    }
  }
}

async function main(port: number, kind: FloodKind): Promise<FloodResult> {
  const c = await RawH2.connect(port);
  await c.waitFor((f) => f.type === T.SETTINGS);
  if (kind === 'window') c.write(requestFrame(1, 'GET', '/hang', true));
  if (kind === 'empty-data') c.write(requestFrame(1, 'POST', '/hang', false));
  const code = await flood(c, batches(kind), 6_000, 200);
  const closed = await c.serverCloses();
  c.destroy();
  return { code: code ?? null, closed };
}

const result = await main(Number(process.argv[2]), process.argv[3] as FloodKind);
process.stdout.write(`${JSON.stringify(result)}\n`);
