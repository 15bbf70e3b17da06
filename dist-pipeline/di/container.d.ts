import 'reflect-metadata';
import { type DependencyContainer } from 'tsyringe';
import { type Transport } from '../connection/index.js';
import { type Token } from './tokens.js';
import { type ServerOptions } from './server-options.js';
export type TransportClass<T extends Transport = Transport> = new (...args: any[]) => T;
/**
 * The composition root. Each server owns a child container; nothing is ever registered in
 * tsyringe's global container, so two servers in one process never share a transport, a memory
 * endpoint namespace or options.
 */
export declare function createServerContainer(options?: ServerOptions): DependencyContainer;
/**
 * Adds a transport class: resolved once per container with its own dependencies, and reachable
 * both by its class (`resolve(MyTransport)`) and among `TRANSPORT`s.
 */
export declare function registerTransport(c: DependencyContainer, transport: TransportClass): void;
/** `container.resolve` for a typed token. */
export declare function resolve<T>(c: DependencyContainer, token: Token<T>): T;
/** Every transport registered in `c` (and its parents), in registration order. */
export declare function resolveTransports(c: DependencyContainer): Transport[];
