/** The environment variables tiercel reads (only here, in di/, once per `addTiercel`). */
export interface Environment {
  /** `NODE_ENV`. */
  readonly nodeEnv: string | undefined;
  /** `NODE_ENV=production`: the development certificate is never used. */
  readonly production: boolean;
  /** `TIERCEL_DEV_CERT_DIR`: the development certificate's folder (default `~/.tiercel/dev-cert`). */
  readonly devCertDir: string | undefined;
  /** `TIERCEL_URLS`: the listen URLs of `tiercel serve` without `--urls`, separated by `;`. */
  readonly urls: string | undefined;
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
  });
}
