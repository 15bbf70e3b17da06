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
import { InvalidEndpointError } from '../../connection/index.js';
import { resolveOptions } from '../transport-options.js';
import { TcpListener } from './tcp-listener.js';
import { TCP_TRANSPORT_OPTIONS, tcpDefaults, tcpRules } from './tcp-options.js';
/**
 * TCP over node:net. Binds IP literals, `'*'` (every address, dual-stack where the machine has
 * IPv6) and `'localhost'` (127.0.0.1 and ::1 on one port); port 0 takes a free port.
 *
 * `new TcpTransport(options)`, or `container.resolve(TcpTransport)` (options from the
 * `TCP_TRANSPORT_OPTIONS` token when it is registered). Options are checked here, at
 * configuration time; `bind` may override them for one endpoint.
 */
let TcpTransport = class TcpTransport {
    name = 'tcp';
    #options;
    constructor(options) {
        this.#options = resolveOptions(tcpDefaults, tcpRules, options);
    }
    canBind(endpoint) {
        return endpoint.kind === 'tcp';
    }
    async bind(endpoint, options) {
        if (!this.canBind(endpoint))
            throw new InvalidEndpointError(JSON.stringify(endpoint), 'the TCP transport binds only tcp endpoints');
        return TcpListener.open(endpoint, resolveOptions(tcpDefaults, tcpRules, this.#options, options));
    }
};
TcpTransport = __decorate([
    injectable(),
    __param(0, inject(TCP_TRANSPORT_OPTIONS, { isOptional: true })),
    __metadata("design:paramtypes", [Object])
], TcpTransport);
export { TcpTransport };
//# sourceMappingURL=tcp-transport.js.map