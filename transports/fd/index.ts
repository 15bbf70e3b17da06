export { FdTransport } from './fd-transport.js';
export { FdListener } from './fd-listener.js';
export { FD_TRANSPORT_OPTIONS, LISTEN_FDS, type FdTransportOptions, type ListenFd } from './fd-options.js';
