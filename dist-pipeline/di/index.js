// di/: the composition root and the tokens components are wired by.
export * from './tokens.js';
export * from './server-options.js';
export * from './container.js';
//# sourceMappingURL=index.js.map