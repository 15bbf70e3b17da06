import type { Logger } from './logger.js';
import type { Transport } from './transport.js';

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
/** The logger every component writes to. */
export const LOGGER = token<Logger>('tiercel.Logger');
