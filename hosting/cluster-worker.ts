import { SERVER_OPTIONS, resolve } from '../di/index.js';
import { isClusterMessage, type WorkerListeningMessage, type WorkerStopMessage } from './cluster-options.js';
import type { Server } from './server.js';
import { stopOnSignals } from './stop-on-signals.js';

/**
 * The worker's side of `runClustered`: builds and starts the server, tells the primary it is
 * listening, and stops gracefully when the primary asks (a rolling restart, a SIGTERM to the
 * primary) or when it is sent SIGINT/SIGTERM itself (Ctrl-C reaches the whole process group). It
 * exits once stopped; the primary decides whether to replace it.
 */
export async function runWorker(build: () => Server | Promise<Server>): Promise<Server> {
  let stopAsked = false;
  let server: Server | undefined;
  const stopAndExit = (): void => {
    server!.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  // Listening before the build: the primary may ask a worker that is still starting to stop.
  process.on('message', (message: unknown) => {
    if (!isClusterMessage<WorkerStopMessage>(message, 'stop') || stopAsked) return;
    stopAsked = true;
    if (server !== undefined) stopAndExit();
  });
  // A terminal's hangup reaches the whole process group: SIGHUP is the primary's (a rolling
  // restart), and Node's default for it would end the worker.
  process.on('SIGHUP', ignore);

  server = await build();
  await server.start();
  stopOnSignals(server);
  if (stopAsked) {
    stopAndExit();
    return server;
  }
  const listening: WorkerListeningMessage = {
    tiercel: 'listening',
    urls: server.urls,
    shutdownTimeoutMs: resolve(server.services, SERVER_OPTIONS).shutdownTimeoutMs,
  };
  process.send!(listening);
  return server;
}

function ignore(): void {}
