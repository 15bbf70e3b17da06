// middleware/cors/: cross-origin resource sharing: preflights answered with 204 and the
// Access-Control-Allow-* fields, allowed origins as a list, a pattern or a function, credentials.
export { cors } from './cors.js';
export { CORS_DEFAULTS, resolveCorsOptions, type CorsOptions, type CorsOrigins, type ResolvedCorsOptions } from './cors-options.js';
export { CorsConfigError } from './cors-errors.js';
