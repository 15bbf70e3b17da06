import { loadTsyringe, type DependencyContainer } from '../connection/tsyringe.js';
import { addTiercel } from './add-tiercel.js';
import type { ServerOptions } from './server-options.js';

/**
 * A fresh child of tsyringe's root container with tiercel's defaults (`addTiercel`): what
 * `new Server(options)` uses. Nothing is ever registered in the root container itself, so two
 * servers in one process never share a transport, a memory endpoint namespace or options.
 */
export function createServerContainer(options: ServerOptions = {}): DependencyContainer {
  const c = loadTsyringe().container.createChildContainer();
  addTiercel(c, { server: options });
  return c;
}
