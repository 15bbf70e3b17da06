export * from './tokens.js';
export * from './server-options.js';
export * from './container.js';
