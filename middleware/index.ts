// middleware/: request middleware shipped with tiercel, one folder per middleware, each with its
// own index.ts. Built on the pipeline (HttpContext, Middleware) and the connection's features;
// never on a protocol version or on hosting (see docs/ARCHITECTURE.md, "Dependency rule").
export * from './health/index.js';
export * from './forwarded/index.js';
export * from './access-log/index.js';
