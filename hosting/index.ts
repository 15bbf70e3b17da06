/// <reference types="node" preserve="true" />
// preserve="true" keeps this in the published .d.ts: they use Node's types (Buffer, node:stream), which
// TypeScript 6+ no longer loads by default; @types/node reaches consumers through @types/ws.
// hosting/: the server that ties transports, connection pipelines and protocols together.
export * from './server.js';
export * from './endpoint-builder.js';
export * from './connection-handler.js';
export * from './test-server.js';
export * from './manual-clock.js';
export * from './stop-on-signals.js';
export * from './test-client.js';
export * from './test-errors.js';
export {
  loadConfiguration,
  isResolvedConfiguration,
  DEFAULT_URL,
  RELOAD_DEBOUNCE_MS,
  ConfigurationError,
  ConfigurationFileError,
  type ConfigurationSources,
  type ResolvedConfiguration,
  type ResolvedEndpoint,
  type TiercelConfiguration,
  type EndpointConfiguration,
  type CertificateConfiguration,
  type LimitsConfiguration,
} from './configuration/index.js';
export * from './cluster-options.js';
export * from './cluster-host.js';
