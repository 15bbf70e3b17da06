import type { Cluster, Worker } from 'node:cluster';
import { ConsoleLogger, type Logger } from '../connection/index.js';
import {
  ClusterStartError,
  isClusterMessage,
  resolveClusterOptions,
  type ClusterOptions,
  type ResolvedClusterOptions,
  type WorkerListeningMessage,
  type WorkerStopMessage,
} from './cluster-options.js';
import { runWorker } from './cluster-worker.js';
import type { Server } from './server.js';
import { stopOnSignals } from './stop-on-signals.js';

/** One worker process as the primary sees it. */
interface Slot {
  readonly worker: Worker;
  readonly startedAt: number;
  /** Resolves once the worker says it is listening; rejects if it exits first or takes too long. */
  readonly listening: Promise<void>;
  isListening: boolean;
  /** Whether its death is replaced: not before it listens when a start or a rolling restart forked it. */
  replaceOnExit: boolean;
  /** Asked to stop: its exit is expected. */
  retiring: boolean;
  shutdownTimeoutMs: number;
  readonly exited: Promise<{ code: number | null; signal: string | null }>;
}

type State = 'new' | 'starting' | 'started' | 'stopping' | 'stopped';

/**
 * The primary process of `runClustered`: forks the workers (each runs the whole server; node:cluster
 * shares their listening sockets), replaces a worker that dies with a doubling back-off, replaces
 * them one by one on `restart()` (SIGHUP), and stops them gracefully on `stop()` (SIGINT, SIGTERM).
 * It runs no application itself.
 */
export class ClusterHost {
  readonly logger: Logger;
  readonly #options: ResolvedClusterOptions;
  readonly #slots = new Map<number, Slot>();
  readonly #restartTimers = new Set<NodeJS.Timeout>();
  #state: State = 'new';
  /** node:cluster, loaded by start(). */
  #cluster: Cluster | undefined;
  #urls: string[] = [];
  /** The wait before the next replacement; doubles with every death in a row. */
  #delay: number;
  /** The back-off step last logged at error: a crash loop logs once per step, not once per crash. */
  #loggedDelay: number | undefined;
  #rolling: Promise<void> | undefined;
  #rollAgain = false;
  #stopping: Promise<void> | undefined;
  /** A worker had to be killed or did not exit cleanly during the stop. */
  #stopUnclean = false;

