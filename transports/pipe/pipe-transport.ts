import { inject, injectable } from '../../connection/tsyringe.js';
import { InvalidEndpointError, isWindowsPipePath, type Endpoint, type PipeEndpoint, type Transport } from '../../connection/index.js';
import { resolveOptions } from '../transport-options.js';
import { PipeListener } from './pipe-listener.js';
import { PIPE_TRANSPORT_OPTIONS, pipeDefaults, pipeRules, type PipeTransportOptions } from './pipe-options.js';

/**
 * Local IPC through node:net: unix domain sockets on POSIX (`unix:/run/app.sock`), named pipes
 * on Windows (`\\.\pipe\name`). Each platform binds only its own kind of path.
 *
 * `new PipeTransport(options)`, or `container.resolve(PipeTransport)` (options from the
 * `PIPE_TRANSPORT_OPTIONS` token when it is registered).
 */
@injectable()
export class PipeTransport implements Transport {
  readonly name = 'pipe';
  readonly #options: Required<PipeTransportOptions>;

  constructor(@inject(PIPE_TRANSPORT_OPTIONS, { isOptional: true }) options?: PipeTransportOptions) {
    this.#options = resolveOptions(pipeDefaults, pipeRules, options);
  }

  canBind(endpoint: Endpoint): boolean {
    if (endpoint.kind !== 'pipe') return false;
    const path = (endpoint as PipeEndpoint).path;
    return typeof path === 'string' && path.length > 0 && isWindowsPipePath(path) === (process.platform === 'win32');
  }

  async bind(endpoint: Endpoint, options?: PipeTransportOptions): Promise<PipeListener> {
    if (!this.canBind(endpoint)) {
      const rule = process.platform === 'win32' ? 'a named pipe (\\\\.\\pipe\\name)' : 'a unix socket path (not \\\\.\\pipe\\)';
      throw new InvalidEndpointError(JSON.stringify(endpoint), `the pipe transport on this platform binds ${rule}`);
    }
    return PipeListener.open(endpoint as PipeEndpoint, resolveOptions(pipeDefaults, pipeRules, this.#options, options));
  }
}
