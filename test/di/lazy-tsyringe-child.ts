// Run by lazy-tsyringe.test.ts in a fresh process: classes decorated through tiercel/di while
// tsyringe is not loaded yet (their decorators are queued), then resolved from a server container
// (which loads tsyringe and applies them). Prints one JSON line of what it saw.
import 'reflect-metadata';
import { createRequire } from 'node:module';
import { sep } from 'node:path';
import type { Logger } from '../../connection/index.js';
import { token } from '../../connection/index.js';
import { LOGGER, Lifecycle, TRANSPORT, createServerContainer, inject, injectAll, injectable, resolve, scoped, singleton } from '../../di/index.js';
import type { Transport } from '../../connection/index.js';

const require = createRequire(import.meta.url);
const tsyringeLoaded = (): boolean => Object.keys(require.cache).some((f) => f.includes(`${sep}node_modules${sep}tsyringe${sep}`));

const GREETING = token<string>('app.Greeting');

@injectable()
class Dependency {
  readonly made = 'dependency';
}

@injectable()
class Service {
  constructor(
    @inject(LOGGER) readonly log: Logger,
    readonly dependency: Dependency,
    @injectAll(TRANSPORT) readonly transports: Transport[],
    @inject(GREETING, { isOptional: true }) readonly greeting?: string,
  ) {}
}

@singleton()
class OnePerProcess {}

@scoped(Lifecycle.ContainerScoped)
class OnePerContainer {}

const decoratedBeforeLoad = !tsyringeLoaded();
const a = createServerContainer({ logLevel: 'silent' });
const b = createServerContainer({ logLevel: 'silent' });
const service = resolve(a, Service);
const tsyringeLifecycle = (require('tsyringe') as typeof import('tsyringe')).Lifecycle;
process.stdout.write(
  JSON.stringify({
    decoratedBeforeLoad,
    loadedByContainer: tsyringeLoaded(),
    logger: typeof service.log.info,
    dependency: service.dependency instanceof Dependency ? service.dependency.made : null,
    transports: service.transports.map((t) => t.name),
    greeting: service.greeting ?? null,
    singleton: resolve(a, OnePerProcess) === resolve(b, OnePerProcess),
    scopedSame: resolve(a, OnePerContainer) === resolve(a, OnePerContainer),
    scopedApart: resolve(a, OnePerContainer) !== resolve(b, OnePerContainer),
    lifecycle: { ...Lifecycle },
    tsyringeLifecycle: { ...tsyringeLifecycle },
  }) + '\n',
);
