const RANK = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };
export class ConsoleLogger {
    level;
    category;
    #rank;
    constructor(level = 'info', category = 'tiercel') {
        this.level = level;
        this.category = category;
        this.#rank = RANK[level];
    }
    #write(level, message, fields) {
        if (RANK[level] < this.#rank)
            return;
        const line = `${level}: ${this.category}: ${message}${fields ? ' ' + safeJson(fields) : ''}`;
        if (level === 'error' || level === 'warn')
            console.error(line);
        else
            console.log(line);
    }
    debug(m, f) { this.#write('debug', m, f); }
    info(m, f) { this.#write('info', m, f); }
    warn(m, f) { this.#write('warn', m, f); }
    error(m, f) { this.#write('error', m, f); }
}
export const silentLogger = new ConsoleLogger('silent');
function safeJson(fields) {
    try {
        return JSON.stringify(fields, (_k, v) => (v instanceof Error ? { name: v.name, message: v.message, code: v.code } : v));
    }
    catch {
        return '[unserializable fields]';
    }
}
//# sourceMappingURL=logger.js.map