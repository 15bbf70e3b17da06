import type { ListenFd } from '../transports/index.js';
import { readListenFds, unsetListenFds } from './socket-activation.js';

/** The environment variables tiercel reads (only here, in di/, once per `addTiercel`). */
export interface Environment {
  /** `NODE_ENV`. */
  readonly nodeEnv: string | undefined;
  /** `NODE_ENV=production`: the development certificate is never used. */
  readonly production: boolean;
  /** `TIERCEL_DEV_CERT_DIR`: the development certificate's folder (default `~/.tiercel/dev-cert`). */
  readonly devCertDir: string | undefined;
  /**
   * `TIERCEL_URLS`: listen URLs separated by `;`. Among the variables that say where to listen it
   * wins (as `ASPNETCORE_URLS` wins over `ASPNETCORE_HTTP_PORTS`).
   */
  readonly urls: string | undefined;
  /** `TIERCEL_HTTP_PORTS`: ports separated by `;`, each served as `http://*:port` (ASP.NET's `ASPNETCORE_HTTP_PORTS`). */
  readonly httpPorts: string | undefined;
  /** `TIERCEL_HTTPS_PORTS`: ports separated by `;`, each served as `https://*:port`. */
  readonly httpsPorts: string | undefined;
  /**
   * `PORT`, what container platforms (Cloud Run, Heroku, Render, …) set: `http://*:PORT`. The
   * lowest of the listen variables: a `TIERCEL_*` one set on purpose wins over the platform's.
   */
  readonly port: string | undefined;
  /**
   * The listening sockets systemd passed (`LISTEN_FDS`, `LISTEN_FDNAMES`, when `LISTEN_PID` is
   * this process): the fd transport serves them (`http://fd:3`, `http://fd:web`), and
   * `tiercel serve` without URLs serves them all. Empty without socket activation.
   */
  readonly listenFds: readonly ListenFd[];
}

/**
 * Reads the variables tiercel uses from `env`; an empty value counts as unset. Reading the
 * process's own environment removes the socket activation variables from it (sd_listen_fds(3)'s
 * `unset_environment`), so the first server in a process takes the passed sockets and a child
 * process never inherits the claim to them; `pid` is whose sockets they must be.
 */
export function readEnvironment(env: Readonly<Record<string, string | undefined>> = process.env, pid = process.pid): Environment {
  const get = (name: string): string | undefined => (env[name] === '' ? undefined : env[name]);
  const nodeEnv = get('NODE_ENV');
  const listenFds = Object.freeze(readListenFds(env, pid));
  if (env === process.env) unsetListenFds(process.env);
  return Object.freeze({
    nodeEnv,
    production: nodeEnv === 'production',
    devCertDir: get('TIERCEL_DEV_CERT_DIR'),
    urls: get('TIERCEL_URLS'),
    httpPorts: get('TIERCEL_HTTP_PORTS'),
    httpsPorts: get('TIERCEL_HTTPS_PORTS'),
    port: get('PORT'),
    listenFds,
  });
}
