import { EventEmitter } from 'node:events';

const emitEvent = EventEmitter.prototype.emit;

/**
 * EventEmitter's `emit` on `target`, for an event that an `emit` of tiercel's own (on a session or
 * a stream) passes on: with up to four arguments, less the undefined ones at the end (node:http2's
 * events carry at most four, and none ends with an undefined one that a listener could tell from
 * a missing one). Not from `arguments`: a function that reads it makes the object on every call in
 * V8's interpreter, where an idle connection's code still runs (~430 bytes per HTTP/2 connection
 * with one GET), and forwarding it is a varargs call in every tier.
 */
export function forwardEmit(target: EventEmitter, event: string | symbol, a?: unknown, b?: unknown, c?: unknown, d?: unknown): boolean {
  if (d !== undefined) return emitEvent.call(target, event, a, b, c, d);
  if (c !== undefined) return emitEvent.call(target, event, a, b, c);
  if (b !== undefined) return emitEvent.call(target, event, a, b);
  if (a !== undefined) return emitEvent.call(target, event, a);
  return emitEvent.call(target, event);
}
