// protocols/tls/: HTTPS as connection middleware over any transport. Imports only connection/.
export { httpsMiddleware } from './https-middleware.js';
export * from './configuration.js';
