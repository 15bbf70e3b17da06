import { bufferDefaults, bufferRules, fileMode, positiveInteger } from '../transport-options.js';
export const pipeDefaults = { ...bufferDefaults, backlog: 511, mode: 0o600 };
export const pipeRules = { ...bufferRules, backlog: positiveInteger, mode: fileMode };
/** DI token for the pipe transport's options; register it with `useValue` to configure the transport. */
export const PIPE_TRANSPORT_OPTIONS = Symbol('PipeTransportOptions');
//# sourceMappingURL=pipe-options.js.map