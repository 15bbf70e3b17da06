export { MemoryTransport } from './memory-transport.js';
export { MemoryListener } from './memory-listener.js';
export { MemoryDuplex } from './memory-duplex.js';
export { MEMORY_TRANSPORT_OPTIONS, type MemoryTransportOptions } from './memory-options.js';
