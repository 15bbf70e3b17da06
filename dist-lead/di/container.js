import 'reflect-metadata';
import { container as rootContainer, Lifecycle } from 'tsyringe';
import { ConsoleLogger } from '../connection/index.js';
import { MemoryTransport, PipeTransport, TcpTransport } from '../transports/index.js';
import { LOGGER, SERVER_OPTIONS, TRANSPORT } from './tokens.js';
import { resolveServerOptions } from './server-options.js';
/**
 * The composition root. Each server owns a child container; nothing is ever registered in
 * tsyringe's global container, so two servers in one process never share a transport, a memory
 * endpoint namespace or options.
 */
export function createServerContainer(options = {}) {
    const resolved = resolveServerOptions(options);
    const c = rootContainer.createChildContainer();
    c.register(SERVER_OPTIONS, { useValue: resolved });
    c.register(LOGGER, { useValue: new ConsoleLogger(resolved.logLevel) });
    // Registration order matters: a later transport that can bind an endpoint wins over an earlier one.
    registerTransport(c, TcpTransport);
    registerTransport(c, PipeTransport);
    registerTransport(c, MemoryTransport);
    return c;
}
/**
 * Adds a transport class: resolved once per container with its own dependencies, and reachable
 * both by its class (`resolve(MyTransport)`) and among `TRANSPORT`s.
 */
export function registerTransport(c, transport) {
    c.register(transport, { useClass: transport }, { lifecycle: Lifecycle.ContainerScoped });
    c.register(TRANSPORT, { useToken: transport });
}
/** `container.resolve` for a typed token. */
export function resolve(c, token) {
    return c.resolve(token);
}
/** Every transport registered in `c` (and its parents), in registration order. */
export function resolveTransports(c) {
    return c.isRegistered(TRANSPORT, true) ? c.resolveAll(TRANSPORT) : [];
}
//# sourceMappingURL=container.js.map