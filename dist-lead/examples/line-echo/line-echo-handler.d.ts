import 'reflect-metadata';
import { type ConnectionContext, type Logger } from '../../connection/index.js';
import type { ConnectionHandler } from '../../hosting/index.js';
/** Longest line the echo protocol accepts; a longer one gets `ERR line too long` and a close. */
export declare const MAX_LINE_LENGTH = 4096;
/**
 * A line-based echo protocol, to show a non-HTTP protocol on any transport: every `\n`-terminated
 * line comes back as `echo: <line>\n`; `quit` ends the connection. On shutdown it finishes the
 * line in hand and closes.
 */
export declare class LineEchoHandler implements ConnectionHandler {
    private readonly log;
    constructor(log: Logger);
    onConnected(ctx: ConnectionContext): Promise<void>;
}
