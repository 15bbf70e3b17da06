// A raw HTTP/2 client: it writes frames byte for byte and reads every frame the server sends, for
// what node's client will not do (floods, a half-close mid-stream, ignoring flow control, bodies
// nobody reads). It keeps the send windows the server grants, so a test can count what the
// server's flow control let through.
import net, { type Socket } from 'node:net';
import tls from 'node:tls';

export const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

/** Frame types (RFC 9113 §6). */
export const T = { DATA: 0, HEADERS: 1, PRIORITY: 2, RST_STREAM: 3, SETTINGS: 4, PING: 6, GOAWAY: 7, WINDOW_UPDATE: 8, CONTINUATION: 9 } as const;
/** Flags: END_STREAM and ACK share a bit. */
export const F = { END_STREAM: 0x1, ACK: 0x1, END_HEADERS: 0x4 } as const;
/** SETTINGS identifiers (RFC 9113 §6.5.2). */
export const S = { MAX_CONCURRENT_STREAMS: 0x3, INITIAL_WINDOW_SIZE: 0x4, MAX_FRAME_SIZE: 0x5 } as const;

export interface Frame {
  readonly type: number;
  readonly flags: number;
  readonly streamId: number;
  readonly payload: Buffer;
}

const EMPTY = Buffer.alloc(0);

/** One frame: the 9-byte header (length, type, flags, stream id) and the payload (RFC 9113 §4.1). */
export function frame(type: number, flags: number, streamId: number, payload: Buffer = EMPTY): Buffer {
  const out = Buffer.allocUnsafe(9 + payload.length);
  out.writeUIntBE(payload.length, 0, 3);
  out[3] = type;
  out[4] = flags;
  out.writeUInt32BE(streamId, 5);
  payload.copy(out, 9);
  return out;
}

export function settingsFrame(settings: Record<number, number> = {}): Buffer {
  const entries = Object.entries(settings);
  const payload = Buffer.alloc(entries.length * 6);
  entries.forEach(([id, value], i) => {
    payload.writeUInt16BE(Number(id), i * 6);
    payload.writeUInt32BE(value, i * 6 + 2);
  });
  return frame(T.SETTINGS, 0, 0, payload);
}

export function windowUpdate(streamId: number, increment: number): Buffer {
  const payload = Buffer.alloc(4);
  payload.writeUInt32BE(increment);
  return frame(T.WINDOW_UPDATE, 0, streamId, payload);
}

export function rstStream(streamId: number, code: number): Buffer {
  const payload = Buffer.alloc(4);
  payload.writeUInt32BE(code);
  return frame(T.RST_STREAM, 0, streamId, payload);
}

/** PRIORITY (RFC 9113 §6.3): depends on `dependsOn`, weight 16. */
export function priorityFrame(streamId: number, dependsOn: number): Buffer {
  const payload = Buffer.alloc(5);
  payload.writeUInt32BE(dependsOn);
  payload[4] = 15;
  return frame(T.PRIORITY, 0, streamId, payload);
}

export function pingFrame(ack = false, data: Buffer = Buffer.alloc(8)): Buffer {
  return frame(T.PING, ack ? F.ACK : 0, 0, data);
}

