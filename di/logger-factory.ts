import type { DependencyContainer } from 'tsyringe';
import { ConsoleLogger, LOGGER, type LogLevel, type Logger, type LoggerFactory } from '../connection/index.js';

/**
 * The default `LOGGER_FACTORY`: a console logger per category at the server's `logLevel`, unless
 * a `LOGGER` of the application's is registered, in which case every category gets that logger
 * (how a single logger was plugged in before there were categories, and still is).
 */
export class DefaultLoggerFactory implements LoggerFactory {
  readonly #services: DependencyContainer;
  constructor(
    readonly level: LogLevel,
    /** The console logger the default `LOGGER` registration answers with. */
    readonly root: Logger,
    services: DependencyContainer,
  ) {
    this.#services = services;
  }

  create(category: string): Logger {
    const registered = this.#services.resolve<Logger>(LOGGER);
    if (registered !== this.root) return registered;
    return category === 'tiercel' ? this.root : new ConsoleLogger(this.level, category);
  }
}
