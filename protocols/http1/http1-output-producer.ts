import type { Duplex } from 'node:stream';
import { reasonPhrase, type Heartbeat, type HeaderList, type MinDataRate } from '../http/index.js';

const NO_FIELDS: readonly string[] = [];
/**
 * Makes V8 store `s` as one flat string: a joined string is a rope of its pieces, and a rope kept
 * between requests (the last head, an idle keep-alive connection's for as long as it stays)
 * keeps every piece alive. Converting a string to a number flattens it in place, and the pieces
 * become garbage; the copy is one the socket write would have made anyway.
 */
function flatten(s: string): string {
  // Stored, so that an optimising compiler cannot drop the conversion as unused.
  flattenSink = (s as unknown as number) | 0;
  return s;
}
let flattenSink = 0;

/**
 * A response head and the pieces it was made of, and that head with the last short body sent
 * after it. Connections share them: each idle keep-alive connection kept its own copy of the same
 * head, head with body and field list, ~290 bytes.
 */
interface HeadRecord {
  readonly status: string;
  readonly fields: readonly string[];
  readonly date: string;
  readonly server: string;
  readonly framing: string;
  readonly connection: string;
  readonly head: string;
  body: string;
  whole: string;
}

const NO_HEAD: HeadRecord = { status: '', fields: NO_FIELDS, date: '', server: '', framing: '', connection: '', head: '', body: '', whole: '' };
/** The head any connection made last (module-wide: a head holds nothing of a connection's). */
let sharedHead = NO_HEAD;

/** Most of the pieces are the very same strings again: comparing them is cheaper than joining them. */
function isHeadOf(r: HeadRecord, status: string, fields: HeaderList, date: string, server: string, framing: string, connection: string): boolean {
  return (
    status === r.status &&
    date === r.date &&
    framing === r.framing &&
    server === r.server &&
    connection === r.connection &&
    fields.matches(r.fields)
  );
}

/** The longest body `withBody` keeps with its head. */
const MAX_KEPT_BODY = 256;

/**
 * Everything an HTTP/1.x connection writes goes through here (Kestrel's `Http1OutputProducer`):
 * responses written while a read is being parsed are corked into one string and leave in one
 * write when the parse returns, so pipelined requests that arrived together are answered together;
 * the last response head is kept for the next response that is the same; writers wait for 'drain';
 * and the bytes that leave are accounted against the minimum response data rate.
 */
export class Http1OutputProducer {
  readonly #transport: Duplex;
  readonly #heartbeat: Heartbeat;
  readonly #serverLine: string;
  #corked = false;
  #pending = '';
  #detached = false;
  /** Made by the first writer that waits: most connections never wait for 'drain'. */
  #drainWaiters: (() => void)[] | undefined;

  /** The last head written, with its pieces and body (see `head`, `withBody`). */
  #last: HeadRecord = NO_HEAD;

  /** Bytes handed to the transport, for the response rate (see `isPastResponseDeadline`). */
  #bytesOut = 0;
  /** Bytes that had left the transport's buffer by the last tick, each worth 1/rate s of time. */
  #bytesCredited = 0;
  /** When the client must have taken what left so far, at the minimum response rate. */
  #responseDeadline = 0;

  constructor(transport: Duplex, heartbeat: Heartbeat, serverLine: string) {
    this.#transport = transport;
    this.#heartbeat = heartbeat;
    this.#serverLine = serverLine;
  }

  get dateLine(): string {
    return this.#heartbeat.dateLine;
  }

  /** The `server: …\r\n` line, or '' for none. */
  get serverLine(): string {
    return this.#serverLine;
  }

  /** True while writes are being collected for one write (see `cork`). */
  get corked(): boolean {
    return this.#corked;
  }

  /** Bytes written and not yet taken by the client: collected here and in the transport's buffer. */
  get buffered(): number {
    return this.#pending.length + this.#transport.writableLength;
  }

  /** From now until `uncork`, strings are collected instead of written. */
  cork(): void {
    this.#corked = true;
  }

  /** Writes what was collected since `cork`, in one write. */
  uncork(): void {
    this.#corked = false;
    this.flush();
  }