/** An HPACK integer with an `prefix`-bit prefix (RFC 7541 §5.1); the first byte's high bits are 0. */
function hpackInt(n: number, prefix: number): number[] {
  const max = (1 << prefix) - 1;
  if (n < max) return [n];
  const out = [max];
  n -= max;
  while (n >= 128) {
    out.push((n % 128) + 128);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

/** A header block of literal fields without indexing, new names, no Huffman (RFC 7541 §6.2.2). */
export function headerBlock(fields: readonly (readonly [string, string])[]): Buffer {
  const parts: Buffer[] = [];
  for (const [name, value] of fields) {
    const n = Buffer.from(name, 'latin1');
    const v = Buffer.from(value, 'latin1');
    parts.push(Buffer.from([0, ...hpackInt(n.length, 7)]), n, Buffer.from(hpackInt(v.length, 7)), v);
  }
  return Buffer.concat(parts);
}

/** A literal field with incremental indexing and a new name (RFC 7541 §6.2.1): the decoder adds it to its dynamic table. */
export function indexedLiteral(name: string, value: string): Buffer {
  const n = Buffer.from(name, 'latin1');
  const v = Buffer.from(value, 'latin1');
  return Buffer.concat([Buffer.from([0x40, ...hpackInt(n.length, 7)]), n, Buffer.from(hpackInt(v.length, 7)), v]);
}

/**
 * `count` indexed fields naming dynamic-table entry `index` (RFC 7541 §6.1; the dynamic table
 * starts at 62, the newest entry): one byte each, decoded to the whole entry.
 */
export function indexedFields(index: number, count: number): Buffer {
  const one = hpackInt(index, 7);
  one[0]! |= 0x80;
  const out = Buffer.allocUnsafe(one.length * count);
  for (let i = 0; i < out.length; i += one.length) out.set(one, i);
  return out;
}

/** A dynamic table size update to `size` (RFC 7541 §6.3), repeated `count` times. */
export function tableSizeUpdates(size: number, count = 1): Buffer {
  const one = hpackInt(size, 5);
  one[0]! |= 0x20;
  return Buffer.concat(Array.from({ length: count }, () => Buffer.from(one)));
}

/** The header block of a request to `path`, for HEADERS (then CONTINUATION) frames written by hand. */
export function requestBlock(method: string, path: string): Buffer {
  return headerBlock([[':method', method], [':scheme', 'http'], [':authority', 'tiercel.test'], [':path', path]]);
}

/** HEADERS with END_HEADERS for a request to `path`; `endStream` when it has no body. */
export function requestFrame(streamId: number, method: string, path: string, endStream: boolean, extra: [string, string][] = []): Buffer {
  const block = extra.length === 0 ? requestBlock(method, path) : Buffer.concat([requestBlock(method, path), headerBlock(extra)]);
  return frame(T.HEADERS, F.END_HEADERS | (endStream ? F.END_STREAM : 0), streamId, block);
}

/** The response status of a HEADERS payload when nghttp2 sent it from the static table (200, 204, 206, 304, 400, 404, 500). */
export function staticStatus(payload: Buffer): number | undefined {
  const statuses: Record<number, number> = { 0x88: 200, 0x89: 204, 0x8a: 206, 0x8b: 304, 0x8c: 400, 0x8d: 404, 0x8e: 500 };
  return statuses[payload[0]!];
}

export interface RawOptions {
  /** Over TLS with ALPN h2, trusting `ca`. */
  readonly tls?: { readonly ca: string | Buffer };
  /** The client's SETTINGS. */
  readonly settings?: Record<number, number>;
  /** Send the preface and SETTINGS on connect (default true). */
  readonly preface?: boolean;
  /**
   * Acknowledge the server's SETTINGS (default true). Until a client does, nghttp2 applies the
   * server's new values only in part (RFC 9113 §6.5.3: they take effect on the ACK).
   */
  readonly ackSettings?: boolean;
}

/**
 * A connection that records every frame the server sends, ACKs its SETTINGS, and keeps the send
 * windows it grants (RFC 9113 §6.9): `sendBody` writes no more DATA than they allow.
 */
export class RawH2 {
  readonly frames: Frame[] = [];
  /** Window updates the server sent, per stream id (0: the connection). */
  readonly windowUpdates = new Map<number, number>();
  /** DATA payload bytes the client sent, per stream id. */
  readonly sent = new Map<number, number>();
  /** DATA payloads the server sent, per stream id. */
  readonly received = new Map<number, Buffer[]>();
  /** Streams the server ended (END_STREAM on HEADERS or DATA). */
  readonly endedStreams = new Set<number>();
  /** Set when the server's FIN (or a close) arrived. */
  ended = false;
  readonly closed: Promise<void>;
  #buffer: Buffer = EMPTY;
  #connectionWindow = 65_535;
  #initialStreamWindow = 65_535;
  #maxFrame = 16_384;
  readonly #streamWindows = new Map<number, number>();
  readonly #pending = new Map<number, { left: number; end: boolean }>();
  readonly #waiters = new Set<() => void>();

  private constructor(
    readonly socket: Socket,
    readonly ackSettings = true,
  ) {
    socket.on('error', () => {});
    socket.on('data', (d: Buffer) => this.#onData(d));
    socket.on('end', () => this.#onEnd());
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.#onEnd();
        resolve();
      }),
    );
  }

  static connect(port: number, options: RawOptions = {}): Promise<RawH2> {
    return new Promise((resolve, reject) => {
      const ready = (): void => {
        socket.off('error', reject);
        const client = new RawH2(socket, options.ackSettings);
        if (options.preface !== false) socket.write(Buffer.concat([PREFACE, settingsFrame(options.settings)]));
        resolve(client);
      };
      const socket: Socket =
        options.tls === undefined
          ? net.connect({ port, host: '127.0.0.1', allowHalfOpen: true }, ready)
          : tls.connect({ port, host: '127.0.0.1', servername: 'localhost', ca: options.tls.ca, ALPNProtocols: ['h2'] }, ready);
      socket.once('error', reject);
    });
  }

  write(data: Buffer): boolean {
    return this.socket.destroyed ? false : this.socket.write(data);
  }

  /** Resolves when `predicate` holds for a received frame (or already did), or with undefined after `timeoutMs` or the close. */
  waitFor(predicate: (f: Frame) => boolean, timeoutMs = 3_000): Promise<Frame | undefined> {
    const found = this.frames.find(predicate);
    if (found !== undefined || this.ended) return Promise.resolve(found);
    return new Promise((resolve) => {
      const check = (): void => {
        const f = this.frames.find(predicate);
        if (f === undefined && !this.ended) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve(f);
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        resolve(undefined);
      }, timeoutMs);
      this.#waiters.add(check);
    });
  }

  /** The GOAWAY's error code, or undefined when none came within `timeoutMs`. */
  async goawayCode(timeoutMs = 3_000): Promise<number | undefined> {
    const f = await this.waitFor((x) => x.type === T.GOAWAY, timeoutMs);
    return f?.payload.readUInt32BE(4);
  }

  /** The RST_STREAM error code on `streamId`, or undefined. */
  async resetCode(streamId: number, timeoutMs = 3_000): Promise<number | undefined> {
    const f = await this.waitFor((x) => x.type === T.RST_STREAM && x.streamId === streamId, timeoutMs);
    return f?.payload.readUInt32BE(0);
  }

  /** Resolves once the server has closed its side (FIN or reset), or false after `timeoutMs`. */
  async serverCloses(timeoutMs = 3_000): Promise<boolean> {
    if (this.ended) return true;
    await this.waitFor(() => false, timeoutMs);
    return this.ended;
  }

  /** Queues `bytes` of body on `streamId` and sends as much as the windows allow, the rest as they open. */
  sendBody(streamId: number, bytes: number, end = false): void {
    if (!this.#streamWindows.has(streamId)) this.#streamWindows.set(streamId, this.#initialStreamWindow);
    this.#pending.set(streamId, { left: bytes, end });
    this.#pump();
  }

  /** The response body the server sent on `streamId` so far. */
  bodyOf(streamId: number): string {
    return Buffer.concat(this.received.get(streamId) ?? []).toString();
  }

  /** Total DATA bytes sent on all streams. */
  get totalSent(): number {
    let n = 0;
    for (const v of this.sent.values()) n += v;
    return n;
  }

  destroy(): void {
    this.socket.destroy();
  }

  #pump(): void {
    for (const [id, p] of this.#pending) {
      while (p.left > 0 && this.#connectionWindow > 0 && this.#streamWindows.get(id)! > 0 && !this.socket.destroyed) {
        const n = Math.min(p.left, this.#maxFrame, this.#connectionWindow, this.#streamWindows.get(id)!);
        p.left -= n;
        this.#connectionWindow -= n;
        this.#streamWindows.set(id, this.#streamWindows.get(id)! - n);
        this.sent.set(id, (this.sent.get(id) ?? 0) + n);
        this.socket.write(frame(T.DATA, p.left === 0 && p.end ? F.END_STREAM : 0, id, Buffer.alloc(n, 0x61)));
      }
      if (p.left === 0) this.#pending.delete(id);
    }
  }

  #onData(d: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? d : Buffer.concat([this.#buffer, d]);
    let pumped = false;
    while (this.#buffer.length >= 9) {
      const length = this.#buffer.readUIntBE(0, 3);
      if (this.#buffer.length < 9 + length) break;
      const f: Frame = {
        type: this.#buffer[3]!,
        flags: this.#buffer[4]!,
        streamId: this.#buffer.readUInt32BE(5) & 0x7fffffff,
        payload: this.#buffer.subarray(9, 9 + length),
      };
      this.#buffer = this.#buffer.subarray(9 + length);
      this.frames.push(f);
      if (f.type === T.SETTINGS && (f.flags & F.ACK) === 0) {
        this.#applySettings(f.payload);
        if (this.ackSettings) this.write(frame(T.SETTINGS, F.ACK, 0));
        pumped = true;
      } else if (f.type === T.WINDOW_UPDATE) {
        const inc = f.payload.readUInt32BE(0) & 0x7fffffff;
        this.windowUpdates.set(f.streamId, (this.windowUpdates.get(f.streamId) ?? 0) + inc);
        if (f.streamId === 0) this.#connectionWindow += inc;
        else this.#streamWindows.set(f.streamId, (this.#streamWindows.get(f.streamId) ?? this.#initialStreamWindow) + inc);
        pumped = true;
      } else if (f.type === T.RST_STREAM) {
        this.#pending.delete(f.streamId);
      } else if (f.type === T.DATA && f.payload.length > 0) {
        const list = this.received.get(f.streamId);
        if (list === undefined) this.received.set(f.streamId, [Buffer.from(f.payload)]);
        else list.push(Buffer.from(f.payload));
      }
      if ((f.type === T.DATA || f.type === T.HEADERS) && (f.flags & F.END_STREAM) !== 0) this.endedStreams.add(f.streamId);
    }
    if (pumped) this.#pump();
    for (const w of [...this.#waiters]) w();
  }

  #applySettings(payload: Buffer): void {
    for (let i = 0; i + 6 <= payload.length; i += 6) {
      const id = payload.readUInt16BE(i);
      const value = payload.readUInt32BE(i + 2);
      if (id === S.INITIAL_WINDOW_SIZE) {
        const delta = value - this.#initialStreamWindow;
        this.#initialStreamWindow = value;
        for (const [sid, w] of this.#streamWindows) this.#streamWindows.set(sid, w + delta);
      } else if (id === S.MAX_FRAME_SIZE) {
        this.#maxFrame = value;
      }
    }
  }

  #onEnd(): void {
    if (this.ended) return;
    this.ended = true;
    for (const w of [...this.#waiters]) w();
  }
}

/**
 * Writes `batch()` over and over, as fast as the socket takes it, until the server sends GOAWAY,
 * closes, or `timeoutMs` passes. Replies are read only when the socket pushes back or every
 * `readEveryMs`, as a flooder that is busy writing reads them: a server that resets the connection
 * with the flood unread makes the next write fail, and the GOAWAY is lost unread. Returns the
 * GOAWAY's error code, or undefined.
 */
export async function flood(c: RawH2, batch: () => Buffer, timeoutMs = 5_000, readEveryMs = 100): Promise<number | undefined> {
  const until = Date.now() + timeoutMs;
  let readAt = Date.now() + readEveryMs;
  const goaway = (): boolean => c.frames.some((f) => f.type === T.GOAWAY);
  while (!goaway() && !c.ended && !c.socket.destroyed && Date.now() < until) {
    if (!c.write(batch())) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          c.socket.off('drain', done);
          c.socket.off('close', done);
          resolve();
        };
        c.socket.once('drain', done);
        c.socket.once('close', done);
      });
    } else if (Date.now() >= readAt) {
      await new Promise((resolve) => setImmediate(resolve));
      readAt = Date.now() + readEveryMs;
    }
  }
  return c.goawayCode(0);
}
