import type { DependencyContainer, InjectionToken } from 'tsyringe';
import type { Token } from '../connection/index.js';
import { loadTsyringe } from '../connection/tsyringe.js';
import { DiMetadataError, DiRegistrationError } from './errors.js';

/**
 * `container.resolve`, typed by the token, with tsyringe's two configuration failures turned into
 * coded errors that say what to do (its own messages name neither decorators nor tsconfig).
 */
export function resolve<T>(c: DependencyContainer, token: Token<T> | InjectionToken<T>): T {
  // The app may have made `c` with its own `import 'tsyringe'`: tiercel's deferred decorators must be applied first.
  loadTsyringe();
  try {
    return c.resolve<T>(token);
  } catch (err) {
    throw translate(err);
  }
}

/** Every registration of `token` in `c` (or, if `c` has none, its nearest parent with some), in registration order. */
export function resolveAll<T>(c: DependencyContainer, token: Token<T>): T[] {
  loadTsyringe();
  if (!c.isRegistered(token, true)) return [];
  try {
    return c.resolveAll<T>(token);
  } catch (err) {
    throw translate(err);
  }
}

const TYPE_INFO = /TypeInfo not known for "([^"]*)"/;
const UNREGISTERED = /unregistered dependency token: "(?:Symbol\()?([^")]*)\)?"/;

function translate(err: unknown): unknown {
  const message = err instanceof Error ? err.message : '';
  // A nested failure ("Cannot inject the dependency … Reason: …") ends with the innermost cause.
  const metadata = TYPE_INFO.exec(message);
  if (metadata !== null) return new DiMetadataError(metadata[1] || 'an anonymous class', { cause: err });
  const unregistered = UNREGISTERED.exec(message);
  if (unregistered !== null) return new DiRegistrationError(unregistered[1], { cause: err });
  return err;
}
