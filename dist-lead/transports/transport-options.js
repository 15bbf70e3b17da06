import { DEFAULT_MAX_READ_BUFFER_SIZE, DEFAULT_MAX_WRITE_BUFFER_SIZE, InvalidOptionError, } from '../connection/index.js';
export const positiveInteger = (name, value) => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
        throw new InvalidOptionError(name, `must be a positive integer (got ${String(value)})`);
    }
};
export const boolean = (name, value) => {
    if (typeof value !== 'boolean')
        throw new InvalidOptionError(name, `must be true or false (got ${String(value)})`);
};
/** Unix permission bits, written in octal (0o600); no setuid, setgid or sticky bits. */
export const fileMode = (name, value) => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0o777) {
        throw new InvalidOptionError(name, `must be permission bits between 0o000 and 0o777 (got ${String(value)})`);
    }
};
/** The options every transport shares, with Kestrel's defaults (see connection/transport.ts). */
export const bufferDefaults = {
    maxReadBufferSize: DEFAULT_MAX_READ_BUFFER_SIZE,
    maxWriteBufferSize: DEFAULT_MAX_WRITE_BUFFER_SIZE,
};
export const bufferRules = {
    maxReadBufferSize: positiveInteger,
    maxWriteBufferSize: positiveInteger,
};
/**
 * Lays option objects over the defaults (a later layer wins; an `undefined` value keeps what is
 * below it) and checks every value given. A name the transport does not know is refused rather
 * than ignored: a misspelt `maxWriteBuferSize` would otherwise silently leave the default.
 */
export function resolveOptions(defaults, rules, ...layers) {
    const resolved = { ...defaults };
    for (const layer of layers) {
        if (layer === undefined)
            continue;
        for (const [name, value] of Object.entries(layer)) {
            const rule = rules[name];
            if (rule === undefined) {
                throw new InvalidOptionError(name, `is not an option of this transport (known: ${Object.keys(rules).join(', ')})`);
            }
            if (value === undefined)
                continue;
            rule(name, value);
            resolved[name] = value;
        }
    }
    return resolved;
}
//# sourceMappingURL=transport-options.js.map