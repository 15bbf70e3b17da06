export * from './http/index.js';
export * from './http1/index.js';
