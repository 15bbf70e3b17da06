import { token } from '../connection/index.js';
// The contract tokens (TRANSPORT, LOGGER) live in connection/ so lower layers can inject them;
// they are re-exported here so the composition root offers every token in one place.
export { token, TRANSPORT, LOGGER } from '../connection/index.js';
/** The server's resolved options (defaults applied). */
export const SERVER_OPTIONS = token('tiercel.ServerOptions');
//# sourceMappingURL=tokens.js.map