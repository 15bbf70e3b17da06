import { token } from '../connection/index.js';
import type { Environment } from './environment.js';
import type { ServerOptions } from './server-options.js';

// Every token a user may register under, in one place. The tokens of contracts live beside the
// contracts (connection/, protocols/http/, protocols/tls/) so lower layers can inject them;
// they are re-exported here.
export { token, TRANSPORT, LOGGER, LOGGER_FACTORY, CLOCK, TRANSPORT_OPTIONS, type Token } from '../connection/index.js';
export { HEARTBEAT, HTTP_OPTIONS, HTTP_LIMITS, HTTP2_LIMITS, HTTP_APPLICATION, PROTOCOL_ADAPTER } from '../protocols/http/index.js';
export { CERTIFICATE_PROVIDER, TLS_OPTIONS } from '../protocols/tls/configuration.js';
export { HEALTH_CHECKS } from '../middleware/health/index.js';

/** The server's resolved options (defaults applied). */
export const SERVER_OPTIONS = token<Required<ServerOptions>>('tiercel.ServerOptions');
/** The environment, read once by `addTiercel` (see `Environment`). */
export const ENVIRONMENT = token<Environment>('tiercel.Environment');