  constructor(options: ClusterOptions = {}) {
    this.#options = resolveClusterOptions(options);
    this.#delay = this.#options.restartDelayMs;
    this.logger = new ConsoleLogger(this.#options.logLevel, 'tiercel.cluster', { format: this.#options.logFormat });
  }

  /** The URLs the workers listen on (port 0 resolved: the workers share one port). Empty before start. */
  get urls(): string[] {
    return [...this.#urls];
  }

  /** The process ids of the workers alive now, in the order they were forked. */
  get pids(): number[] {
    return [...this.#slots.values()].map((s) => s.worker.process.pid!);
  }

  /** Whether the last stop had to kill a worker or saw one exit with an error. */
  get stoppedUncleanly(): boolean {
    return this.#stopUnclean;
  }

  /**
   * Forks the workers and resolves once every one is listening. If one exits first (a bind
   * failure, an error in the app's module) or is not listening within `startTimeoutMs`, the
   * others are stopped and it rejects with `ClusterStartError`.
   */
  async start(): Promise<void> {
    if (this.#state !== 'new') throw new ClusterStartError('start() was called twice');
    this.#cluster = await loadCluster();
    if (!this.#cluster.isPrimary) throw new ClusterStartError('a ClusterHost runs in the primary process only');
    this.#state = 'starting';
    const slots = Array.from({ length: this.#options.workers }, () => this.#fork(false));
    try {
      await Promise.all(slots.map((s) => s.listening));
    } catch (err) {
      this.#state = 'stopping';
      await Promise.all(slots.map((s) => this.#retire(s)));
      this.#state = 'stopped';
      throw err;
    }
    this.#state = 'started';
    this.logger.info({ pids: this.pids }, `${slots.length} workers listening on ${this.#urls.join(', ')}`);
  }

  /**
   * Replaces the workers one by one with no request lost: a new worker is forked and, once it is
   * listening, the old one is asked to stop gracefully (its readiness turns 503 and its connections
   * drain while the new one takes the new connections); then the next. A new worker that fails to
   * start ends the restart, keeping the old ones. A call during a restart runs another one after it.
   */
  restart(): Promise<void> {
    if (this.#state !== 'started') return Promise.resolve();
    if (this.#rolling !== undefined) {
      this.#rollAgain = true;
      return this.#rolling;
    }
    this.#rolling = this.#roll().finally(() => (this.#rolling = undefined));
    return this.#rolling;
  }

  /** Stops every worker gracefully (each within its server's `shutdownTimeoutMs`); no worker is replaced from now on. */
  stop(): Promise<void> {
    if (this.#state === 'new') this.#state = 'stopped';
    if (this.#state === 'stopped') return Promise.resolve();
    if (this.#stopping !== undefined) return this.#stopping;
    this.#state = 'stopping';
    for (const timer of this.#restartTimers) clearTimeout(timer);
    this.#restartTimers.clear();
    this.#stopping = Promise.all([...this.#slots.values()].map((s) => this.#retire(s))).then(() => {
      this.#state = 'stopped';
    });
    return this.#stopping;
  }

  /** Ends every worker at once (SIGKILL): the second Ctrl-C. */
  kill(): void {
    this.#stopUnclean = true;
    for (const slot of this.#slots.values()) slot.worker.process.kill('SIGKILL');
  }

  async #roll(): Promise<void> {
    do {
      this.#rollAgain = false;
      this.logger.info('Replacing the workers one by one');
      for (const old of [...this.#slots.values()]) {
        if (this.#state !== 'started') return;
        // A worker that died meanwhile was replaced by the crash path, with a new one.
        if (old.retiring || !this.#slots.has(old.worker.id)) continue;
        const fresh = this.#fork(false);
        try {
          await fresh.listening;
        } catch (err) {
          this.logger.error({ err }, 'A new worker failed to start: the restart stops here, the old workers keep serving');
          return;
        }
        await this.#retire(old);
      }
      this.logger.info({ pids: this.pids }, 'Every worker was replaced');
    } while (this.#rollAgain && this.#state === 'started');
  }

  #fork(replaceOnExit: boolean): Slot {
    const worker = this.#cluster!.fork();
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
      worker.once('exit', (code: number | null, signal: string | null) => resolve({ code, signal }));
    });
    let timer: NodeJS.Timeout | undefined;
    const listening = new Promise<void>((resolve, reject) => {
      worker.on('message', (message: unknown) => {
        if (!isClusterMessage<WorkerListeningMessage>(message, 'listening')) return;
        slot.isListening = true;
        slot.replaceOnExit = true;
        slot.shutdownTimeoutMs = message.shutdownTimeoutMs;
        if (this.#urls.length === 0) this.#urls = message.urls;
        clearTimeout(timer);
        resolve();
      });
      void exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new ClusterStartError(`worker ${worker.process.pid} exited (${describeExit(code, signal)}) before it was listening`));
      });
      timer = setTimeout(() => {
        reject(new ClusterStartError(`worker ${worker.process.pid} was not listening within ${this.#options.startTimeoutMs} ms`));
        worker.process.kill('SIGKILL');
      }, this.#options.startTimeoutMs);
    });
    // Whoever forked it awaits `listening`; a replacement forked by the crash path may have nobody.
    listening.catch(ignore);
    const slot: Slot = {
      worker,
      startedAt: Date.now(),
      listening,
      isListening: false,
      replaceOnExit,
      retiring: false,
      shutdownTimeoutMs: 0,
      exited,
    };
    this.#slots.set(worker.id, slot);
    void exited.then(({ code, signal }) => this.#onExit(slot, code, signal));
    return slot;
  }

  #onExit(slot: Slot, code: number | null, signal: string | null): void {
    this.#slots.delete(slot.worker.id);
    if (slot.retiring || !slot.replaceOnExit || this.#state !== 'started') return;
    const lived = Date.now() - slot.startedAt;
    if (slot.isListening && lived >= this.#options.stableAfterMs) {
      this.#delay = this.#options.restartDelayMs;
      this.#loggedDelay = undefined;
    }
    const delay = this.#delay;
    const fields = { pid: slot.worker.process.pid, exit: describeExit(code, signal), livedMs: lived, restartInMs: delay };
    const message = slot.isListening ? 'A worker died; a new one replaces it' : 'A replacement worker failed to start; trying again';
    // The first death of a step at error, the rest of a crash loop at that step at debug.
    if (delay !== this.#loggedDelay) this.logger.error(fields, message);
    else this.logger.debug(fields, message);
    this.#loggedDelay = delay;
    this.#delay = Math.min(delay * 2, this.#options.maxRestartDelayMs);
    const timer = setTimeout(() => {
      this.#restartTimers.delete(timer);
      if (this.#state === 'started') this.#fork(true);
    }, delay);
    this.#restartTimers.add(timer);
  }

  /** Asks a worker to stop gracefully and waits for it to exit; kills it if it outlives its shutdown timeout. */
  async #retire(slot: Slot): Promise<void> {
    slot.retiring = true;
    if (slot.worker.isConnected()) {
      const stop: WorkerStopMessage = { tiercel: 'stop' };
      // A worker whose channel closes as it is told exits anyway: the exit is what is awaited.
      slot.worker.send(stop, ignoreError);
    }
    const backstop = setTimeout(() => {
      this.logger.warn(`Worker ${slot.worker.process.pid} did not stop in time: killing it`);
      this.#stopUnclean = true;
      slot.worker.process.kill('SIGKILL');
    }, (slot.isListening ? slot.shutdownTimeoutMs : 0) + this.#options.stopGraceMs);
    const { code, signal } = await slot.exited;
    clearTimeout(backstop);
    // A worker that never listened (a failed start) has said why itself.
    if (code !== 0 && slot.isListening) {
      this.#stopUnclean = true;
      this.logger.warn(`Worker ${slot.worker.process.pid} stopped with ${describeExit(code, signal)}`);
    }
  }
}

/** What `runClustered` started in this process. */
export type Clustered =
  | { readonly role: 'primary'; readonly host: ClusterHost }
  | { readonly role: 'worker' | 'single'; readonly server: Server };

/**
 * Runs the server `build` makes on every core. In the primary process it forks
 * `options.workers` workers (a `ClusterHost`), replaces those that die, replaces them one by one on
 * SIGHUP and stops them gracefully on SIGINT/SIGTERM (a second signal kills them). In each worker
 * (the same script, run again by node:cluster) it builds and starts the server. With `workers: 1`
 * it builds and starts the server here, with `stopOnSignals`, and forks nothing.
 *
 * `build` runs in the workers only: the primary loads no application. Call `runClustered` at the
 * top level of your entry script, with nothing before it that must not run in every process.
 */
export async function runClustered(build: () => Server | Promise<Server>, options: ClusterOptions = {}): Promise<Clustered> {
  const resolved = resolveClusterOptions(options);
  // One worker is no cluster: node:cluster is not even loaded. (A worker runs with the same
  // options as its primary, so it never takes this branch.)
  if (resolved.workers === 1) {
    const server = await build();
    await server.start();
    stopOnSignals(server, { exit: resolved.exit });
    return { role: 'single', server };
  }
  if ((await loadCluster()).isWorker) return { role: 'worker', server: await runWorker(build) };
  const host = new ClusterHost(options);
  await host.start();
  hostOnSignals(host, resolved.exit);
  return { role: 'primary', host };
}

/** SIGHUP restarts the workers; the first SIGINT/SIGTERM stops them gracefully, a second kills them. */
function hostOnSignals(host: ClusterHost, exit: boolean): void {
  let stopping = false;
  const onHangup = (): void => {
    host.logger.info('SIGHUP: replacing the workers one by one');
    void host.restart();
  };
  const onStop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      host.logger.warn(`${signal}: stopping at once, killing every worker`);
      host.kill();
      if (exit) process.exit(1);
      return;
    }
    stopping = true;
    host.logger.info(`${signal}: stopping gracefully, every worker (a second signal stops at once)`);
    void host.stop().then(() => {
      process.removeListener('SIGHUP', onHangup);
      process.removeListener('SIGINT', onStop);
      process.removeListener('SIGTERM', onStop);
      if (exit) process.exit(host.stoppedUncleanly ? 1 : 0);
    });
  };
  process.on('SIGHUP', onHangup);
  process.on('SIGINT', onStop);
  process.on('SIGTERM', onStop);
}

/** node:cluster costs tens of milliseconds of start-up; a single process never loads it. */
async function loadCluster(): Promise<Cluster> {
  return (await import('node:cluster')).default;
}

function describeExit(code: number | null, signal: string | null): string {
  return signal !== null ? `signal ${signal}` : `code ${code}`;
}

function ignore(): void {}

function ignoreError(_err: Error | null): void {}
