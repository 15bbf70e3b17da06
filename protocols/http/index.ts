// protocols/http/: what every HTTP protocol adapter shares, and the seam the pipeline uses.
export * from './http-exchange.js';
export * from './http-protocol-error.js';
export * from './header-list.js';
export * from './request-headers.js';
export * from './status-codes.js';
export * from './http-limits.js';
export * from './http-options.js';
export * from './heartbeat.js';
export { KNOWN_METHODS } from './known-methods.js';
export { isToken, classifyFieldValue, utf8Length } from './header-chars.js';
export * from './http2-limits.js';
export { isValidHostValue, isHostAndPort, isConnectAuthority } from './host.js';
export * from './protocol-adapter.js';
export * from './http-logs.js';
export * from './http-tokens.js';
export * from './features/index.js';
export { HttpExchangeBase } from './http-exchange-base.js';
export * from './http-diagnostics.js';
