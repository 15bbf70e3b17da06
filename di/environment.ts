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
}

/** Reads the variables tiercel uses from `env`; an empty value counts as unset. */
export function readEnvironment(env: Readonly<Record<string, string | undefined>> = process.env): Environment {
  const get = (name: string): string | undefined => (env[name] === '' ? undefined : env[name]);
  const nodeEnv = get('NODE_ENV');
  return Object.freeze({
    nodeEnv,
    production: nodeEnv === 'production',
    devCertDir: get('TIERCEL_DEV_CERT_DIR'),
    urls: get('TIERCEL_URLS'),
    httpPorts: get('TIERCEL_HTTP_PORTS'),
    httpsPorts: get('TIERCEL_HTTPS_PORTS'),
    port: get('PORT'),
  });
}
