import { bufferDefaults, bufferRules } from '../transport-options.js';
export const memoryDefaults = { ...bufferDefaults };
export const memoryRules = { ...bufferRules };
/** DI token for the in-memory transport's options; register it with `useValue` to configure it. */
export const MEMORY_TRANSPORT_OPTIONS = Symbol('MemoryTransportOptions');
//# sourceMappingURL=memory-options.js.map