import type { Clock } from './clock.js';
import type { Logger, LoggerFactory } from './logger.js';
import type { Transport, TransportOptions } from './transport.js';

/**
 * A DI token that remembers the type it resolves to. tsyringe's own tokens are untyped symbols;
 * `resolve(container, TOKEN)` (di/) keeps the type without a cast at every call site.
 *
 * The tokens of contracts live here, beside the contracts, so that any layer can `@inject` them
 * without importing the composition root (di/), which sits above every layer.
 */
export type Token<T> = symbol & { readonly __tokenType?: T };

export function token<T>(description: string): Token<T> {
  return Symbol(description) as Token<T>;
}

/** Every registered transport, in registration order (the last that can bind an endpoint wins). */
export const TRANSPORT = token<Transport>('tiercel.Transport');
/**
 * The logger of the `tiercel` category, for code that wants one logger. Registering your own here
 * still works as it always has: the default `LOGGER_FACTORY` then hands it to every category.
 */
export const LOGGER = token<Logger>('tiercel.Logger');
/** Makes the per-category loggers every component writes to. */
export const LOGGER_FACTORY = token<LoggerFactory>('tiercel.LoggerFactory');
/** The clock every timeout reads (the heartbeat, the protocol sniff, the TLS handshake). */
export const CLOCK = token<Clock>('tiercel.Clock');
/** The buffer sizes given to every transport's `bind` (an endpoint may override them). */
export const TRANSPORT_OPTIONS = token<TransportOptions>('tiercel.TransportOptions');
