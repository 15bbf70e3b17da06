import { type NetConnectOpts, type Socket } from 'node:net';
import type { Endpoint } from '../../connection/index.js';
/** A real `net.connect` client, half-open like the server side; resolves once connected. */
export declare function connectSocket(options: NetConnectOpts): Promise<Socket>;
/** Connects to a bound TCP endpoint; the wildcards are reached through 127.0.0.1. */
export declare function connectTcp(endpoint: Endpoint, host?: string): Promise<Socket>;
export declare function connectPipe(endpoint: Endpoint): Promise<Socket>;
