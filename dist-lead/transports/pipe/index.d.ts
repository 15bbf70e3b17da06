export { PipeTransport } from './pipe-transport.js';
export { PipeListener } from './pipe-listener.js';
export { PIPE_TRANSPORT_OPTIONS, type PipeTransportOptions } from './pipe-options.js';
export { MAX_UNIX_SOCKET_PATH_BYTES } from './unix-socket-file.js';
