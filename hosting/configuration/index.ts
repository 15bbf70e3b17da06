// hosting/configuration/: tiercel's configuration (a JSON file, the environment, the command
// line, code), checked with the key of every bad value, and applied to a Server.
export * from './configuration.js';
export * from './configuration-errors.js';
export { loadConfiguration, isResolvedConfiguration, urlEndpoints, DEFAULT_URL, type ConfigurationSources, type ResolvedConfiguration, type ResolvedEndpoint } from './load-configuration.js';
export { applyConfiguration } from './apply-configuration.js';
export { watchConfiguration, RELOAD_DEBOUNCE_MS, type ConfigurationWatcher } from './configuration-watcher.js';
