import { chmodSync } from 'node:fs';
import { AddressInUseError, formatEndpoint, isWindowsPipePath, type Endpoint, type PipeEndpoint } from '../../connection/index.js';
import { SocketListener, bindFailure } from '../socket-listener.js';
import type { PipeTransportOptions } from './pipe-options.js';
import { checkPathLength, fileIdentity, removeOwnSocket, removeStaleSocket } from './unix-socket-file.js';

/** The peer of a unix socket or named pipe has no address of its own. */
const UNNAMED_PEER: PipeEndpoint = { kind: 'pipe', path: '' };

/** A bound unix domain socket (POSIX) or named pipe (Windows). */
export class PipeListener extends SocketListener {
  readonly #endpoint: PipeEndpoint;
  /** The socket file this listener created; unbind removes it only if it is still that file. */
  #socketFile: { dev: number; ino: number } | undefined;

  private constructor(endpoint: PipeEndpoint, options: Required<PipeTransportOptions>) {
    super({ noDelay: false, highWaterMark: Math.min(options.maxReadBufferSize, options.maxWriteBufferSize) });
    this.#endpoint = { kind: 'pipe', path: endpoint.path };
  }

  /** Binds `endpoint`; on failure nothing stays bound and no file is left behind. */
  static open(endpoint: PipeEndpoint, options: Required<PipeTransportOptions>): Promise<PipeListener> {
    const listener = new PipeListener(endpoint, options);
    return listener.bindOrDispose(() => listener.#bind(options));
  }

  get endpoint(): PipeEndpoint {
    return this.#endpoint;
  }

  protected get transportName(): string {
    return 'pipe';
  }

  protected endpointsOf(): { local: Endpoint; remote: Endpoint } {
    return { local: this.#endpoint, remote: UNNAMED_PEER };
  }

  protected override async afterUnbind(): Promise<void> {
    // libuv unlinks the file when the server closes; this covers a server that never got there.
    if (this.#socketFile) await removeOwnSocket(this.#endpoint.path, this.#socketFile);
  }

  async #bind(options: Required<PipeTransportOptions>): Promise<void> {
    const { path } = this.#endpoint;
    const described = formatEndpoint(this.#endpoint);
    if (isWindowsPipePath(path)) {
      await this.listen({ path, backlog: options.backlog }, described);
      return;
    }
    checkPathLength(path);
    // node:cluster is loaded here, not at import: only a unix socket needs to know.
    const inClusterWorker = (await import('node:cluster')).default.isWorker;
    try {
      await this.listen({ path, backlog: options.backlog }, described);
    } catch (err) {
      // Bind first, clear a stale file only when the bind fails: in a cluster worker the path is
      // live (the primary listens there for every worker) and the bind joins it.
      if (!(err instanceof AddressInUseError)) throw err;
      await removeStaleSocket(path, described);
      await this.listen({ path, backlog: options.backlog }, described);
    }
    // A cluster worker's socket file is the primary's: it goes when the last worker stops listening.
    if (!inClusterWorker) this.#socketFile = fileIdentity(path);
    // Synchronous on purpose: this runs in the microtasks after the 'listening' callback, before
    // the event loop can dispatch a connection. (The kernel may complete a connect in the moment
    // between bind and chmod; the file then has the umask's mode, which with the usual 022 grants
    // nobody else the write permission connect needs.)
    try {
      chmodSync(path, options.mode);
    } catch (err) {
      throw bindFailure(err, described);
    }
  }
}
