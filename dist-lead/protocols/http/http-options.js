import { InvalidOptionError } from '../../connection/index.js';
import { isToken } from './header-chars.js';
import { resolveHttpLimits } from './http-limits.js';
/** Connections upgraded away from HTTP right now, shared by every connection of a server. */
export class UpgradeCounter {
    active = 0;
}
const KNOWN = ['limits', 'serverHeader', 'extraMethods'];
export function resolveHttpOptions(options = {}) {
    for (const key of Object.keys(options)) {
        if (!KNOWN.includes(key))
            throw new InvalidOptionError(key, `is not an HTTP option (known: ${KNOWN.join(', ')})`);
    }
    const server = options.serverHeader ?? 'tiercel';
    if (server !== false) {
        for (const part of server.split(/[ /]/)) {
            if (!isToken(part))
                throw new InvalidOptionError('serverHeader', "must be a product token such as 'tiercel' or 'tiercel/1.0', or false");
        }
    }
    return {
        limits: resolveHttpLimits(options.limits),
        upgrades: new UpgradeCounter(),
        extraMethods: checkMethods(options.extraMethods ?? []),
        serverLine: server === false ? '' : `server: ${server}\r\n`,
    };
}
function checkMethods(methods) {
    if (!Array.isArray(methods))
        throw new InvalidOptionError('extraMethods', 'must be an array of method names');
    for (const m of methods) {
        if (typeof m !== 'string' || !isToken(m) || m === 'PRI') {
            throw new InvalidOptionError('extraMethods', `'${String(m)}' is not a method token (RFC 9110 §9.1), or is PRI`);
        }
    }
    return methods;
}
//# sourceMappingURL=http-options.js.map