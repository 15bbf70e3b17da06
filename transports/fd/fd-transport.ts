import { inject, injectable } from '../../connection/tsyringe.js';
import { FdNotPassedError, InvalidEndpointError, formatEndpoint, type Endpoint, type FdEndpoint, type Transport } from '../../connection/index.js';
import { resolveOptions } from '../transport-options.js';
import { FdListener } from './fd-listener.js';
import { FD_TRANSPORT_OPTIONS, LISTEN_FDS, fdDefaults, fdRules, type FdTransportOptions, type ListenFd } from './fd-options.js';

/**
 * Listening sockets the process inherited (systemd socket activation), served through
 * node:net's `{ fd }` listen: TCP or unix, whichever the descriptor is. Binds `fd` endpoints
 * (`http://fd:3`, `https://fd:web`) among the descriptors it was given (`LISTEN_FDS`, which the
 * composition root fills from the environment); any other descriptor is refused, so a URL
 * never takes over a file the process opened for something else.
 *
 * A descriptor is served once: stopping closes it (the socket unit keeps its own copy for the
 * next start), and its number may then name another file.
 */
@injectable()
export class FdTransport implements Transport {
  readonly name = 'fd';
  readonly #passed: readonly ListenFd[];
  readonly #options: Required<FdTransportOptions>;
  readonly #served = new Set<number>();

  constructor(
    @inject(LISTEN_FDS, { isOptional: true }) passed: readonly ListenFd[] = [],
    @inject(FD_TRANSPORT_OPTIONS, { isOptional: true }) options?: FdTransportOptions,
  ) {
    this.#passed = passed;
    this.#options = resolveOptions(fdDefaults, fdRules, options);
  }

  canBind(endpoint: Endpoint): boolean {
    return endpoint.kind === 'fd';
  }

  async bind(endpoint: Endpoint, options?: FdTransportOptions): Promise<FdListener> {
    if (!this.canBind(endpoint)) throw new InvalidEndpointError(JSON.stringify(endpoint), 'the fd transport binds only fd endpoints');
    const fdEndpoint = endpoint as FdEndpoint;
    const resolved = resolveOptions(fdDefaults, fdRules, this.#options, options);
    const fds = this.#select(fdEndpoint);
    // Taken before the attempt: a failed one has closed what it took over.
    for (const fd of fds) this.#served.add(fd);
    return FdListener.open(fdEndpoint, fds, resolved);
  }

  /** The descriptors `endpoint` names, each passed to this process and not served yet. */
  #select(endpoint: FdEndpoint): number[] {
    const described = formatEndpoint(endpoint);
    const { fd, name } = endpoint;
    if ((fd === undefined) === (name === undefined)) {
      throw new InvalidEndpointError(JSON.stringify(endpoint), 'an fd endpoint has a descriptor number or a name, not both');
    }
    const passed = this.#passed;
    if (passed.length === 0) throw new FdNotPassedError(described, 'no sockets were passed to this process (LISTEN_FDS is unset, or LISTEN_PID names another process)');
    const matching = passed.filter((p) => (fd !== undefined ? p.fd === fd : p.name === name)).map((p) => p.fd);
    if (matching.length === 0) throw new FdNotPassedError(described, `it was not passed (passed: ${passed.map((p) => `${p.fd} '${p.name}'`).join(', ')})`);
    const taken = matching.find((f) => this.#served.has(f));
    if (taken !== undefined) throw new FdNotPassedError(described, `descriptor ${taken} is already served by another endpoint`);
    return matching;
  }
}
