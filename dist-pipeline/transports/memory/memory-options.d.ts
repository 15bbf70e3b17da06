import type { TransportOptions } from '../../connection/index.js';
import { type OptionRules } from '../transport-options.js';
/**
 * Options of the in-memory transport: the shared buffer limits, honoured exactly (they are the
 * high-water marks of each end of the in-memory duplex). A listener's options apply to the ends it
 * accepts; `connect`'s options to the client's end.
 */
export type MemoryTransportOptions = TransportOptions;
export declare const memoryDefaults: Required<MemoryTransportOptions>;
export declare const memoryRules: OptionRules<MemoryTransportOptions>;
/** DI token for the in-memory transport's options; register it with `useValue` to configure it. */
export declare const MEMORY_TRANSPORT_OPTIONS: unique symbol;
