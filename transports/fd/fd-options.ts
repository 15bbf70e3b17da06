import { token, type TransportOptions } from '../../connection/index.js';
import { boolean, bufferDefaults, bufferRules, positiveInteger, type OptionRules } from '../transport-options.js';

/**
 * A listening socket the process inherited, as systemd passes it: descriptor `fd` (3, 4, … in
 * `LISTEN_FDS` order) and its `name` from `LISTEN_FDNAMES` (`FileDescriptorName=` in the socket
 * unit; systemd's default is the socket unit's name, and `unknown` when nothing names it).
 */
export interface ListenFd {
  readonly fd: number;
  readonly name: string;
}

/**
 * The descriptors the fd transport may serve. The composition root (di/) registers what it read
 * from `LISTEN_FDS`/`LISTEN_PID`/`LISTEN_FDNAMES`; register your own list to serve sockets a
 * supervisor of yours passed.
 */
export const LISTEN_FDS = token<readonly ListenFd[]>('tiercel.ListenFds');

/**
 * Options of the fd transport (listening sockets the process inherited), given to its constructor
 * or to `bind`. Buffer sizes as for TCP and pipes (one `highWaterMark`, the smaller of the two).
 */
export interface FdTransportOptions extends TransportOptions {
  /**
   * The backlog node:net sets again when it takes the socket over (it calls listen(2) on it once
   * more, which replaces the socket unit's `Backlog=`). Default 511, as the TCP and pipe
   * transports; the kernel caps it at `net.core.somaxconn`.
   */
  backlog?: number;
  /** Disables Nagle's algorithm on connections of a TCP socket (ignored for unix sockets). Default true, as TCP. */
  noDelay?: boolean;
}

export const fdDefaults: Required<FdTransportOptions> = { ...bufferDefaults, backlog: 511, noDelay: true };

export const fdRules: OptionRules<FdTransportOptions> = { ...bufferRules, backlog: positiveInteger, noDelay: boolean };

/** DI token for the fd transport's options; register it with `useValue` to configure the transport. */
export const FD_TRANSPORT_OPTIONS = Symbol('FdTransportOptions');
