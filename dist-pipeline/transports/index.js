// transports/: where connections come from. Each transport implements connection/'s Transport
// and ConnectionListener; nothing here knows about protocols, the pipeline or hosting.
export * from './tcp/index.js';
export * from './pipe/index.js';
export * from './memory/index.js';
export { AcceptQueue } from './accept-queue.js';
//# sourceMappingURL=index.js.map