  flush(): void {
    if (this.#pending.length > 0) {
      const out = this.#pending;
      this.#pending = '';
      if (!this.#transport.destroyed) this.#transport.write(out, 'latin1');
    }
  }

  /**
   * Queues bytes for the client. Strings are latin1 (heads, ASCII bodies). While corked they are
   * collected; otherwise they go out at once. Returns false when the transport's buffer is full.
   */
  emit(data: string | Buffer): boolean {
    if (this.#detached || this.#transport.destroyed) return false;
    this.#bytesOut += data.length;
    if (this.#corked) {
      if (typeof data === 'string') {
        this.#pending += data;
        return !this.#transport.writableNeedDrain;
      }
      if (this.#pending.length === 0) return this.#transport.write(data);
      // A Buffer body (or an echo's first chunk, read with its head) after the batch's strings:
      // with them, where a flush and a write were two syscalls for one read.
      return this.#writeWithPending('', data, '');
    }
    if (typeof data === 'string') return this.#transport.write(data, 'latin1');
    return this.#transport.write(data);
  }

  /**
   * A chunk of a chunked body (RFC 9112 §7.1): its size line, the data and the CRLF after it leave
   * in one transport write, with what the batch holds before them: a writev for a Buffer, as
   * node:http's corked socket sends a chunk. Written apart they cost three syscalls a chunk (two
   * inside a parse, the CRLF joining the batch). Text must be ASCII (the exchange encodes other
   * text). Returns false when the transport's buffer is full.
   */
  emitChunk(data: string | Buffer, size: number): boolean {
    const t = this.#transport;
    if (this.#detached || t.destroyed) return false;
    const line = size.toString(16) + '\r\n';
    this.#bytesOut += line.length + size + 2;
    if (typeof data === 'string') {
      const framed = line + data + '\r\n';
      if (this.#corked) {
        this.#pending += framed;
        return !t.writableNeedDrain;
      }
      return t.write(framed, 'latin1');
    }
    return this.#writeWithPending(line, data, '\r\n');
  }

  /**
   * What the batch holds, then `before` + `data` + `after`, in one transport write (a writev).
   * Returns false when the transport's buffer is full.
   */
  #writeWithPending(before: string, data: Buffer, after: string): boolean {
    const t = this.#transport;
    const head = this.#pending + before;
    this.#pending = '';
    t.cork();
    t.write(head, 'latin1');
    t.write(data);
    if (after !== '') t.write(after, 'latin1');
    t.uncork();
    // Not `writableNeedDrain`: the corked writes set it whenever the chunk reaches the
    // highWaterMark, even when the writev then left at once; this is what write() itself answers.
    return t.writableLength < t.writableHighWaterMark;
  }

  /**
   * `emit` for a caller that does not need to know whether the transport is full (a head, the
   * end of a response): it skips reading the transport's state.
   */
  queue(data: string): void {
    if (this.#detached) return;
    this.#bytesOut += data.length;
    if (this.#corked) this.#pending += data;
    else if (!this.#transport.destroyed) this.#transport.write(data, 'latin1');
  }

  canWrite(): boolean {
    return !this.#transport.writableNeedDrain;
  }

  /** Resolves when the transport has room again (at once if it has, or if it is gone). */
  drain(): Promise<void> {
    if (!this.#transport.writableNeedDrain || this.#transport.destroyed) return Promise.resolve();
    return new Promise((resolve) => (this.#drainWaiters ??= []).push(resolve));
  }

  /** The transport emitted 'drain', or closed: wake the writers that wait. */
  onDrain(): void {
    const waiters = this.#drainWaiters;
    if (waiters === undefined) return;
    this.#drainWaiters = undefined;
    for (const w of waiters) w();
  }

  /** A response that ends the connection, written without an app (a rejection, a timeout). */
  writeErrorResponse(status: number): void {
    this.emit(`HTTP/1.1 ${status} ${reasonPhrase(status)}\r\ncontent-length: 0\r\nconnection: close\r\n${this.dateLine}${this.#serverLine}\r\n`);
  }

  /** The transport is handed to another owner: flush, and write nothing more. */
  detach(): void {
    this.flush();
    this.#detached = true;
  }

  /**
   * The response head made of these pieces (status line, the app's fields, then the date,
   * server, framing and connection lines). A keep-alive client mostly gets the same head again,
   * and comparing the pieces, most of them the very same strings, is cheaper than joining them
   * anew: the last head is kept with what it was made of.
   */
  head(status: string, fields: HeaderList, date: string, server: string, framing: string, connection: string): string {
    const last = this.#last;
    if (isHeadOf(last, status, fields, date, server, framing, connection)) return last.head;
    // Another connection's: keep-alive connections of a server mostly answer with the same head.
    if (isHeadOf(sharedHead, status, fields, date, server, framing, connection)) {
      this.#last = sharedHead;
      return sharedHead.head;
    }
    const head = flatten(fields.serialize(status) + date + server + framing + connection + '\r\n');
    const record: HeadRecord = { status, fields: fields.snapshot(), date, server, framing, connection, head, body: '', whole: '' };
    this.#last = record;
    sharedHead = record;
    return head;
  }

  /** `head` + a short ASCII body, kept like the head when the same body follows the same head. */
  withBody(head: string, body: string): string {
    // Comparing a long body costs more than joining it (a join makes a rope, it copies nothing).
    if (body.length > MAX_KEPT_BODY) return head + body;
    const last = this.#last;
    if (head !== last.head) return head + body;
    if (body === last.body && last.whole !== '') return last.whole;
    const whole = flatten(head + body);
    last.body = body;
    last.whole = whole;
    return whole;
  }

  /**
   * The minimum response rate, measured as Kestrel does: each byte that leaves for the client
   * extends a deadline by 1/rate s (a run of output after a quiet spell starts from now + the
   * grace), and only output still waiting in the server past that deadline cuts the client.
   * A client taking its bytes at the rate or faster has taken all of them by the deadline, so
   * nothing can still be waiting: it is never cut. Progress out of the server's buffer over a
   * window is no measure: the kernel's send buffer (megabytes, and it wakes the writer only when
   * a third of it is free) hides seconds of a steady reader's progress.
   */
  isPastResponseDeadline(rate: MinDataRate, now: number): boolean {
    const waiting = this.#transport.writableLength;
    // Only bytes that left the server earn time: an app that ignores backpressure and keeps
    // writing to a client that reads nothing must not push the deadline out forever.
    const flushed = this.#bytesOut - waiting;
    const added = flushed - this.#bytesCredited;
    if (added > 0) {
      this.#bytesCredited = flushed;
      // Bytes flushed since the last tick are credited from this tick: late by less than an
      // interval, which errs towards the client.
      const base = this.#responseDeadline > now ? this.#responseDeadline : now + rate.gracePeriodMs;
      this.#responseDeadline = base + (added * 1000) / rate.bytesPerSecond;
    }
    return waiting > 0 && this.#heartbeat.isPast(this.#responseDeadline, 0, now);
  }
}
