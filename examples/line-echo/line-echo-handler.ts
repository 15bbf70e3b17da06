import 'reflect-metadata';
import { inject, injectable } from 'tsyringe';
import { LifetimeFeature, type ConnectionContext, type Logger } from '../../connection/index.js';
import { LOGGER } from '../../di/index.js';
import type { ConnectionHandler } from '../../hosting/index.js';

/** Longest line the echo protocol accepts; a longer one gets `ERR line too long` and a close. */
export const MAX_LINE_LENGTH = 4096;

/**
 * A line-based echo protocol, to show a non-HTTP protocol on any transport: every `\n`-terminated
 * line comes back as `echo: <line>\n`; `quit` ends the connection. On shutdown it finishes the
 * line in hand and closes.
 */
@injectable()
export class LineEchoHandler implements ConnectionHandler {
  constructor(@inject(LOGGER) private readonly log: Logger) {}

  async onConnected(ctx: ConnectionContext): Promise<void> {
    const stream = ctx.transport;
    const closeRequested = ctx.features.get(LifetimeFeature)?.closeRequested;
    this.log.debug({ connectionId: ctx.id }, 'line-echo: connected');
    let pending = '';
    const onClose = (): void => {
      stream.end('bye\n');
    };
    closeRequested?.addEventListener('abort', onClose, { once: true });
    try {
      for await (const chunk of stream) {
        pending += (chunk as Buffer).toString('utf8');
        let nl: number;
        while ((nl = pending.indexOf('\n')) >= 0) {
          const line = pending.slice(0, nl).replace(/\r$/, '');
          pending = pending.slice(nl + 1);
          if (line === 'quit') {
            stream.end('bye\n');
            return;
          }
          if (!stream.write(`echo: ${line}\n`)) await waitDrain(stream);
        }
        if (pending.length > MAX_LINE_LENGTH) {
          stream.end('ERR line too long\n');
          return;
        }
        if (closeRequested?.aborted) return;
      }
    } catch (err) {
      // A peer that resets the connection ends the protocol; it is not the server's error.
      this.log.debug({ connectionId: ctx.id, err }, 'line-echo: connection ended with an error');
    } finally {
      closeRequested?.removeEventListener('abort', onClose);
    }
  }
}

function waitDrain(stream: NodeJS.WritableStream & { destroyed?: boolean }): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}
