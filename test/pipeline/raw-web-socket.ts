// A WebSocket client written by hand over a net.Socket: the handshake as text, frames as bytes
// (RFC 6455 §5.2), so a test can send what no real client would (unmasked frames, reserved bits,
// endless fragments, floods) and decide when, or whether, it reads.
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';

export const Op = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

/** RSV1 (permessage-deflate's bit), RSV2, RSV3. */
export const Rsv = { one: 0x40, two: 0x20, three: 0x10 } as const;

export interface FrameSpec {
  readonly opcode: number;
  readonly payload?: Buffer | string;
  /** Default true. */
  readonly fin?: boolean;
  /** Reserved bits to set (`Rsv`), default none. */
  readonly rsv?: number;
  /** Default true: a client must mask every frame (§5.3). */
  readonly masked?: boolean;
  /** The length the header declares when it is not the payload's (a frame whose payload never comes). */
  readonly declaredLength?: number;
}

const MASK = Buffer.from([0x37, 0xfa, 0x21, 0x3d]);

/** One client-to-server frame. */
export function frame(spec: FrameSpec): Buffer {
  const payload = typeof spec.payload === 'string' ? Buffer.from(spec.payload) : (spec.payload ?? Buffer.alloc(0));
  const length = spec.declaredLength ?? payload.length;
  const masked = spec.masked ?? true;
  const extended = length < 126 ? 0 : length < 0x10000 ? 2 : 8;
  const headerSize = 2 + extended + (masked ? 4 : 0);
  const out = Buffer.alloc(headerSize + payload.length);
  out[0] = (spec.fin === false ? 0 : 0x80) | (spec.rsv ?? 0) | spec.opcode;
  const maskBit = masked ? 0x80 : 0;
  if (extended === 0) out[1] = maskBit | length;
  else if (extended === 2) {
    out[1] = maskBit | 126;
    out.writeUInt16BE(length, 2);
  } else {
    out[1] = maskBit | 127;
    out.writeBigUInt64BE(BigInt(length), 2);
  }
  if (!masked) {
    payload.copy(out, headerSize);
    return out;
  }
  MASK.copy(out, 2 + extended);
  for (let i = 0; i < payload.length; i++) out[headerSize + i] = payload[i] ^ MASK[i & 3];
  return out;
}

/** A close frame's payload: the code, then the reason. */
export function closePayload(code: number, reason = ''): Buffer {
  const out = Buffer.alloc(2 + Buffer.byteLength(reason));
  out.writeUInt16BE(code, 0);
  out.write(reason, 2);
  return out;
}

export interface ServerFrame {
  readonly fin: boolean;
  readonly opcode: number;
  /** Kept for control frames; data frames are only counted (a flood would fill the test's memory). */
  readonly payload: Buffer;
  readonly length: number;
}

export interface CloseFrame {
  readonly code: number;
  readonly reason: string;
}

const HANDSHAKE_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

/**
 * A connected raw client. It starts paused (nothing read past the `101`) until `read()`; while
 * paused the server's frames stay in the kernel and then in the server's send buffer.
 */
export class RawWebSocket {
  readonly socket: Socket;
  /** Control frames received (close, ping, pong), in order. */
  readonly control: ServerFrame[] = [];
  dataFrames = 0;
  dataBytes = 0;
  /** True once the server ended its side (FIN) or the socket closed. */
  ended = false;
  #pending: Buffer;
  #waiters: (() => void)[] = [];

  private constructor(socket: Socket, rest: Buffer) {
    this.socket = socket;
    this.#pending = rest;
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('end', () => this.#onEnd());
    socket.on('close', () => this.#onEnd());
    // A flood's writes meet the server's reset: the test reads the outcome from `ended`.
    socket.on('error', () => undefined);
    socket.pause();
  }

  static async connect(port: number, path = '/ws'): Promise<RawWebSocket> {
    const socket = connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    await once(socket, 'connect');
    socket.write(
      `GET ${path} HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\nupgrade: websocket\r\nconnection: upgrade\r\n` +
        `sec-websocket-key: ${HANDSHAKE_KEY}\r\nsec-websocket-version: 13\r\n\r\n`,
    );
    let head = Buffer.alloc(0);
    for (;;) {
      const [chunk] = (await once(socket, 'data')) as [Buffer];
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) continue;
      const status = head.toString('latin1', 0, head.indexOf('\r\n'));
      if (!status.startsWith('HTTP/1.1 101 ')) {
        socket.destroy();
        throw new Error(`handshake refused: ${status}`);
      }
      socket.pause();
      return new RawWebSocket(socket, head.subarray(end + 4));
    }
  }

  /** Reads and parses from now on. */
  read(): void {
    this.socket.resume();
    this.#parse();
  }

  /** Stops reading: what the server sends piles up in the kernel, then in the server. */
  stopReading(): void {
    this.socket.pause();
  }

  /** Writes frames; true while the kernel takes them (false: this client's own buffer is filling). */
  send(...frames: Buffer[]): boolean {
    if (this.socket.destroyed) return false;
    return this.socket.write(frames.length === 1 ? frames[0] : Buffer.concat(frames));
  }

  /** The server's close frame, if one arrived. */
  get closeFrame(): CloseFrame | undefined {
    const f = this.control.find((c) => c.opcode === Op.close);
    if (f === undefined) return undefined;
    return { code: f.payload.length >= 2 ? f.payload.readUInt16BE(0) : 1005, reason: f.payload.toString('utf8', 2) };
  }

  /** Resolves when `predicate` holds (checked after each frame and at the end), rejects after `timeoutMs`. */
  until(predicate: () => boolean, timeoutMs = 3_000, what = 'the expected frames'): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== check);
        reject(new Error(`timed out waiting for ${what} (close: ${JSON.stringify(this.closeFrame)}, ended: ${this.ended}, data: ${this.dataBytes} bytes)`));
      }, timeoutMs);
      const check = (): void => {
        if (!predicate()) return;
        clearTimeout(timer);
        this.#waiters = this.#waiters.filter((w) => w !== check);
        resolve();
      };
      this.#waiters.push(check);
    });
  }

  /** Waits for the server's close frame and the end of its side, reading meanwhile. */
  async closedByServer(timeoutMs = 3_000): Promise<CloseFrame> {
    this.read();
    await this.until(() => this.closeFrame !== undefined && this.ended, timeoutMs, 'a close frame and the end of the connection');
    return this.closeFrame!;
  }

  destroy(): void {
    this.socket.destroy();
  }

  #onData(chunk: Buffer): void {
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    this.#parse();
  }

  #onEnd(): void {
    this.ended = true;
    this.#notify();
  }

  #parse(): void {
    let buf = this.#pending;
    for (;;) {
      if (buf.length < 2) break;
      const short = buf[1] & 0x7f;
      const extended = short === 126 ? 2 : short === 127 ? 8 : 0;
      if (buf.length < 2 + extended) break;
      const length = extended === 0 ? short : extended === 2 ? buf.readUInt16BE(2) : Number(buf.readBigUInt64BE(2));
      const start = 2 + extended;
      if (buf.length < start + length) break;
      const opcode = buf[0] & 0x0f;
      const payload = buf.subarray(start, start + length);
      if (opcode >= 0x8) this.control.push({ fin: (buf[0] & 0x80) !== 0, opcode, payload: Buffer.from(payload), length });
      else {
        this.dataFrames++;
        this.dataBytes += length;
      }
      buf = buf.subarray(start + length);
    }
    this.#pending = buf;
    this.#notify();
  }

  #notify(): void {
    for (const w of [...this.#waiters]) w();
  }
}
