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
import { InvalidEndpointError, isWindowsPipePath } from '../../connection/index.js';
import { resolveOptions } from '../transport-options.js';
import { PipeListener } from './pipe-listener.js';
import { PIPE_TRANSPORT_OPTIONS, pipeDefaults, pipeRules } from './pipe-options.js';
/**
 * Local IPC through node:net: unix domain sockets on POSIX (`unix:/run/app.sock`), named pipes
 * on Windows (`\\.\pipe\name`). Each platform binds only its own kind of path.
 *
 * `new PipeTransport(options)`, or `container.resolve(PipeTransport)` (options from the
 * `PIPE_TRANSPORT_OPTIONS` token when it is registered).
 */
let PipeTransport = class PipeTransport {
    name = 'pipe';
    #options;
    constructor(options) {
        this.#options = resolveOptions(pipeDefaults, pipeRules, options);
    }
    canBind(endpoint) {
        if (endpoint.kind !== 'pipe')
            return false;
        const path = endpoint.path;
        return typeof path === 'string' && path.length > 0 && isWindowsPipePath(path) === (process.platform === 'win32');
    }
    async bind(endpoint, options) {
        if (!this.canBind(endpoint)) {
            const rule = process.platform === 'win32' ? 'a named pipe (\\\\.\\pipe\\name)' : 'a unix socket path (not \\\\.\\pipe\\)';
            throw new InvalidEndpointError(JSON.stringify(endpoint), `the pipe transport on this platform binds ${rule}`);
        }
        return PipeListener.open(endpoint, resolveOptions(pipeDefaults, pipeRules, this.#options, options));
    }
};
PipeTransport = __decorate([
    injectable(),
    __param(0, inject(PIPE_TRANSPORT_OPTIONS, { isOptional: true })),
    __metadata("design:paramtypes", [Object])
], PipeTransport);
export { PipeTransport };
//# sourceMappingURL=pipe-transport.js.map