// middleware/: request middleware shipped with tiercel, one folder per middleware, each with its
// own index.ts. Built on the pipeline (HttpContext, Middleware) and the connection's features;
// never on a protocol version or on hosting (see docs/ARCHITECTURE.md, "Dependency rule").
export { appendVary } from './shared/index.js';
export * from './health/index.js';
export * from './forwarded/index.js';
export * from './static/index.js';
export * from './compression/index.js';
export * from './router/index.js';
export * from './cookies/index.js';
export * from './cors/index.js';
export * from './problem-details/index.js';
export * from './rate-limit/index.js';
export * from './timeout/index.js';
export * from './https-redirection/index.js';
export * from './access-log/index.js';
export * from './output-cache/index.js';
