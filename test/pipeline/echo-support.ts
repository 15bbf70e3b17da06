// Shared by the echo tests (request-body-echo, request-body-pipe): patterned bodies, an HTTP/2
// POST, and a wait for a counter to stop moving.
import type http2 from 'node:http2';

/** A body whose every byte depends on its offset, so a chunk out of place or lost shows. */
export function patterned(size: number): Buffer {
  const b = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) b[i] = (i * 7 + (i >>> 10)) & 0xff;
  return b;
}

export function post2(session: http2.ClientHttp2Session, body: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const req = session.request({ ':method': 'POST', ':path': '/echo', 'content-length': body.length });
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
    req.end(body);
  });
}

/** Resolves once `read()` has not changed for `quietMs`; rejects after `deadlineMs`. */
export async function settled(read: () => number, quietMs: number, deadlineMs: number): Promise<number> {
  const start = Date.now();
  let last = -1;
  let since = Date.now();
  for (;;) {
    const now = read();
    if (now !== last) {
      last = now;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) {
      return now;
    }
    if (Date.now() - start > deadlineMs) throw new Error(`still moving after ${deadlineMs} ms (${now})`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * POSTs an 8 MiB patterned body over HTTP/2 without reading the response until the server's
 * `counter` has stopped moving; then reads it. Returns the counter where it stopped, the echo and
 * whether it equals the body.
 */
export async function postUnread(session: http2.ClientHttp2Session, counter: () => number): Promise<{ stalled: number; size: number; whole: boolean }> {
  const body = patterned(8 * 1024 * 1024);
  const req = session.request({ ':method': 'POST', ':path': '/echo', 'content-length': body.length });
  req.pause();
  req.end(body);
  const stalled = await settled(counter, 150, 5_000);
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => {
    req.on('end', resolve);
    req.on('error', reject);
  });
  req.resume();
  await done;
  return { stalled, size: body.length, whole: Buffer.concat(chunks).equals(body) };
}
