export { TcpTransport } from './tcp-transport.js';
export { TcpListener } from './tcp-listener.js';
export { TCP_TRANSPORT_OPTIONS, type TcpTransportOptions } from './tcp-options.js';
