import { InvalidOptionError } from '../../connection/index.js';
export const DEFAULT_HTTP_LIMITS = Object.freeze({
    maxRequestLineSize: 8 * 1024,
    maxRequestHeadersTotalSize: 32 * 1024,
    maxRequestHeaderCount: 100,
    maxRequestBodySize: 30_000_000,
    requestHeadersTimeoutMs: 30_000,
    keepAliveTimeoutMs: 130_000,
    minRequestBodyDataRate: Object.freeze({ bytesPerSecond: 240, gracePeriodMs: 5_000 }),
    minResponseDataRate: Object.freeze({ bytesPerSecond: 240, gracePeriodMs: 5_000 }),
    maxRequestBodyDrainSize: 1024 * 1024,
    maxConcurrentUpgradedConnections: Infinity,
});
/** Applies defaults and refuses bad values at configuration time. */
export function resolveHttpLimits(limits = {}) {
    const out = { ...DEFAULT_HTTP_LIMITS };
    for (const [key, value] of Object.entries(limits)) {
        if (value === undefined)
            continue;
        if (!(key in DEFAULT_HTTP_LIMITS))
            throw new InvalidOptionError(`limits.${key}`, 'is not a known HTTP limit');
        if (key === 'minRequestBodyDataRate' || key === 'minResponseDataRate') {
            if (value !== null) {
                const rate = value;
                if (!(rate.bytesPerSecond > 0) || !(rate.gracePeriodMs >= 0)) {
                    throw new InvalidOptionError(`limits.${key}`, 'must be null or { bytesPerSecond > 0, gracePeriodMs >= 0 }');
                }
            }
            out[key] = value;
            continue;
        }
        if (typeof value !== 'number' || !(value > 0) || (value !== Infinity && !Number.isInteger(value))) {
            throw new InvalidOptionError(`limits.${key}`, 'must be a whole number above 0, or Infinity for no limit');
        }
        out[key] = value;
    }
    return out;
}
//# sourceMappingURL=http-limits.js.map