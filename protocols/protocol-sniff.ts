import type { Duplex } from 'node:stream';
import { kReader, type Clock, type ConnectionCompletion, type ConnectionContext, type ReadBy, type TransportWatcher } from '../connection/index.js';
import type { SniffVerdict } from './http/index.js';

/**
 * The most bytes held while the adapters decide. Beyond it an adapter still answering `'more'`
 * counts as `'no'`, so a client cannot make the server buffer without bound before any protocol
 * (and its limits) has taken the connection. The HTTP/2 preface needs 24.
 */
export const MAX_SNIFF_BYTES = 4_096;

/** The index of the adapter that said yes, or why none did. */
export type SniffResult = number | 'none' | 'closed' | 'timeout';

/** A transport the sniff reads: its shared listeners find it in the transport's reader slot. */
type Sniffed = ReadBy<Sniff>;

/**
 * Reads the first bytes of `transport` and asks `sniffers` in order (highest precedence first)
 * until one says yes; a `'more'` waits for the next read before a later sniffer is asked. Nothing
 * is consumed: the bytes read are put back with `unshift`, and the transport is left paused for the
 * protocol that takes it. No verdict within `timeoutMs` (on `clock`) is `'timeout'`.
 */
export function sniffProtocol(
  transport: Duplex,
  sniffers: readonly ((head: Buffer) => SniffVerdict)[],
  timeoutMs: number,
  clock: Clock,
): Promise<SniffResult> {
  return new Promise((resolve) => sniff(transport, sniffers, timeoutMs, clock, resolve, undefined, undefined, undefined));
}

/**
 * What takes the bytes of a connection no sniffer claimed, inside the 'data' event that decided,
 * with the transport still flowing: true when it took them (it reads them before the transport's
 * next 'data'), false to have them put back and the `'none'` verdict delivered as any other.
 */
export type OnUnclaimed = (head: Buffer, ctx: ConnectionContext, completion: ConnectionCompletion) => boolean;

/**
 * `sniffProtocol` for a connection, without a promise: calls `then(result, ctx, completion)` with
 * the verdict on `ctx.transport`. One `then` serves every connection (the sniff carries the
 * connection's own arguments), so nothing of the sniff is kept once the verdict is given. A
 * connection no sniffer claims goes to `unclaimed` first, when given (see `OnUnclaimed`).
 */
export function sniffProtocolThen(
  ctx: ConnectionContext,
  sniffers: readonly ((head: Buffer) => SniffVerdict)[],
  timeoutMs: number,
  clock: Clock,
  then: (result: SniffResult, ctx: ConnectionContext, completion: ConnectionCompletion) => void,
  completion: ConnectionCompletion,
  unclaimed?: OnUnclaimed,
): void {
  sniff(ctx.transport, sniffers, timeoutMs, clock, then, ctx, completion, ctx, unclaimed);
}

function sniff<A, B>(
  transport: Duplex,
  sniffers: readonly ((head: Buffer) => SniffVerdict)[],
  timeoutMs: number,
  clock: Clock,
  then: (result: SniffResult, a: A, b: B) => void,
  a: A,
  b: B,
  ctx: ConnectionContext | undefined,
  unclaimed?: (head: Buffer, a: A, b: B) => boolean,
): void {
  if (transport.destroyed) {
    then('closed', a, b);
    return;
  }
  const state = new Sniff(transport as Sniffed, sniffers, timeoutMs === Infinity ? undefined : deadlinesOf(clock, timeoutMs), then as OnVerdict, a, b, ctx, unclaimed as OnUnclaimedAny | undefined);
  (transport as Sniffed)[kReader] = state;
  transport.on('data', onSniffData);
  transport.on('end', onSniffClosed);
  // A connection's context listens for its transport's close already: told through it, the sniff
  // adds no 'close' listener of its own, beside which node kept an array of the two (~64 bytes of
  // garbage per connection).
  if (ctx !== undefined) ctx.watchTransport(state);
  else transport.on('close', onSniffClosed);
  // Middleware may hand the transport over paused; a 'data' listener alone would not start it.
  transport.resume();
  state.deadlines?.add(state);
}

