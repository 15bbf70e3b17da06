import { boolean, bufferDefaults, bufferRules, positiveInteger } from '../transport-options.js';
export const tcpDefaults = { ...bufferDefaults, backlog: 511, noDelay: true };
export const tcpRules = { ...bufferRules, backlog: positiveInteger, noDelay: boolean };
/** DI token for the TCP transport's options; register it with `useValue` to configure the transport. */
export const TCP_TRANSPORT_OPTIONS = Symbol('TcpTransportOptions');
//# sourceMappingURL=tcp-options.js.map