import { InvalidOptionError } from '../connection/index.js';
export const DEFAULT_SERVER_OPTIONS = Object.freeze({
    shutdownTimeoutMs: 30_000,
    maxConcurrentConnections: Infinity,
    transport: {},
    logLevel: 'info',
});
const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'];
/** Applies defaults and rejects bad values now, at configuration time, not at the first connection. */
export function resolveServerOptions(options = {}) {
    for (const key of Object.keys(options)) {
        if (!(key in DEFAULT_SERVER_OPTIONS)) {
            throw new InvalidOptionError(key, `is not a server option (known: ${Object.keys(DEFAULT_SERVER_OPTIONS).join(', ')})`);
        }
    }
    const resolved = { ...DEFAULT_SERVER_OPTIONS, ...stripUndefined(options) };
    if (!(resolved.shutdownTimeoutMs >= 0) || !Number.isFinite(resolved.shutdownTimeoutMs)) {
        throw new InvalidOptionError('shutdownTimeoutMs', 'must be a finite number of milliseconds, 0 or more');
    }
    const max = resolved.maxConcurrentConnections;
    if (max !== Infinity && (!Number.isInteger(max) || max < 1)) {
        throw new InvalidOptionError('maxConcurrentConnections', 'must be a whole number of 1 or more, or Infinity for no limit');
    }
    for (const key of ['maxReadBufferSize', 'maxWriteBufferSize']) {
        const v = resolved.transport[key];
        if (v !== undefined && (!Number.isInteger(v) || v < 1)) {
            throw new InvalidOptionError(`transport.${key}`, 'must be a whole number of bytes, 1 or more');
        }
    }
    if (!LOG_LEVELS.includes(resolved.logLevel)) {
        throw new InvalidOptionError('logLevel', `must be one of ${LOG_LEVELS.join(', ')}`);
    }
    return resolved;
}
function stripUndefined(o) {
    const out = {};
    for (const [k, v] of Object.entries(o))
        if (v !== undefined)
            out[k] = v;
    return out;
}
//# sourceMappingURL=server-options.js.map