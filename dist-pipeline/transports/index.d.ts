export * from './tcp/index.js';
export * from './pipe/index.js';
export * from './memory/index.js';
export { AcceptQueue } from './accept-queue.js';
