import { Lifecycle, loadTsyringe, type DependencyContainer } from '../connection/tsyringe.js';
import { TRANSPORT, type Transport } from '../connection/index.js';
import { resolveAll } from './resolution.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tsyringe constructs with any arguments
export type TransportClass<T extends Transport = Transport> = new (...args: any[]) => T;

/**
 * Adds a transport class: resolved once per container with its own dependencies, and reachable
 * both by its class (`resolve(MyTransport)`) and among `TRANSPORT`s, after every transport
 * registered before it (so it is tried first).
 */
export function registerTransport(c: DependencyContainer, transport: TransportClass): void {
  // `c` may be the app's own: the class's deferred decorators reach tsyringe before it is resolved.
  loadTsyringe();
  c.register(transport, { useClass: transport }, { lifecycle: Lifecycle.ContainerScoped });
  c.register(TRANSPORT, { useToken: transport });
}

/** Every transport registered in `c` (or its parents), in registration order. */
export function resolveTransports(c: DependencyContainer): Transport[] {
  return resolveAll(c, TRANSPORT);
}
