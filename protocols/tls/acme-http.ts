import { Agent } from 'node:https';

/** The part of acme-client's axios instance this file touches. */
interface AxiosLike {
  defaults: object;
  interceptors: { request: { use(onRequest: (config: RequestConfig) => RequestConfig): unknown } };
}
interface RequestConfig {
  url?: string;
  timeout?: number;
  httpsAgent?: unknown;
}

interface OriginSettings {
  readonly timeoutMs: number;
  readonly agent: Agent | undefined;
}

// acme-client sends every request through one axios instance per process, with no per-client
// settings. The deadline and the trusted CA are per directory here: one interceptor applies the
// settings of the request's origin (every URL of an ACME server is on its directory's origin).
const byOrigin = new Map<string, OriginSettings>();
const patched = new WeakSet<object>();

/**
 * Gives every request to `directory`'s origin a `timeoutMs` deadline, and, with `ca`, trust in
 * that CA for its HTTPS (a private ACME server). Connections are not kept alive: an order makes
 * a few requests a month, and an idle socket would hold the process open.
 */
export function configureAcmeHttp(axios: AxiosLike, directory: string, timeoutMs: number, ca: string | Buffer | undefined): void {
  byOrigin.set(new URL(directory).origin, { timeoutMs, agent: ca === undefined ? undefined : new Agent({ ca, keepAlive: false }) });
  if (patched.has(axios)) return;
  patched.add(axios);
  // acme-client retries a failed request itself, up to 5 times 5 s apart and growing (75 s), on
  // timers that hold the process open and outlive the order's deadline. The certificate manager
  // retries whole orders with its own back-off (retryMinMs…retryMaxMs), so requests are not
  // retried here. (A bad nonce is still retried: acme-client does that apart.)
  const settings = (axios.defaults as { acmeSettings?: { retryMaxAttempts?: number } }).acmeSettings;
  if (settings !== undefined) settings.retryMaxAttempts = 0;
  axios.interceptors.request.use((config) => {
    const settings = config.url === undefined ? undefined : byOrigin.get(originOf(config.url));
    if (settings !== undefined) {
      config.timeout = settings.timeoutMs;
      if (settings.agent !== undefined) config.httpsAgent = settings.agent;
    }
    return config;
  });
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '';
  }
}
