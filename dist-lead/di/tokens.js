export function token(description) {
    return Symbol(description);
}
/** Every registered transport, in registration order (the last that can bind an endpoint wins). */
export const TRANSPORT = token('tiercel.Transport');
/** The server's resolved options (defaults applied). */
export const SERVER_OPTIONS = token('tiercel.ServerOptions');
/** The logger every component writes to. */
export const LOGGER = token('tiercel.Logger');
//# sourceMappingURL=tokens.js.map