import type { Server } from './server.js';

export interface StopOnSignalsOptions {
  /**
   * The signals that stop the server. Default `SIGINT` (Ctrl-C) and `SIGTERM` (what systemd,
   * Docker and Kubernetes send before they kill).
   */
  readonly signals?: readonly NodeJS.Signals[];
  /** How long in-flight work may take before it is aborted. Default: the server's `shutdownTimeoutMs`. */
  readonly timeoutMs?: number;
  /**
   * Whether the process exits once the server has stopped: with code 0 after a graceful stop, 1
   * after a second signal or a failed stop, as `tiercel serve` does. Default true. With false the
   * handlers are removed once the server has stopped, and the process ends when nothing else
   * keeps it alive (close your own resources in `onStopped`).
   */
  readonly exit?: boolean;
  /** Runs once the server has stopped, gracefully or not, before the process exits. */
  readonly onStopped?: (signal: NodeJS.Signals) => void | Promise<void>;
}

const DEFAULT_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/**
 * Stops `server` gracefully on the first SIGINT or SIGTERM (in-flight requests finish, up to the
 * shutdown timeout) and at once on the second (every connection is aborted), as the `tiercel`
 * command does. Returns a function that removes the handlers, giving the signals back to Node's
 * default (exit at once).
 */
export function stopOnSignals(server: Server, options: StopOnSignalsOptions = {}): () => void {
  const signals = options.signals ?? DEFAULT_SIGNALS;
  const exit = options.exit ?? true;
  let first: NodeJS.Signals | undefined;

  const remove = (): void => {
    for (const s of signals) process.removeListener(s, onSignal);
  };
  const finish = async (signal: NodeJS.Signals, stopped: Promise<void>): Promise<void> => {
    let code = 0;
    try {
      await stopped;
    } catch (err) {
      code = 1;
      server.logger.error({ err }, 'Stop failed');
    }
    try {
      await options.onStopped?.(signal);
    } catch (err) {
      code = 1;
      server.logger.error({ err }, 'onStopped failed');
    }
    remove();
    if (exit) process.exit(code);
  };

  function onSignal(signal: NodeJS.Signals): void {
    if (first === undefined) {
      first = signal;
      server.logger.info(`${signal}: stopping gracefully (a second signal stops at once)`);
      void finish(signal, server.stop(options.timeoutMs));
      return;
    }
    server.logger.warn(`${signal}: stopping at once, aborting every connection`);
    if (exit) process.exit(1);
    // The graceful stop under way ends as soon as its connections are gone; `finish` then runs.
    void server.stop(0);
  }

  for (const s of signals) process.on(s, onSignal);
  return remove;
}
