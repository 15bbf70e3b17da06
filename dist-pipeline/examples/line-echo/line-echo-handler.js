var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
var __metadata = (this && this.__metadata) || function (k, v) {
    if (typeof Reflect === "object" && typeof Reflect.metadata === "function") return Reflect.metadata(k, v);
};
var __param = (this && this.__param) || function (paramIndex, decorator) {
    return function (target, key) { decorator(target, key, paramIndex); }
};
import 'reflect-metadata';
import { inject, injectable } from 'tsyringe';
import { LifetimeFeature } from '../../connection/index.js';
import { LOGGER } from '../../di/index.js';
/** Longest line the echo protocol accepts; a longer one gets `ERR line too long` and a close. */
export const MAX_LINE_LENGTH = 4096;
/**
 * A line-based echo protocol, to show a non-HTTP protocol on any transport: every `\n`-terminated
 * line comes back as `echo: <line>\n`; `quit` ends the connection. On shutdown it finishes the
 * line in hand and closes.
 */
let LineEchoHandler = class LineEchoHandler {
    log;
    constructor(log) {
        this.log = log;
    }
    async onConnected(ctx) {
        const stream = ctx.transport;
        const closeRequested = ctx.features.get(LifetimeFeature)?.closeRequested;
        this.log.debug('line-echo: connected', { connectionId: ctx.id });
        let pending = '';
        const onClose = () => {
            stream.end('bye\n');
        };
        closeRequested?.addEventListener('abort', onClose, { once: true });
        try {
            for await (const chunk of stream) {
                pending += chunk.toString('utf8');
                let nl;
                while ((nl = pending.indexOf('\n')) >= 0) {
                    const line = pending.slice(0, nl).replace(/\r$/, '');
                    pending = pending.slice(nl + 1);
                    if (line === 'quit') {
                        stream.end('bye\n');
                        return;
                    }
                    if (!stream.write(`echo: ${line}\n`))
                        await waitDrain(stream);
                }
                if (pending.length > MAX_LINE_LENGTH) {
                    stream.end('ERR line too long\n');
                    return;
                }
                if (closeRequested?.aborted)
                    return;
            }
        }
        catch (err) {
            // A peer that resets the connection ends the protocol; it is not the server's error.
            this.log.debug('line-echo: connection ended with an error', { connectionId: ctx.id, error: err });
        }
        finally {
            closeRequested?.removeEventListener('abort', onClose);
        }
    }
};
LineEchoHandler = __decorate([
    injectable(),
    __param(0, inject(LOGGER)),
    __metadata("design:paramtypes", [Object])
], LineEchoHandler);
export { LineEchoHandler };
function waitDrain(stream) {
    return new Promise((resolve) => {
        const done = () => {
            stream.off('drain', done);
            stream.off('close', done);
            resolve();
        };
        stream.on('drain', done);
        stream.on('close', done);
    });
}
//# sourceMappingURL=line-echo-handler.js.map