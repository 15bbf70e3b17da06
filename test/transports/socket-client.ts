import { connect, type NetConnectOpts, type Socket } from 'node:net';
import type { Endpoint, PipeEndpoint, TcpEndpoint } from '../../connection/index.js';

/** A real `net.connect` client, half-open like the server side; resolves once connected. */
export function connectSocket(options: NetConnectOpts): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ ...options, allowHalfOpen: true });
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** Connects to a bound TCP endpoint; the wildcards are reached through 127.0.0.1. */
export function connectTcp(endpoint: Endpoint, host?: string): Promise<Socket> {
  const { host: bound, port } = endpoint as TcpEndpoint;
  return connectSocket({ host: host ?? (bound === '*' || bound === 'localhost' ? '127.0.0.1' : bound), port });
}

export function connectPipe(endpoint: Endpoint): Promise<Socket> {
  return connectSocket({ path: (endpoint as PipeEndpoint).path });
}
