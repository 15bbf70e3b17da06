import type { DependencyContainer } from 'tsyringe';
import { ConsoleLogger, LOGGER, levelFor, type ConsoleLoggerOptions, type LogLevels, type Logger, type LoggerFactory } from '../connection/index.js';

/**
 * The default `LOGGER_FACTORY`: a console logger per category, its level from the server's
 * `logLevel` and its format from `logFormat`, unless a `LOGGER` of the application's is
 * registered. Then every category gets that logger: as `logger.child({ category })` when it has a
 * `child` (a pino instance, as it is: the category becomes a field of each record and the
 * instance's own level applies), else the logger itself (how a single logger was plugged in before
 * there were categories, and still is).
 */
export class DefaultLoggerFactory implements LoggerFactory {
  readonly #services: DependencyContainer;
  constructor(
    readonly levels: LogLevels,
    /** The console logger the default `LOGGER` registration answers with. */
    readonly root: Logger,
    services: DependencyContainer,
    readonly options: ConsoleLoggerOptions = {},
  ) {
    this.#services = services;
  }

  create(category: string): Logger {
    const registered = this.#services.resolve<Logger>(LOGGER);
    if (registered !== this.root) return typeof registered.child === 'function' ? registered.child({ category }) : registered;
    return category === 'tiercel' ? this.root : new ConsoleLogger(levelFor(this.levels, category), category, this.options);
  }
}
