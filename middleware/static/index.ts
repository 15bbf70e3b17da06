// Static files (ASP.NET Core's UseStaticFiles, fastify's @fastify/static): conditional requests,
// byte ranges, index files and precompressed siblings, never a path out of the root.
export { staticFiles } from './static-files.js';
export {
  STATIC_FILES_DEFAULTS,
  MAX_STATIC_READ_CHUNK,
  resolveStaticFilesOptions,
  type StaticFilesOptions,
  type ResolvedStaticFilesOptions,
  type DotfilesPolicy,
} from './static-options.js';
export { StaticFilesConfigError } from './static-errors.js';
