export { TcpTransport } from './tcp-transport.js';
export { TcpListener } from './tcp-listener.js';
export { TCP_TRANSPORT_OPTIONS } from './tcp-options.js';
//# sourceMappingURL=index.js.map