export const DEFAULT_MAX_READ_BUFFER_SIZE = 1024 * 1024;
export const DEFAULT_MAX_WRITE_BUFFER_SIZE = 64 * 1024;
//# sourceMappingURL=transport.js.map