/**
 * The deadlines of the sniffs that share a clock and a timeout, on one timer of that clock: such
 * sniffs fall due in the order they began, so they are kept in that order (a list through the
 * sniffs themselves, each unlinked when it finishes) and the timer only ever waits for the first.
 * A Node timer per connection, with its closure and context, was ~200 bytes for every connection.
 */
class SniffDeadlines {
  #first: Sniff | undefined = undefined;
  #last: Sniff | undefined = undefined;
  #timer: object | undefined = undefined;

  constructor(
    readonly clock: Clock,
    readonly timeoutMs: number,
  ) {}

  add(sniff: Sniff): void {
    sniff.deadline = this.clock.now() + this.timeoutMs;
    const last = this.#last;
    sniff.previous = last;
    if (last === undefined) this.#first = sniff;
    else last.next = sniff;
    this.#last = sniff;
    // Only for a list that was empty: otherwise the timer waits for an earlier deadline already
    // (or #expire, running, re-arms it for the first once done).
    if (last === undefined && this.#timer === undefined) this.#timer = this.clock.setTimeout(this.#expire, this.timeoutMs);
  }

  remove(sniff: Sniff): void {
    const { previous, next } = sniff;
    // Not (or no longer) in the list: only the first has no previous.
    if (previous === undefined && this.#first !== sniff) return;
    if (previous === undefined) this.#first = next;
    else previous.next = next;
    if (next === undefined) this.#last = previous;
    else next.previous = previous;
    sniff.previous = sniff.next = undefined;
    // No sniff left waiting: no timer left behind.
    if (this.#first === undefined && this.#timer !== undefined) {
      this.clock.clearTimer(this.#timer);
      this.#timer = undefined;
    }
  }

  readonly #expire = (): void => {
    this.#timer = undefined;
    const now = this.clock.now();
    for (let first = this.#first; first !== undefined && first.deadline <= now; first = this.#first) {
      // Unlinked here, not left to finish(), which does nothing for a sniff no longer its transport's.
      this.remove(first);
      first.finish('timeout');
    }
    const first = this.#first;
    if (first !== undefined && this.#timer === undefined) this.#timer = this.clock.setTimeout(this.#expire, first.deadline - now);
  };
}

const deadlinesByClock = new WeakMap<Clock, Map<number, SniffDeadlines>>();

/** The deadlines of the sniffs on `clock` with `timeoutMs`, made on first use. */
function deadlinesOf(clock: Clock, timeoutMs: number): SniffDeadlines {
  let byTimeout = deadlinesByClock.get(clock);
  if (byTimeout === undefined) deadlinesByClock.set(clock, (byTimeout = new Map()));
  let deadlines = byTimeout.get(timeoutMs);
  if (deadlines === undefined) byTimeout.set(timeoutMs, (deadlines = new SniffDeadlines(clock, timeoutMs)));
  return deadlines;
}

type OnVerdict = (result: SniffResult, a: unknown, b: unknown) => void;
type OnUnclaimedAny = (head: Buffer, a: unknown, b: unknown) => boolean;

// The transport's listeners are shared by every connection (`this` is the transport), as the
// protocols' are: per connection they were three closures and their context, each also renamed
// at run time by the bundle (esbuild's keepNames: ~1 µs and a property store per closure).
function onSniffData(this: Sniffed, chunk: Buffer): void {
  this[kReader]?.onData(chunk);
}

// A client that ends before the verdict sent only a prefix of some protocol: nothing to serve.
function onSniffClosed(this: Sniffed): void {
  this[kReader]?.finish('closed');
}

/**
 * Sniffs whose verdict waits for the microtask that delivers it, drained by one shared function: a
 * closure per connection was queued, and Node's queueMicrotask adds an AsyncResource and a bound
 * function per call; a reaction on a settled promise is the microtask alone.
 */
const verdicts: (Sniff | undefined)[] = [];
// The queue is `verdicts[verdictsNext .. verdictsEnd)`, emptied by resetting both counts: shifted
// to empty, the array gave up its storage and the next verdict's push took a new one (~100 bytes
// per connection where verdicts come one a microtask).
let verdictsNext = 0;
let verdictsEnd = 0;
let drainQueued = false;
const settled = Promise.resolve();

function queueVerdict(sniff: Sniff): void {
  verdicts[verdictsEnd++] = sniff;
  if (drainQueued) return;
  drainQueued = true;
  void settled.then(deliverVerdicts);
}

function deliverVerdicts(): void {
  try {
    // One at a time, in order; a verdict queued by a delivery is delivered in the same drain.
    while (verdictsNext < verdictsEnd) {
      const sniff = verdicts[verdictsNext]!;
      verdicts[verdictsNext++] = undefined;
      sniff.deliver();
    }
  } finally {
    // A delivery that threw leaves the later ones queued: they still get their microtask.
    if (verdictsNext < verdictsEnd) void settled.then(deliverVerdicts);
    else {
      verdictsNext = verdictsEnd = 0;
      drainQueued = false;
    }
  }
}

/** One connection's sniff in progress; its context's watcher while it lasts, when it has one. */
class Sniff implements TransportWatcher {
  seen: Buffer | null = null;
  result: SniffResult = 'none';
  /** When it times out (on its deadlines' clock), and its neighbours in their list. */
  deadline = 0;
  previous: Sniff | undefined = undefined;
  next: Sniff | undefined = undefined;

  constructor(
    readonly transport: Sniffed,
    readonly sniffers: readonly ((head: Buffer) => SniffVerdict)[],
    readonly deadlines: SniffDeadlines | undefined,
    // Not `then`: an object with a `then` method is a thenable.
    readonly onVerdict: OnVerdict,
    readonly a: unknown,
    readonly b: unknown,
    readonly ctx: ConnectionContext | undefined,
    readonly unclaimed: OnUnclaimedAny | undefined,
  ) {}

  onData(chunk: Buffer): void {
    const seen = this.seen;
    const head: Buffer = seen === null ? chunk : Buffer.concat([seen, chunk]);
    this.seen = head;
    const full = head.length >= MAX_SNIFF_BYTES;
    const sniffers = this.sniffers;
    for (let i = 0; i < sniffers.length; i++) {
      const verdict = sniffers[i](head);
      if (verdict === 'yes') return this.finish(i);
      if (verdict === 'more' && !full) return;
    }
    this.finish('none');
  }

  finish(result: SniffResult): void {
    const transport = this.transport;
    if (transport[kReader] !== this) return;
    transport[kReader] = undefined;
    transport.off('data', onSniffData);
    transport.off('end', onSniffClosed);
    if (this.ctx !== undefined) this.ctx.watchTransport(undefined);
    else transport.off('close', onSniffClosed);
    this.deadlines?.remove(this);
    const seen = this.seen;
    this.seen = null;
    // Still flowing, inside the 'data' event: a taker reads the bytes first, then the next 'data'.
    if (result === 'none' && seen !== null && this.unclaimed?.(seen, this.a, this.b) === true) return;
    transport.pause();
    if (seen !== null && result !== 'closed') transport.unshift(seen);
    // On a microtask, as an awaited verdict was: the protocol that takes the transport (node:http2
    // consumes its handle) does so after the 'data' event that decided, not inside it.
    this.result = result;
    queueVerdict(this);
  }

  /** Its 'close' follows: the verdict waits for it. */
  handleTransportError(): void {}

  /** `onSniffClosed`'s 'close', told by the context. */
  handleTransportClose(): void {
    this.finish('closed');
  }

  deliver(): void {
    this.onVerdict(this.result, this.a, this.b);
  }
}
