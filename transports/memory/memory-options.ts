import type { TransportOptions } from '../../connection/index.js';
import { bufferDefaults, bufferRules, type OptionRules } from '../transport-options.js';

/**
 * Options of the in-memory transport: the shared buffer limits, honoured exactly (they are the
 * high-water marks of each end of the in-memory duplex). A listener's options apply to the ends it
 * accepts; `connect`'s options to the client's end.
 */
export type MemoryTransportOptions = TransportOptions;

export const memoryDefaults: Required<MemoryTransportOptions> = { ...bufferDefaults };

export const memoryRules: OptionRules<MemoryTransportOptions> = { ...bufferRules };

/** DI token for the in-memory transport's options; register it with `useValue` to configure it. */
export const MEMORY_TRANSPORT_OPTIONS = Symbol('MemoryTransportOptions');
