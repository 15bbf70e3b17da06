// protocols/http/features/: the small contracts a protocol's exchange offers (Kestrel's feature
// interfaces). The core ones every exchange has are members of `HttpExchange`; the others a
// protocol may or may not offer are asked for with `exchange.feature(Key)`.
export * from './request-feature.js';
export * from './request-body-feature.js';
export * from './request-trailers-feature.js';
export * from './min-request-body-data-rate-feature.js';
export * from './response-feature.js';
export * from './response-body-feature.js';
export * from './response-trailers-feature.js';
export * from './request-lifetime-feature.js';
export * from './upgraded-connection.js';
export * from './upgrade-feature.js';
export * from './extended-connect-feature.js';
export * from './early-hints-feature.js';
