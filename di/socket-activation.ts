import type { ListenFd } from '../transports/index.js';
import { SocketActivationError } from './errors.js';

/** The first descriptor systemd passes (`SD_LISTEN_FDS_START`): 0 to 2 are stdio. */
export const LISTEN_FDS_START = 3;

/** The variables of systemd's socket activation protocol (sd_listen_fds(3)). */
const VARIABLES = ['LISTEN_PID', 'LISTEN_FDS', 'LISTEN_FDNAMES'] as const;

/**
 * The listening sockets systemd passed to process `pid`, as sd_listen_fds_with_names(3) reads
 * them: none unless `LISTEN_PID` is `pid` (the variables leaked from a parent are not ours);
 * `LISTEN_FDS` descriptors from 3 on; their names from `LISTEN_FDNAMES` (`:`-separated, one per
 * descriptor), `unknown` without it, as systemd says. A malformed value throws
 * `SocketActivationError`: systemd never writes one, so something else is wrong.
 */
export function readListenFds(env: Readonly<Record<string, string | undefined>>, pid: number): ListenFd[] {
  const pidText = env.LISTEN_PID;
  if (pidText === undefined || pidText === '') return [];
  if (!/^[1-9][0-9]*$/.test(pidText)) throw new SocketActivationError(`LISTEN_PID is not a process id: '${pidText}'`);
  if (Number(pidText) !== pid) return [];
  const countText = env.LISTEN_FDS ?? '';
  if (!/^(?:0|[1-9][0-9]{0,5})$/.test(countText)) throw new SocketActivationError(`LISTEN_FDS is not a count of descriptors: '${countText}'`);
  const count = Number(countText);
  const namesText = env.LISTEN_FDNAMES;
  const names = namesText === undefined || namesText === '' ? undefined : namesText.split(':');
  if (names !== undefined && names.length !== count) {
    throw new SocketActivationError(`LISTEN_FDNAMES has ${names.length} names for ${count} descriptors: '${namesText}'`);
  }
  return Array.from({ length: count }, (_, i) => ({ fd: LISTEN_FDS_START + i, name: names?.[i] ?? 'unknown' }));
}

/**
 * Removes the socket activation variables from `env`, as sd_listen_fds(unset_environment = 1)
 * does: a child process this one starts must not believe the sockets are its own.
 */
export function unsetListenFds(env: Record<string, string | undefined>): void {
  for (const name of VARIABLES) delete env[name];
}
